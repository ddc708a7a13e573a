// Decoding MySQL text-protocol values into sluice values, exactly.
//
// The server sends every value as text (binary strings raw): integers as digits (BIGINT
// UNSIGNED up to 18446744073709551615), DECIMAL as exact digits, DOUBLE as its shortest
// round-trip form (FLOAT is selected as CAST(... AS DOUBLE), see mysql_types.h), dates and
// times in fixed formats, TIMESTAMP in the session's zone (UTC), BIT as big-endian bytes.
// Fixed formats are parsed by hand (no allocation, no locale); text values are not copied
// until the row is known to be good (Cell borrows the row's memory).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "connectors/mysql/mysql_config.h"
#include "connectors/mysql/mysql_types.h"
#include "core/column.h"
#include "core/time_zone.h"

namespace sluice::mysql {

// A decoded value waiting to be appended, so a row is checked whole before any of its values
// reach the batch and a rejected row leaves the columns aligned.
struct Cell {
  bool null = true;
  int64_t fixed = 0;     // fixed-width types
  std::string_view var;  // var-width types: the row's bytes or the decoder's scratch

  void AppendTo(Column& column) const {
    if (null) {
      column.AppendNull();
    } else if (column.is_var()) {
      column.AppendBytes(var);
    } else {
      column.AppendInt(fixed);
    }
  }
};

class ValueDecoder {
 public:
  ValueDecoder(ReadKind kind, ZeroDate zero_date, TimeZone zone)
      : kind_(kind), zero_date_(zero_date), zone_(std::move(zone)) {}

  // Decodes [data, data + len); data == nullptr is SQL NULL. On failure returns false and sets
  // `why` ("zero date '0000-00-00' ..."). `out.var` stays valid until the next Decode on this
  // decoder or the next row fetched.
  bool Decode(const char* data, size_t len, Cell& out, std::string& why);

  ReadKind kind() const { return kind_; }

  // Values read as NULL by zero_date: null since the last call, and the first of them; then
  // starts counting again. The reader reports them (RejectSink::NoteSubstituted).
  int64_t TakeSubstituted(std::string& first) {
    first = std::move(first_substituted_);
    first_substituted_.clear();
    return std::exchange(substituted_, 0);
  }

 private:
  bool DecodeDate(std::string_view text, Cell& out, std::string& why) const;
  bool DecodeDateTime(std::string_view text, Cell& out, std::string& why) const;
  // A date that is not on the calendar: NULL or an error, by the zero_date option.
  bool ZeroDateValue(std::string_view text, Cell& out, std::string& why) const;

  ReadKind kind_;
  ZeroDate zero_date_;
  TimeZone zone_;
  std::string scratch_;
  // Counted in const decoders: the count is the decoder's report, not its state.
  mutable int64_t substituted_ = 0;
  mutable std::string first_substituted_;
};

// Appends the UTF-8 form of MariaDB latin1 bytes (every byte has one).
void AppendLatin1AsUtf8(std::string_view bytes, std::string& out);

// Parsers for the server's fixed formats, exposed for tests. Each returns false on text that
// is not in the format; `calendar_ok` says whether the date part is a real calendar date.
bool ParseMysqlDate(std::string_view text, int32_t& days, bool& calendar_ok);
bool ParseMysqlDateTime(std::string_view text, int64_t& micros, bool& calendar_ok);
bool ParseMysqlTime(std::string_view text, int64_t& micros);

}  // namespace sluice::mysql
