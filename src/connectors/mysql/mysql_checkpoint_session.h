// MysqlCheckpointSession: the shared commit sequence's session (sql_common/checkpoint_session.h)
// over a MySQL/MariaDB Connection, and the PositionsTable of a target database.
//
// Parameters are spliced in as quoted literals (the text protocol has no others without
// prepared statements, which sluice's few fixed statements do not need).
// Lifecycle: wraps a connection the caller owns, on the caller's thread; owns nothing.
#pragma once

#include <string>

#include "connectors/mysql/mysql_connection.h"
#include "connectors/sql_common/checkpoint_session.h"
#include "connectors/sql_common/positions_table.h"

namespace sluice::mysql {

class MysqlCheckpointSession : public sql_common::CheckpointSession {
 public:
  MysqlCheckpointSession(Connection& conn, std::string describe)
      : conn_(conn), describe_(std::move(describe)) {}

  // For UPDATE, the rows matched (from mysql_info: "Rows matched: N"), not only those changed.
  Result<int64_t> Exec(std::string_view sql,
                       const std::vector<sql_common::SqlParam>& params) override;
  Result<std::vector<sql_common::SqlRow>> Query(
      std::string_view sql, const std::vector<sql_common::SqlParam>& params) override;
  Status Script(std::string_view sql) override;
  // START TRANSACTION: also right in a session with autocommit = 0, since it follows a COMMIT.
  Status Begin() override;
  // Outcome unknown on CR_SERVER_LOST (2013) and CR_SERVER_GONE_ERROR (2006).
  Status Commit() override;
  Status Rollback() override;
  std::string Describe() const override { return describe_; }

 private:
  std::string Bind(std::string_view sql, const std::vector<sql_common::SqlParam>& params) const;

  Connection& conn_;
  std::string describe_;
};

// `_sluice_positions` in database `db` (and the old `_sluice_runs` there).
sql_common::PositionsTable MysqlPositionsTable(const std::string& db);

}  // namespace sluice::mysql
