#include "connectors/mysql/binlog/format_description.h"

#include <array>
#include <charconv>

#include "connectors/mysql/binlog/byte_reader.h"
#include "connectors/mysql/binlog/event_header.h"

namespace sluice::mysql::binlog {
namespace {

constexpr size_t kServerVersionLength = 50;

// "10.11.6-MariaDB-log" -> {10, 11, 6}; missing parts are 0.
std::array<int, 3> VersionTriple(std::string_view v) {
  std::array<int, 3> out{0, 0, 0};
  const char* p = v.data();
  const char* end = v.data() + v.size();
  for (int& part : out) {
    auto [next, ec] = std::from_chars(p, end, part);
    if (ec != std::errc()) break;
    p = next;
    if (p == end || *p != '.') break;
    ++p;
  }
  return out;
}

// Servers from MySQL 5.6.1 and MariaDB 5.3 on append the checksum algorithm byte (and, when
// it is CRC32, a checksum) to the FDE; older ones do not, and their events carry no checksum.
bool HasChecksumByte(std::string_view version) {
  const std::array<int, 3> v = VersionTriple(version);
  const bool mariadb = version.find("MariaDB") != std::string_view::npos;
  const std::array<int, 3> split =
      mariadb ? std::array<int, 3>{5, 3, 0} : std::array<int, 3>{5, 6, 1};
  return v >= split;
}

}  // namespace

uint8_t FormatDescription::PostHeaderLength(EventType type, uint8_t fallback) const {
  const size_t index = static_cast<size_t>(type) - 1;
  if (static_cast<uint8_t>(type) == 0 || index >= post_header_lengths.size()) return fallback;
  return post_header_lengths[index];
}

FormatDescription FormatDescription::Default() {
  FormatDescription f;
  f.server_version = "5.0.0";
  return f;
}

Result<FormatDescription> ParseFormatDescription(std::string_view event) {
  ByteReader r(event.substr(kEventHeaderSize), kEventHeaderSize);
  FormatDescription f;
  std::string_view version;
  r.U(2, f.binlog_version);
  r.Bytes(kServerVersionLength, version);
  r.U(4, f.create_timestamp);
  r.U(1, f.header_length);
  if (!r.ok()) {
    return Err(Status::DataError("FORMAT_DESCRIPTION event too short ({} bytes)", event.size()));
  }
  if (f.binlog_version != 4) {
    return Err(
        Status::DataError("binlog format version {} is not supported (only v4, MySQL 5.0 "
                          "and later)",
                          f.binlog_version));
  }
  if (f.header_length != kEventHeaderSize) {
    return Err(
        Status::DataError("FORMAT_DESCRIPTION declares a {}-byte event header; only 19 is "
                          "supported",
                          f.header_length));
  }
  f.server_version.assign(version.substr(0, version.find('\0')));
  // Whether a checksum follows depends on the version, so a version that is not one (every
  // server's starts with its major number) cannot be trusted to say.
  if (f.server_version.empty() || f.server_version[0] < '0' || f.server_version[0] > '9') {
    return Err(
        Status::DataError("FORMAT_DESCRIPTION names server version '{}', which is not a "
                          "version number",
                          f.server_version));
  }
  std::string_view lengths = r.rest();
  if (HasChecksumByte(f.server_version)) {
    if (lengths.size() < 1 + kChecksumSize) {
      return Err(Status::DataError("FORMAT_DESCRIPTION event too short for its checksum byte"));
    }
    const auto alg = static_cast<uint8_t>(lengths[lengths.size() - 1 - kChecksumSize]);
    if (alg != 0 && alg != 1) {
      return Err(Status::DataError("unknown binlog checksum algorithm {}", alg));
    }
    f.checksum = static_cast<ChecksumAlg>(alg);
    lengths.remove_suffix(1 + kChecksumSize);
  }
  f.post_header_lengths.assign(lengths.begin(), lengths.end());
  return f;
}

}  // namespace sluice::mysql::binlog
