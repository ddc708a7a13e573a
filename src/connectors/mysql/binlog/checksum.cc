#include "connectors/mysql/binlog/checksum.h"

#include <zlib.h>

#include <algorithm>

namespace sluice::mysql::binlog {

uint32_t Crc32(std::string_view bytes, uint32_t crc) {
  // zlib's crc32 takes a uInt length: events over 4 GiB do not exist, but a caller's span may.
  while (!bytes.empty()) {
    const size_t n = std::min<size_t>(bytes.size(), 1u << 30);
    crc = static_cast<uint32_t>(
        crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(n)));
    bytes.remove_prefix(n);
  }
  return crc;
}

}  // namespace sluice::mysql::binlog
