// JsonRowDecoder: one JSON object (a line of a JSON-lines file) -> one row of a batch.
//
// Parsing uses nlohmann's SAX interface, not a DOM: values go to per-column slots without a
// tree being built, and a number's original text is kept, so a decimal column receives
// "12345678901234567890.123456789" exactly (even past what uint64 or double can hold). Nested
// objects and arrays are re-serialised compactly for json and string columns. Keys not in the
// schema are skipped; missing keys are NULL; a repeated key keeps its last value.
// One instance per reader thread; not thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "connectors/file_common/text_codec.h"
#include "core/batch.h"
#include "core/schema.h"
#include "core/status.h"
#include "core/time_zone.h"

namespace sluice {

class JsonRowDecoder {
 public:
  JsonRowDecoder(const Schema& schema, BytesEncoding bytes, TimeZone zone);

  // Parses `line` and appends it as a row of `batch` (shaped by the schema). Errors are
  // DataErrors with a reason naming the column when there is one. `appended` says whether a
  // row was added anyway (a value that did not fit its column leaves a row of NULLs behind,
  // which the caller drops); a line that is not a JSON object appends nothing.
  Status Decode(std::string_view line, Batch& batch, bool& appended);

  // A value of one top-level key, as the SAX events delivered it.
  struct Slot {
    enum class Kind : uint8_t { kMissing, kNull, kBool, kInt, kUInt, kFloat, kString, kNested };
    Kind kind = Kind::kMissing;
    bool b = false;
    int64_t i = 0;
    uint64_t u = 0;
    double d = 0;
    uint32_t offset = 0;  // kFloat (its original text), kString, kNested: text in scratch_
    uint32_t length = 0;
  };

 private:
  class Sax;
  friend class Sax;

  Status AppendSlot(const Slot& slot, size_t column, Column& col);
  std::string_view SlotText(const Slot& slot) const {
    return std::string_view(scratch_.data() + slot.offset, slot.length);
  }

  Schema schema_;
  BytesEncoding bytes_;
  TimeZone zone_;
  std::unordered_map<std::string, int> index_;  // key -> column
  std::vector<Slot> slots_;
  std::string scratch_;  // texts of the current line's values, reused across lines
};

}  // namespace sluice
