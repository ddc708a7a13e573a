// Encoding sluice values as the tab-separated text that LOAD DATA reads.
//
// The format (see the LOAD DATA statement in mysql_loader.cc): fields end with TAB, lines with
// LF, backslash escapes; NULL is \N; in text, TAB, LF, NUL and backslash are escaped. Binary
// values are written as hex and stored with UNHEX(@var), so no byte sequence can be misread
// as an escape or cut by the utf8mb4 decoder; BIT columns get CAST(@var AS UNSIGNED) because
// LOAD DATA would otherwise store the digits' bytes.
// Numbers are written so the server reads back the same value: doubles in shortest round-trip
// form, floats as the double holding them exactly, decimals as their exact text. Times follow
// the time-zone rule: TIMESTAMP columns get UTC (the session's zone); DATETIME columns get
// wall-clock time in the target's time_zone.
#pragma once

#include <string>
#include <string_view>

#include "connectors/mysql/mysql_types.h"
#include "core/column.h"
#include "core/time_zone.h"

namespace sluice::mysql {

// How LOAD DATA assigns a field to its column.
enum class LoadVia : uint8_t {
  kDirect,    // straight into the column
  kUnhex,     // into @var, then col = UNHEX(@var)
  kUnsigned,  // into @var, then col = CAST(@var AS UNSIGNED)
};

// LOAD DATA needs a variable and a SET for binary and BIT columns.
LoadVia ViaFor(TargetClass target);

class FieldEncoder {
 public:
  // `zone` is the target's time_zone, for DATETIME columns.
  FieldEncoder(DataType incoming, TargetClass target, TimeZone zone);

  LoadVia via() const { return via_; }
  // Appends the text of row `row` of `column` (\N for NULL). A value the target cannot hold
  // (NaN in a DOUBLE, a negative number in a BIT) returns false with `why`; `out` may then
  // hold part of the value and the caller cuts it back.
  bool Append(const Column& column, size_t row, std::string& out, std::string& why) const;

 private:
  bool AppendNumber(const Column& column, size_t row, std::string& out, std::string& why) const;
  void AppendTemporal(const Column& column, size_t row, std::string& out) const;

  DataType incoming_;
  TargetClass target_;
  TimeZone zone_;
  LoadVia via_ = LoadVia::kDirect;
};

// Appends `text` with TAB, LF, NUL and backslash escaped for LOAD DATA.
void AppendEscaped(std::string_view text, std::string& out);
// Appends `bytes` as uppercase hex digits.
void AppendHex(std::string_view bytes, std::string& out);

}  // namespace sluice::mysql
