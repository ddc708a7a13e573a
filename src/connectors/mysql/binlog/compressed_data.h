// MariaDB's compressed events (log_bin_compress=ON): QUERY_COMPRESSED holds its statement text,
// and the *_ROWS_COMPRESSED events their row images, zlib-compressed; everything before (the
// post-header, status variables, column bitmaps) is as in the plain event.
//
// The compressed part starts with one header byte: bit 7 set, bits 4-6 the algorithm (0, zlib),
// bits 0-2 how many bytes (1 to 4) hold the uncompressed length, which follows big-endian; then
// the zlib stream (with its 2-byte header and Adler-32 trailer).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace sluice::mysql::binlog {

// The uncompressed bytes of `data`, inflated into `buffer` (reused between events; the view
// points into it). Errors say what is wrong: not compressed data, an unknown algorithm, a
// stream that does not inflate to the length it declares.
Result<std::string_view> InflateMariaCompressed(std::string_view data, std::string& buffer);

}  // namespace sluice::mysql::binlog
