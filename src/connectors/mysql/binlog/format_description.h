// FORMAT_DESCRIPTION_EVENT: the first event of every v4 binlog (and of every relay log part).
// It says how long each event type's fixed post-header is, and, since MySQL 5.6.1 and
// MariaDB 5.3, which checksum algorithm the events after it carry (the FDE itself is
// checksummed with that algorithm too).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/mysql/binlog/checksum.h"
#include "connectors/mysql/binlog/event_type.h"
#include "core/status.h"

namespace sluice::mysql::binlog {

struct FormatDescription {
  uint16_t binlog_version = 4;
  std::string server_version;  // "10.11.6-MariaDB-log", "8.0.40"
  uint32_t create_timestamp = 0;
  uint8_t header_length = 19;
  std::vector<uint8_t> post_header_lengths;  // index: event type code - 1
  ChecksumAlg checksum = ChecksumAlg::kUndefined;

  bool is_mariadb() const { return server_version.find("MariaDB") != std::string::npos; }
  // The post-header length of `type`; `fallback` when the FDE predates the type.
  uint8_t PostHeaderLength(EventType type, uint8_t fallback) const;
  // What a server writes before the first FDE arrives (a live stream's fake ROTATE).
  static FormatDescription Default();
};

// Parses a whole FORMAT_DESCRIPTION event (header included, checksum included if any).
Result<FormatDescription> ParseFormatDescription(std::string_view event);

}  // namespace sluice::mysql::binlog
