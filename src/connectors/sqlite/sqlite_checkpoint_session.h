// SqliteCheckpointSession: the shared commit sequence's session
// (sql_common/checkpoint_session.h) over an SQLite Database, and the PositionsTable of a file.
//
// A local file has no "connection lost": a failed COMMIT is a plain error (SQLite keeps or
// rolls back the transaction itself, and the next open finishes the job from the journal).
// Lifecycle: wraps a database the caller owns, on the caller's thread; owns nothing.
#pragma once

#include <string>

#include "connectors/sql_common/checkpoint_session.h"
#include "connectors/sql_common/positions_table.h"
#include "connectors/sqlite/sqlite_handle.h"

namespace sluice::sqlite {

class SqliteCheckpointSession : public sql_common::CheckpointSession {
 public:
  SqliteCheckpointSession(Database& db, std::string describe)
      : db_(db), describe_(std::move(describe)) {}

  Result<int64_t> Exec(std::string_view sql,
                       const std::vector<sql_common::SqlParam>& params) override;
  Result<std::vector<sql_common::SqlRow>> Query(
      std::string_view sql, const std::vector<sql_common::SqlParam>& params) override;
  Status Script(std::string_view sql) override { return db_.Exec(sql).WithContext(describe_); }
  // BEGIN IMMEDIATE: the write lock at once, as the run's first transaction takes it.
  Status Begin() override { return Script("BEGIN IMMEDIATE"); }
  Status Commit() override { return Script("COMMIT"); }
  Status Rollback() override;
  std::string Describe() const override { return describe_; }

 private:
  Result<Statement> Prepare(std::string_view sql, const std::vector<sql_common::SqlParam>& params);

  Database& db_;
  std::string describe_;
};

// `_sluice_positions` in the file (and the old `_sluice_runs` there).
sql_common::PositionsTable SqlitePositionsTable();

}  // namespace sluice::sqlite
