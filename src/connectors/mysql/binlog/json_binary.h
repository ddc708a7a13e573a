// MySQL 8's binary JSON (column type JSON in row images) to JSON text.
//
// A value is a type byte and its data. Objects and arrays come in a small form (2-byte counts,
// sizes and offsets) and a large one (4-byte); their entries point at keys and values by
// offsets from the start of the container, and small scalars (literals, 16-bit integers, and
// 32-bit ones in large containers) are stored inline in the entry. Strings carry a
// variable-length length (7 bits per byte). "Opaque" values hold a MySQL type and its binary
// form: DECIMAL and the date/time types are printed as MySQL prints them; the rest as
// "base64:typeNN:...", as MySQL does. The text uses MySQL's spacing: {"a": [1, 2]}.
// MariaDB stores JSON as text (a BLOB column), which needs none of this.
#pragma once

#include <string>
#include <string_view>

namespace sluice::mysql::binlog {

// Appends the text of `bytes` to `out`. Returns false with `why` set when the bytes are not
// valid binary JSON (an offset past the end, nesting deeper than 100, an unknown type); `out`
// may then hold a partial value, which the caller discards.
bool AppendJsonText(std::string_view bytes, std::string& out, std::string& why);

}  // namespace sluice::mysql::binlog
