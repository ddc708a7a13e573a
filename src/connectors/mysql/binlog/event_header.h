// The v4 common header every binlog event starts with (19 bytes, little-endian):
// timestamp(4) type(1) server_id(4) event_size(4) log_pos(4) flags(2).
#pragma once

#include <cstdint>
#include <string_view>

#include "connectors/mysql/binlog/event_type.h"
#include "core/status.h"

namespace sluice::mysql::binlog {

inline constexpr size_t kEventHeaderSize = 19;
inline constexpr size_t kChecksumSize = 4;

struct EventHeader {
  uint32_t timestamp = 0;  // seconds since the epoch when the statement started
  uint8_t type_code = 0;
  uint32_t server_id = 0;
  uint32_t event_size = 0;  // header + body + checksum
  uint32_t log_pos = 0;     // the position of the next event in the writer's binlog
  uint16_t flags = 0;

  EventType type() const { return static_cast<EventType>(type_code); }
};

// Parses the first 19 bytes of `bytes`; fails when there are fewer or when event_size is
// smaller than the header itself (a size that cannot be right).
Result<EventHeader> ParseEventHeader(std::string_view bytes);

}  // namespace sluice::mysql::binlog
