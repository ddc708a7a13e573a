#include "connectors/sqlite/sqlite_checkpoint_session.h"

#include <fmt/format.h>

#include "connectors/sql_common/checkpoint_commit.h"

namespace sluice::sqlite {

Result<Statement> SqliteCheckpointSession::Prepare(
    std::string_view sql, const std::vector<sql_common::SqlParam>& params) {
  Result<Statement> stmt = db_.Prepare(sql);
  if (!stmt) return Err(stmt.error().WithContext(describe_));
  for (size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    const SqlValue value = std::holds_alternative<int64_t>(params[i])
                               ? SqlValue::Int(std::get<int64_t>(params[i]))
                               : SqlValue::Text(std::get<std::string>(params[i]));
    SLUICE_RETURN_IF_ERROR(stmt->Bind(index, value));
  }
  return stmt;
}

Result<int64_t> SqliteCheckpointSession::Exec(std::string_view sql,
                                              const std::vector<sql_common::SqlParam>& params) {
  SLUICE_ASSIGN_OR_RETURN(Statement stmt, Prepare(sql, params));
  Result<bool> stepped = stmt.Step();
  if (!stepped) return Err(stepped.error().WithContext(describe_));
  // sqlite3_changes counts every row the WHERE matched, changed or not.
  return static_cast<int64_t>(sqlite3_changes(db_.get()));
}

Result<std::vector<sql_common::SqlRow>> SqliteCheckpointSession::Query(
    std::string_view sql, const std::vector<sql_common::SqlParam>& params) {
  SLUICE_ASSIGN_OR_RETURN(Statement stmt, Prepare(sql, params));
  std::vector<sql_common::SqlRow> rows;
  while (true) {
    Result<bool> row = stmt.Step();
    if (!row) return Err(row.error().WithContext(describe_));
    if (!*row) break;
    sql_common::SqlRow& out = rows.emplace_back();
    const int cols = sqlite3_column_count(stmt.get());
    for (int c = 0; c < cols; ++c) {
      const SqlValue v = ColumnValue(stmt.get(), c);
      switch (v.kind) {
        case SqlValue::Kind::kNull:
          out.emplace_back();
          break;
        case SqlValue::Kind::kInt:
          out.emplace_back(std::to_string(v.i));
          break;
        case SqlValue::Kind::kReal:
          out.emplace_back(fmt::format("{}", v.r));
          break;
        default:
          out.emplace_back(v.s);
      }
    }
  }
  return rows;
}

Status SqliteCheckpointSession::Rollback() {
  if (!db_.InTransaction()) return Status::OK();
  return Script("ROLLBACK");
}

sql_common::PositionsTable SqlitePositionsTable() {
  sql_common::PositionsTable t;
  t.name = QuoteIdent(sql_common::kPositionsTable);
  t.label = std::string(sql_common::kPositionsTable);
  t.create_sql = sql_common::PositionsTableDdl(t.name, {.key_text = "TEXT",
                                                        .position_text = "TEXT",
                                                        .bigint = "INTEGER",
                                                        .timestamp = "TEXT",
                                                        .table_options = ""});
  auto exists = [](std::string_view table) {
    return fmt::format("SELECT 1 FROM pragma_table_list WHERE schema = 'main' AND name = {}",
                       QuoteText(table));
  };
  t.exists_sql = exists(sql_common::kPositionsTable);
  t.now_sql = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
  t.legacy_name = QuoteIdent(sql_common::kLegacyRunsTable);
  t.legacy_exists_sql = exists(sql_common::kLegacyRunsTable);
  return t;
}

}  // namespace sluice::sqlite
