// ConsistentSnapshot: a read transaction on a table together with the binlog position it
// sees, so that `startup: initial` reads the table as of that position and then streams the
// changes after it: nothing lost or doubled at the handoff.
//
// MariaDB gives it without any lock: START TRANSACTION WITH CONSISTENT SNAPSHOT makes the
// binlog position of the snapshot visible as the status variables binlog_snapshot_file and
// binlog_snapshot_position. MySQL has no such variables; there the table is locked for reading
// for the few milliseconds it takes to start the transaction and read SHOW MASTER STATUS:
// writers to the table wait, and any transaction that wrote it has committed (so it is in the
// binlog before the position). That needs the LOCK TABLES privilege, and the error says so.
#pragma once

#include <string>
#include <vector>

#include "connectors/mysql/binlog_stream/binlog_position.h"
#include "connectors/mysql/mysql_connection.h"
#include "core/status.h"

namespace sluice::mysql::binlog_stream {

enum class SnapshotMethod {
  kAuto,       // MariaDB's binlog_snapshot_* when the server has them, else the table lock
  kTableLock,  // always the table lock (MySQL; tests run it against MariaDB too)
};

struct ConsistentSnapshot {
  Connection reader;  // inside a REPEATABLE READ, READ ONLY transaction: read the table on it
  BinlogPosition position;
  bool locked = false;  // whether the table lock was needed
};

// `control` is an idle connection to the same server (it takes the lock on MySQL);
// `quoted_tables` the tables the snapshot reads, as `db`.`t`.
Result<ConsistentSnapshot> BeginConsistentSnapshot(const MysqlUrl& url, Connection& control,
                                                   const std::vector<std::string>& quoted_tables,
                                                   SnapshotMethod method);

}  // namespace sluice::mysql::binlog_stream
