// CRC-32 (ISO-HDLC, the polynomial of zlib and of the binlog's BINLOG_CHECKSUM_ALG_CRC32),
// computed by zlib.
#pragma once

#include <cstdint>
#include <string_view>

namespace sluice::mysql::binlog {

// The checksum algorithm byte a FORMAT_DESCRIPTION event carries.
enum class ChecksumAlg : uint8_t {
  kOff = 0,
  kCrc32 = 1,
  kUndefined = 255,  // the server predates checksums (no byte in its FORMAT_DESCRIPTION)
};

// `crc`: the CRC of the bytes before, to continue it (0 to start).
uint32_t Crc32(std::string_view bytes, uint32_t crc = 0);

}  // namespace sluice::mysql::binlog
