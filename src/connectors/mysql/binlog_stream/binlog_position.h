// BinlogPosition: where a MySQL/MariaDB binlog stream stands, `file:offset` (the offset of the
// next event to read in that file). Stored as text ("mysql-bin.000003:1234") in the target's
// _sluice_positions, and ordered by (file sequence number, offset), never as strings.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace sluice::mysql::binlog_stream {

struct BinlogPosition {
  std::string file;  // "mysql-bin.000003"
  uint64_t offset = 0;

  std::string ToString() const { return file + ":" + std::to_string(offset); }
  static Result<BinlogPosition> Parse(std::string_view text);
  // The numeric suffix of the file name (binlog files are numbered in order).
  uint64_t FileNumber() const;
  std::strong_ordering operator<=>(const BinlogPosition& other) const;
  bool operator==(const BinlogPosition& other) const = default;
};

}  // namespace sluice::mysql::binlog_stream
