#include "connectors/mysql/mysql_checkpoint_session.h"

#include <errmsg.h>

#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "connectors/sql_common/checkpoint_commit.h"
#include "connectors/sql_common/sql_params.h"

namespace sluice::mysql {
namespace {

// "Rows matched: 1  Changed: 0  Warnings: 0" -> 1; -1 without it.
int64_t RowsMatched(const char* info) {
  if (info == nullptr) return -1;
  const char* at = std::strstr(info, "Rows matched: ");
  if (at == nullptr) return -1;
  return std::strtoll(at + 14, nullptr, 10);
}

}  // namespace

std::string MysqlCheckpointSession::Bind(std::string_view sql,
                                         const std::vector<sql_common::SqlParam>& params) const {
  return sql_common::RewriteParams(sql, [&](size_t i) {
    if (i >= params.size()) return std::string("NULL");
    if (const int64_t* n = std::get_if<int64_t>(&params[i])) return std::to_string(*n);
    return QuoteString(std::get<std::string>(params[i]));
  });
}

Result<int64_t> MysqlCheckpointSession::Exec(std::string_view sql,
                                             const std::vector<sql_common::SqlParam>& params) {
  SLUICE_RETURN_IF_ERROR(conn_.Exec(Bind(sql, params)).WithContext(describe_));
  const int64_t matched = RowsMatched(mysql_info(conn_.get()));
  if (matched >= 0) return matched;
  return static_cast<int64_t>(mysql_affected_rows(conn_.get()));
}

Result<std::vector<sql_common::SqlRow>> MysqlCheckpointSession::Query(
    std::string_view sql, const std::vector<sql_common::SqlParam>& params) {
  Result<std::vector<Row>> rows = conn_.Query(Bind(sql, params));
  if (!rows) return Err(rows.error().WithContext(describe_));
  return std::move(*rows);
}

Status MysqlCheckpointSession::Script(std::string_view sql) {
  return conn_.Exec(sql).WithContext(describe_);
}

Status MysqlCheckpointSession::Begin() {
  return conn_.Exec("START TRANSACTION").WithContext(describe_);
}

Status MysqlCheckpointSession::Commit() {
  Status st = conn_.Exec("COMMIT");
  if (st.ok()) return st;
  const unsigned code = mysql_errno(conn_.get());
  if (code == CR_SERVER_LOST || code == CR_SERVER_GONE_ERROR) {
    return Status(StatusCode::kOutcomeUnknown,
                  fmt::format("{}: COMMIT: {} (the connection broke while COMMIT was in flight: "
                              "it may or may not have landed)",
                              describe_, st.message()),
                  /*retryable=*/true);
  }
  return st.WithContext(describe_ + ": COMMIT");
}

Status MysqlCheckpointSession::Rollback() {
  if (!conn_) return Status::OK();
  return conn_.Exec("ROLLBACK").WithContext(describe_ + ": rollback");
}

sql_common::PositionsTable MysqlPositionsTable(const std::string& db) {
  sql_common::PositionsTable t;
  t.name = QuoteQualified(db, std::string(sql_common::kPositionsTable));
  t.label = fmt::format("{}.{}", db, sql_common::kPositionsTable);
  // utf8mb4 VARCHAR(255) twice keeps the primary key within InnoDB's 3072 bytes.
  t.create_sql = sql_common::PositionsTableDdl(
      t.name, {.key_text = "VARCHAR(255)",
               .position_text = "TEXT",
               .bigint = "BIGINT",
               .timestamp = "DATETIME(6)",
               .table_options = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"});
  auto exists = [&](std::string_view table) {
    return fmt::format(
        "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = {} AND TABLE_NAME = {}",
        QuoteString(db), QuoteString(table));
  };
  t.exists_sql = exists(sql_common::kPositionsTable);
  t.now_sql = "UTC_TIMESTAMP(6)";
  t.legacy_name = QuoteQualified(db, std::string(sql_common::kLegacyRunsTable));
  t.legacy_exists_sql = exists(sql_common::kLegacyRunsTable);
  return t;
}

}  // namespace sluice::mysql
