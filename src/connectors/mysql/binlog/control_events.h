// The events around the row changes: where the log goes next (ROTATE), statements (QUERY:
// BEGIN, COMMIT, DDL for a later schema history), transaction ends (XID), transaction
// identities (MariaDB GTID and GTID_LIST, MySQL GTID), the statement behind row events
// (ANNOTATE_ROWS, ROWS_QUERY) and keep-alives (HEARTBEAT).
//
// Each Parse function reads a framed Event (event_framer.h) and returns a value that borrows
// the event's bytes; errors name the event type and the byte offset within the event.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/mysql/binlog/event_framer.h"
#include "connectors/mysql/binlog/format_description.h"
#include "core/status.h"

namespace sluice::mysql::binlog {

struct RotateEvent {
  uint64_t position = 0;       // where the next file's first event to read starts
  std::string_view next_file;  // "binlog.000002"
};
Result<RotateEvent> ParseRotate(const Event& event, const FormatDescription& format);

struct QueryEvent {
  uint32_t thread_id = 0;
  uint32_t exec_time = 0;
  uint16_t error_code = 0;
  std::string_view status_vars;  // raw; sql_mode, charsets, time zone (not decoded yet)
  std::string_view schema;       // the default database the statement ran in (may be empty)
  std::string_view sql;          // "BEGIN", "COMMIT", "CREATE TABLE ...", ...
};
// QUERY or QUERY_COMPRESSED (MariaDB's log_bin_compress), whose statement text is inflated into
// `inflated` (reused between events; `sql` points into it).
Result<QueryEvent> ParseQuery(const Event& event, const FormatDescription& format,
                              std::string& inflated);

struct XidEvent {
  uint64_t xid = 0;
};
Result<XidEvent> ParseXid(const Event& event);

// MariaDB GTID: domain-server-sequence, at the start of every event group.
struct MariaGtidEvent {
  static constexpr uint8_t kStandalone = 1;  // no BEGIN/COMMIT: a DDL or other single event
  static constexpr uint8_t kGroupCommitId = 2;
  static constexpr uint8_t kTransactional = 4;
  static constexpr uint8_t kAllowParallel = 8;
  static constexpr uint8_t kWaited = 16;
  static constexpr uint8_t kDdl = 32;
  static constexpr uint8_t kPreparedXa = 64;
  static constexpr uint8_t kCompletedXa = 128;

  uint32_t domain_id = 0;
  uint32_t server_id = 0;  // from the common header
  uint64_t sequence = 0;
  uint8_t flags = 0;
  uint64_t commit_id = 0;  // with kGroupCommitId

  bool standalone() const { return flags & kStandalone; }
  bool transactional() const { return flags & kTransactional; }
  std::string ToString() const;  // "0-1-42"
};
Result<MariaGtidEvent> ParseMariaGtid(const Event& event);

struct MariaGtid {
  uint32_t domain_id = 0;
  uint32_t server_id = 0;
  uint64_t sequence = 0;
};
// MariaDB GTID_LIST: the binlog state at the start of a file, one GTID per domain.
struct MariaGtidListEvent {
  uint8_t flags = 0;
  std::vector<MariaGtid> gtids;
};
Result<MariaGtidListEvent> ParseMariaGtidList(const Event& event);

// MySQL GTID (and ANONYMOUS_GTID): source uuid and transaction number.
struct MysqlGtidEvent {
  uint8_t flags = 0;
  std::array<uint8_t, 16> uuid{};
  int64_t gno = 0;
  std::string ToString() const;  // "3e11fa47-71ca-11e1-9e33-c80aa9429562:23"
};
Result<MysqlGtidEvent> ParseMysqlGtid(const Event& event);

// ANNOTATE_ROWS (MariaDB), ROWS_QUERY (MySQL): the statement that produced the next rows.
struct AnnotateRowsEvent {
  std::string_view sql;
};
Result<AnnotateRowsEvent> ParseAnnotateRows(const Event& event);

// HEARTBEAT: the primary is alive; carries the name of its current binlog file.
struct HeartbeatEvent {
  std::string_view log_file;
  uint64_t log_pos = 0;  // from the common header
};
Result<HeartbeatEvent> ParseHeartbeat(const Event& event);

}  // namespace sluice::mysql::binlog
