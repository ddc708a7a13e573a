#include "connectors/postgres/pg_checkpoint_session.h"

#include <fmt/format.h>

#include "connectors/sql_common/checkpoint_commit.h"
#include "connectors/sql_common/sql_params.h"

namespace sluice::postgres {
namespace {

// Serializes the creation of sluice's tables in a target across processes and threads.
constexpr int64_t kMarkerDdlLock = 0x736c756963650001;  // "sluice" 1

bool ConnectionLost(const std::string& state) {
  return state.starts_with("08") || state == "57P01";
}

}  // namespace

Result<PgResult> PgCheckpointSession::Run(std::string_view sql,
                                          const std::vector<sql_common::SqlParam>& params) {
  const std::string text =
      sql_common::RewriteParams(sql, [](size_t i) { return fmt::format("${}", i + 1); });
  std::vector<std::string> texts;
  texts.reserve(params.size());
  for (const sql_common::SqlParam& p : params) texts.push_back(sql_common::ParamText(p));
  std::vector<const char*> values;
  for (const std::string& t : texts) values.push_back(t.c_str());
  auto busy = conn_.Busy();
  PgResult r(PQexecParams(conn_.get(), text.c_str(), static_cast<int>(values.size()), nullptr,
                          values.data(), nullptr, nullptr, /*resultFormat=*/0));
  const ExecStatusType st = r ? r.status() : PGRES_FATAL_ERROR;
  if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
    last_state_.clear();
    return r;
  }
  last_state_ = SqlState(r.get());
  return Err(conn_.Explain(ResultError(r.get(), conn_.get(), describe_)));
}

Result<int64_t> PgCheckpointSession::Exec(std::string_view sql,
                                          const std::vector<sql_common::SqlParam>& params) {
  SLUICE_ASSIGN_OR_RETURN(PgResult r, Run(sql, params));
  const char* tuples = PQcmdTuples(r.get());
  return tuples != nullptr && *tuples != '\0' ? std::stoll(tuples) : 0;
}

Result<std::vector<sql_common::SqlRow>> PgCheckpointSession::Query(
    std::string_view sql, const std::vector<sql_common::SqlParam>& params) {
  SLUICE_ASSIGN_OR_RETURN(PgResult r, Run(sql, params));
  std::vector<sql_common::SqlRow> rows;
  const int cols = PQnfields(r.get());
  for (int i = 0; i < r.rows(); ++i) {
    sql_common::SqlRow& row = rows.emplace_back();
    for (int c = 0; c < cols; ++c) {
      row.push_back(r.IsNull(i, c) ? std::nullopt : std::optional<std::string>(r.Str(i, c)));
    }
  }
  return rows;
}

Status PgCheckpointSession::Commit() {
  auto busy = conn_.Busy();
  PgResult r(PQexec(conn_.get(), "COMMIT"));
  const std::string state = SqlState(r.get());
  if (r && r.status() == PGRES_COMMAND_OK) {
    // COMMIT of a transaction that had failed answers ROLLBACK.
    if (std::string_view(PQcmdStatus(r.get())) == "ROLLBACK") {
      return Status::Internal(
          "{}: COMMIT rolled back: an earlier statement of the transaction "
          "had failed",
          describe_);
    }
    return Status::OK();
  }
  Status error = conn_.Explain(ResultError(r.get(), conn_.get(), describe_ + ": COMMIT"));
  if (!r || PQstatus(conn_.get()) != CONNECTION_OK || ConnectionLost(state)) {
    return Status(StatusCode::kOutcomeUnknown,
                  fmt::format("{} (the connection broke while COMMIT was in flight: it may or may "
                              "not have landed)",
                              error.message()),
                  /*retryable=*/true);
  }
  return error;
}

Status PgCheckpointSession::Rollback() {
  if (!conn_ || !conn_.Healthy() || !conn_.InTransaction()) return Status::OK();
  return conn_.Exec("ROLLBACK", describe_ + ": rollback");
}

sql_common::PositionsTable PgPositionsTable(const std::string& schema) {
  sql_common::PositionsTable t;
  t.name = QualifiedName(schema, sql_common::kPositionsTable);
  t.label = fmt::format("{}.{}", schema, sql_common::kPositionsTable);
  t.create_sql = fmt::format("BEGIN; SELECT pg_advisory_xact_lock({}); {}; COMMIT", kMarkerDdlLock,
                             sql_common::PositionsTableDdl(t.name, {.key_text = "text",
                                                                    .position_text = "text",
                                                                    .bigint = "bigint",
                                                                    .timestamp = "timestamptz",
                                                                    .table_options = ""}));
  t.exists_sql = fmt::format("SELECT 1 WHERE to_regclass({}) IS NOT NULL", QuoteLiteral(t.name));
  t.now_sql = "now()";
  t.legacy_name = QualifiedName(schema, sql_common::kLegacyRunsTable);
  t.legacy_exists_sql =
      fmt::format("SELECT 1 WHERE to_regclass({}) IS NOT NULL", QuoteLiteral(t.legacy_name));
  return t;
}

}  // namespace sluice::postgres
