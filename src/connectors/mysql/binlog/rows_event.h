// WRITE/UPDATE/DELETE_ROWS events, v1 (MariaDB, MySQL 5.1-5.5) and v2 (MySQL 5.6+), and
// MySQL 8's PARTIAL_UPDATE_ROWS (an UPDATE_ROWS v2 whose after images may hold JSON diffs): the
// post-header and the column bitmaps, and the span of row images that row_image_decoder.h
// decodes against the event's TABLE_MAP.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "connectors/mysql/binlog/event_framer.h"
#include "connectors/mysql/binlog/format_description.h"
#include "core/status.h"

namespace sluice::mysql::binlog {

enum class RowsKind : uint8_t { kWrite, kUpdate, kDelete };

struct RowsEvent {
  static constexpr uint16_t kStmtEnd = 1;  // the last rows event of its statement

  EventType type = EventType::kUnknown;
  RowsKind kind = RowsKind::kWrite;
  uint64_t table_id = 0;
  uint16_t flags = 0;
  std::string_view extra;  // v2 extra data (NDB info, MySQL 8 partition ids); not interpreted
  uint64_t column_count = 0;
  // One bit per column (least significant bit first): which columns each image holds. With
  // binlog_row_image=FULL every bit is set. An update has a before and an after bitmap.
  std::string_view present;
  std::string_view present_after;
  // The row images; of a compressed event (MariaDB log_bin_compress), inflated into the
  // caller's buffer.
  std::string_view rows;
  // Where `rows` starts within the event, for error offsets (of a compressed event, where its
  // compressed images start: offsets past it count in the inflated images).
  size_t rows_offset = 0;
};

// Parses the header and bitmaps, and inflates compressed row images into `inflated` (reused
// between events; `rows` points into it). Pre-GA rows events are refused with an error that
// says so.
Result<RowsEvent> ParseRowsEvent(const Event& event, const FormatDescription& format,
                                 std::string& inflated);

}  // namespace sluice::mysql::binlog
