// JsonlRowFormatter: one row as one JSON object, the JSON-lines target's value encoding.
//
// Values keep their JSON types where JSON has one: integers (uint64 included) and floats are
// numbers, booleans are booleans, json columns are embedded as JSON (not as strings), NULL is
// null. JSON has no NaN or infinities, so those become the strings "NaN", "Infinity" and
// "-Infinity" (which the jsonl source reads back into float columns). Decimals are strings by
// default so that readers parsing numbers as doubles lose no digits (decimal_as: number
// writes them as numbers). Dates, times, timestamps and uuids are their canonical text;
// bytes are base64 or hex strings.
//
// Separate from the sink so it can be tested alone, and shared by the plain-rows and the
// change-event formats (change_event_formatter.h).
#pragma once

#include <string>
#include <vector>

#include "connectors/file_common/text_codec.h"
#include "core/batch.h"
#include "core/schema.h"

namespace sluice {

struct JsonlWriteFormat {
  BytesEncoding bytes = BytesEncoding::kBase64;
  bool decimal_as_number = false;
};

class JsonlRowFormatter {
 public:
  JsonlRowFormatter(const JsonlWriteFormat& format, const Schema& schema);
  // Every row of `batch`, one object and a newline each.
  void AppendRows(const Batch& batch, std::string& out);
  // Row `row` as one object, no newline.
  void AppendRow(const Batch& batch, size_t row, std::string& out) const;
  void AppendValue(const Column& col, size_t row, std::string& out) const;

 private:
  JsonlWriteFormat format_;
  std::vector<std::string> prefixes_;  // '{"name":' for the first column, ',"name":' after
};

}  // namespace sluice
