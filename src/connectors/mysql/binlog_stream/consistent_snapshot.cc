#include "connectors/mysql/binlog_stream/consistent_snapshot.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <optional>

namespace sluice::mysql::binlog_stream {
namespace {

Status StartReadTransaction(Connection& conn) {
  SLUICE_RETURN_IF_ERROR(conn.Exec("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"));
  return conn.Exec("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
}

// MariaDB's binlog_snapshot_file/position of the transaction just started on `conn`; nullopt
// when the server does not have them (MySQL).
Result<std::optional<BinlogPosition>> MariaSnapshotPosition(Connection& conn) {
  SLUICE_ASSIGN_OR_RETURN(std::vector<Row> rows,
                          conn.Query("SHOW SESSION STATUS LIKE 'binlog_snapshot_%'"));
  std::optional<std::string> file;
  std::optional<std::string> offset;
  for (const Row& r : rows) {
    if (r.size() < 2 || !r[0] || !r[1]) continue;
    std::string name = *r[0];
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == "binlog_snapshot_file") file = *r[1];
    if (name == "binlog_snapshot_position") offset = *r[1];
  }
  if (!file || !offset || file->empty()) return std::optional<BinlogPosition>();
  SLUICE_ASSIGN_OR_RETURN(BinlogPosition p, BinlogPosition::Parse(*file + ":" + *offset));
  return std::optional<BinlogPosition>(std::move(p));
}

Result<BinlogPosition> ServerPosition(Connection& conn) {
  Result<std::optional<Row>> row = conn.QueryRow("SHOW MASTER STATUS");
  if (!row) row = conn.QueryRow("SHOW BINARY LOG STATUS");  // MySQL 8.4 renamed it
  if (!row) return Err(row.error());
  if (!*row || (*row)->size() < 2 || !(**row)[0] || !(**row)[1]) {
    return Err(Status::Invalid("SHOW MASTER STATUS returned nothing: is log_bin on?"));
  }
  return BinlogPosition::Parse(*(**row)[0] + ":" + *(**row)[1]);
}

Result<ConsistentSnapshot> UnderTableLock(const MysqlUrl& url, Connection& control,
                                          const std::vector<std::string>& quoted_tables) {
  std::string locks;
  for (const std::string& t : quoted_tables) locks += (locks.empty() ? "" : ", ") + t + " READ";
  const std::string quoted_table = fmt::format("{}", fmt::join(quoted_tables, ", "));
  Status locked = control.Exec("LOCK TABLES " + locks);
  if (!locked.ok()) {
    return Err(locked.WithContext(fmt::format(
        "startup: initial: the server has no binlog_snapshot_file (MySQL), so the snapshot "
        "locks {} for reading for a moment; that needs the LOCK TABLES privilege (GRANT LOCK "
        "TABLES, SELECT ON the database TO the job's user)",
        quoted_table)));
  }
  ConsistentSnapshot snap;
  snap.locked = true;
  Status st = Status::OK();
  Result<Connection> reader = Connection::Open(url);
  if (!reader) {
    st = reader.error();
  } else {
    snap.reader = std::move(*reader);
    st = StartReadTransaction(snap.reader);
  }
  if (st.ok()) {
    // Under the lock no transaction can write the table: everything that did is in the binlog
    // before this position, and the snapshot started above sees exactly that.
    Result<BinlogPosition> pos = ServerPosition(control);
    if (pos) {
      snap.position = std::move(*pos);
    } else {
      st = pos.error();
    }
  }
  Status unlocked = control.Exec("UNLOCK TABLES");
  if (!st.ok()) return Err(st.WithContext("startup: initial: snapshot"));
  if (!unlocked.ok()) return Err(unlocked.WithContext("startup: initial: UNLOCK TABLES"));
  return snap;
}

}  // namespace

Result<ConsistentSnapshot> BeginConsistentSnapshot(const MysqlUrl& url, Connection& control,
                                                   const std::vector<std::string>& quoted_tables,
                                                   SnapshotMethod method) {
  if (method == SnapshotMethod::kAuto) {
    SLUICE_ASSIGN_OR_RETURN(Connection reader, Connection::Open(url));
    SLUICE_RETURN_IF_ERROR(StartReadTransaction(reader));
    SLUICE_ASSIGN_OR_RETURN(std::optional<BinlogPosition> pos, MariaSnapshotPosition(reader));
    if (pos) return ConsistentSnapshot{std::move(reader), std::move(*pos), false};
    (void)reader.Exec("ROLLBACK");
  }
  return UnderTableLock(url, control, quoted_tables);
}

}  // namespace sluice::mysql::binlog_stream
