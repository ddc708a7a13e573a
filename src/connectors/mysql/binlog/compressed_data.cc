#include "connectors/mysql/binlog/compressed_data.h"

#include <zlib.h>

#include <cstdint>

namespace sluice::mysql::binlog {
namespace {

// The server never writes an event over max_allowed_packet (at most 1 GiB): bounds what a
// corrupt length makes us allocate.
constexpr uint64_t kMaxInflated = uint64_t{1} << 30;

}  // namespace

Result<std::string_view> InflateMariaCompressed(std::string_view data, std::string& buffer) {
  if (data.empty()) return Err(Status::DataError("compressed data is empty"));
  const auto head = static_cast<uint8_t>(data[0]);
  if ((head & 0x80) == 0) {
    return Err(Status::DataError("compressed data starts with 0x{:02x}, not a header (bit 7 unset)",
                                 head));
  }
  const unsigned algorithm = (head >> 4) & 0x07;
  if (algorithm != 0) {
    return Err(
        Status::DataError("compression algorithm {} is not supported (only zlib, 0)", algorithm));
  }
  const size_t length_size = head & 0x07;
  if (length_size < 1 || length_size > 4 || data.size() < 1 + length_size) {
    return Err(Status::DataError("compressed data header declares a {}-byte length in {} bytes",
                                 length_size, data.size()));
  }
  uint64_t length = 0;
  for (size_t i = 0; i < length_size; ++i) {
    length = (length << 8) | static_cast<uint8_t>(data[1 + i]);
  }
  if (length > kMaxInflated) {
    return Err(Status::DataError("compressed data declares {} uncompressed bytes", length));
  }
  const std::string_view stream = data.substr(1 + length_size);
  buffer.resize(length);
  uLongf inflated = static_cast<uLongf>(length);
  // uncompress() wants a non-null destination even for an empty result.
  char empty = 0;
  const int rc =
      uncompress(reinterpret_cast<Bytef*>(length > 0 ? buffer.data() : &empty), &inflated,
                 reinterpret_cast<const Bytef*>(stream.data()), static_cast<uLong>(stream.size()));
  if (rc == Z_BUF_ERROR || (rc == Z_OK && inflated != length)) {
    return Err(
        Status::DataError("compressed data does not inflate to the {} bytes it declares", length));
  }
  if (rc != Z_OK) {
    return Err(Status::DataError("compressed data does not inflate: {}",
                                 rc == Z_DATA_ERROR ? "corrupt zlib stream" : zError(rc)));
  }
  return std::string_view(buffer.data(), length);
}

}  // namespace sluice::mysql::binlog
