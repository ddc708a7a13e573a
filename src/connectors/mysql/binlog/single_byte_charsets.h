// The single-byte character sets of MariaDB/MySQL as the server reads them: a code point for
// each byte (scripts/gen-charset-tables.sh writes single_byte_charsets.cc from a server).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>

namespace sluice::mysql::binlog {

struct SingleByteCharset {
  std::string_view name;  // "cp1251"
  std::array<uint16_t, 256> code_points;
};

extern const SingleByteCharset kSingleByteCharsets[];
extern const size_t kSingleByteCharsetCount;

}  // namespace sluice::mysql::binlog
