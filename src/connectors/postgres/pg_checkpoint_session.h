// PgCheckpointSession: the shared commit sequence's session (sql_common/checkpoint_session.h)
// over a PgConnection, and the PositionsTable of a PostgreSQL target schema.
//
// Lifecycle: wraps a connection the caller owns, on the caller's thread; owns nothing.
#pragma once

#include <string>

#include "connectors/postgres/pg_connection.h"
#include "connectors/sql_common/checkpoint_session.h"
#include "connectors/sql_common/positions_table.h"

namespace sluice::postgres {

class PgCheckpointSession : public sql_common::CheckpointSession {
 public:
  PgCheckpointSession(PgConnection& conn, std::string describe)
      : conn_(conn), describe_(std::move(describe)) {}

  Result<int64_t> Exec(std::string_view sql,
                       const std::vector<sql_common::SqlParam>& params) override;
  Result<std::vector<sql_common::SqlRow>> Query(
      std::string_view sql, const std::vector<sql_common::SqlParam>& params) override;
  Status Script(std::string_view sql) override { return conn_.Exec(sql, describe_); }
  Status Begin() override { return conn_.Exec("BEGIN", describe_); }
  // Outcome unknown when the server did not answer, the connection is bad, or the error is
  // SQLSTATE class 08 (connection exception) or 57P01 (terminated by an administrator).
  Status Commit() override;
  Status Rollback() override;
  std::string Describe() const override { return describe_; }

  // The SQLSTATE of the last failed statement ("55P03": lock timeout), "" after a success.
  const std::string& last_state() const { return last_state_; }

 private:
  Result<PgResult> Run(std::string_view sql, const std::vector<sql_common::SqlParam>& params);

  PgConnection& conn_;
  std::string describe_;
  std::string last_state_;
};

// `_sluice_positions` in `schema` (and the old `_sluice_runs` there). CREATE TABLE IF NOT EXISTS
// is not safe against itself in PostgreSQL, so it runs under a transaction-scoped advisory lock
// shared by every sluice process.
sql_common::PositionsTable PgPositionsTable(const std::string& schema);

}  // namespace sluice::postgres
