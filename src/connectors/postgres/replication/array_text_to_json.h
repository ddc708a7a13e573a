// PostgreSQL array text (array_out: {1,2,NULL}, {{"a b",c},{d,e}}) -> JSON, the way the batch
// reader's to_json(col) renders it, so an array column reads the same from a snapshot and from
// the change stream: numbers stay numbers ("NaN" and "Infinity" become strings, as in to_json),
// booleans become true/false, json/jsonb elements are embedded, timestamps take ISO 8601 with
// 'T' (timestamptz in UTC, "+00:00", as the batch reader's UTC session prints it), everything
// else is a JSON string. Dimension decorations ([0:2]={...}) are dropped, as to_json drops
// non-default lower bounds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace sluice::postgres::replication {

enum class ArrayElement : uint8_t {
  kNumber,  // integers, floats, numeric: a JSON number when the text is one, else a string
  kBool,
  kJson,
  kDate,
  kTimestamp,
  kTimestampTz,
  kString,
};

// Appends the JSON for `text` to `out`. A DataError (out may hold partial text; callers roll
// back) for text that is not an array literal or an element that cannot be converted.
Status ArrayTextToJson(std::string_view text, ArrayElement element, std::string& out);

}  // namespace sluice::postgres::replication
