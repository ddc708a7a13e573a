// The multi-byte character sets the binlog decoder converts with iconv, with the sequences
// iconv reads otherwise than the server (scripts/gen-charset-overrides.py writes
// multi_byte_overrides.cc by asking a MariaDB server about every sequence).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <string_view>

namespace sluice::mysql::binlog {

// How a charset's bytes group into characters.
enum class CharLayout : uint8_t {
  kSjis,    // lead 0x81-0x9F, 0xE0-0xFC: two bytes
  kBig5,    // lead 0xA1-0xF9: two bytes
  kGbk,     // lead 0x81-0xFE: two bytes
  kEuckr,   // lead 0x81-0xFE: two bytes
  kGb2312,  // lead 0xA1-0xFE: two bytes
  kEucjp,   // 0x8E: two bytes; 0x8F: three; 0xA1-0xFE: two
};

struct CharOverride {
  uint32_t code;        // the sequence, big-endian ("\x81\x5F" is 0x815F)
  uint32_t code_point;  // what the server reads it as
};

struct MultiByteCharset {
  std::string_view name;   // "sjis"
  std::string_view iconv;  // "SHIFT_JIS"
  CharLayout layout;
  std::span<const CharOverride> overrides;  // sorted by code
};

extern const MultiByteCharset kMultiByteCharsets[];
extern const size_t kMultiByteCharsetCount;

}  // namespace sluice::mysql::binlog
