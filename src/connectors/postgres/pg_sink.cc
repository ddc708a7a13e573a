#include "connectors/postgres/pg_sink.h"

#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "connectors/postgres/pg_checkpoint_session.h"
#include "connectors/postgres/pg_sink_writer.h"
#include "connectors/postgres/pg_table.h"
#include "connectors/sql_common/checkpoint_commit.h"

namespace sluice::postgres {
namespace {

constexpr auto kRecoverWait = std::chrono::seconds(30);
// How long Recover waits for the run row's lock before it ends the killed run's writer,
// which may hold it (it was paused between its fence check and its COMMIT).
constexpr const char* kRecoverLockTimeout = "SET lock_timeout = '5s'";
constexpr const char* kLockNotAvailable = "55P03";

// The schema of a quoted "schema"."table" (a sink_state: this run's _sluice_positions, or
// the _sluice_runs of a run pending since before positions); nullopt for anything else.
std::optional<std::string> SchemaOf(const std::string& qualified) {
  if (qualified.empty() || qualified[0] != '"') return std::nullopt;
  std::string schema;
  for (size_t i = 1; i < qualified.size(); ++i) {
    if (qualified[i] != '"') {
      schema += qualified[i];
    } else if (i + 1 < qualified.size() && qualified[i + 1] == '"') {
      schema += '"';
      ++i;
    } else {
      if (i + 1 < qualified.size() && qualified[i + 1] == '.') return schema;
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

std::string WriterApplicationName(const std::string& run_id) {
  std::string name = "sluice " + run_id;
  if (name.size() > 63) name.resize(63);
  return name;
}

PgSink::~PgSink() {
  (void)Abort();
}

Result<std::vector<std::string>> PgSink::Plan(const WriteRequest& request) {
  SLUICE_ASSIGN_OR_RETURN(PgConnection conn, PgConnection::Connect(config_.url, "sluice check"));
  SLUICE_ASSIGN_OR_RETURN(TargetPlan plan, BuildTargetPlan(conn, config_, request));
  const sql_common::PositionsTable positions = PgPositionsTable(plan.schema);
  std::vector<std::string> steps;
  steps.push_back(positions.create_sql);
  steps.push_back(fmt::format("raise the fence of job {} in {} (its own transaction)",
                              request.job_name, positions.label));
  steps.push_back("BEGIN");
  if (plan.ddl.empty()) {
    steps.push_back(fmt::format("table {} exists; columns match", plan.label));
  }
  for (const std::string& sql : plan.ddl) steps.push_back(sql);
  for (const std::string& sql : config_.pre_sql) steps.push_back(sql);
  if (!plan.truncate_sql.empty()) steps.push_back(plan.truncate_sql);
  if (!plan.staging_ddl.empty()) steps.push_back(plan.staging_ddl);
  steps.push_back(plan.CopySql() + " -- streamed, one savepoint per 32 MiB");
  if (!plan.merge_sql.empty()) steps.push_back(plan.merge_sql);
  for (const std::string& sql : config_.post_sql) steps.push_back(sql);
  steps.push_back(
      fmt::format("UPDATE {} SET run_id = <run id> WHERE job = <job> AND stream = '' "
                  "AND fence <= <fence> -- one row, or the lease was lost",
                  positions.name));
  steps.push_back("COMMIT");
  conn.Recycle();  // read-only use: idle, reusable by the next table's check
  return steps;
}

Result<std::string> PgSink::Prepare(const WriteRequest& request) {
  SLUICE_RETURN_IF_ERROR(Abort());
  request_ = request;
  SLUICE_ASSIGN_OR_RETURN(
      conn_, PgConnection::Connect(config_.url, WriterApplicationName(request.run_id)));
  // The positions table and the fence first, each committed on its own: creating the table
  // inside the run's transaction would hold a lock on the schema's catalog for the whole run,
  // and a raised fence must hold even if this run fails.
  {
    // A realtime run follows columns its source gained (AddColumns); after a kill between the
    // checkpoint before such a change and the ALTER, the table lacks them still.
    if (request_.realtime) {
      if (Status added = AddMissingColumns(request_.schema.Names()); !added.ok()) {
        (void)Abort();
        return Err(std::move(added));
      }
    }
    SLUICE_ASSIGN_OR_RETURN(TargetPlan probe, BuildTargetPlan(conn_, config_, request_));
    positions_ = PgPositionsTable(probe.schema);
    PgCheckpointSession session(conn_, "postgres target " + probe.label);
    Status started = sql_common::StartRun(session, positions_, request_.job_name, request_.fence);
    if (!started.ok()) {
      (void)Abort();
      return Err(std::move(started));
    }
  }
  Status st = conn_.Exec("BEGIN", "postgres target");
  if (st.ok()) {
    // Again inside the transaction: the checks must hold for what we write.
    Result<TargetPlan> plan = BuildTargetPlan(conn_, config_, request_);
    if (plan) {
      plan_ = std::move(*plan);
      st = PrepareInTransaction();
    } else {
      st = plan.error();
    }
  }
  if (!st.ok()) {
    (void)Abort();
    return Err(std::move(st));
  }
  return positions_.name;
}

Status PgSink::AddMissingColumns(const std::vector<std::string>& columns) {
  SLUICE_ASSIGN_OR_RETURN(std::vector<std::string> ddl,
                          AddColumnsSql(conn_, config_, request_, columns));
  for (const std::string& sql : ddl) {
    SLUICE_RETURN_IF_ERROR(conn_.Exec(sql, "postgres target: following the source's columns"));
  }
  return Status::OK();
}

Status PgSink::AddColumns(const WriteRequest& request, const std::vector<std::string>& columns) {
  if (!conn_.InTransaction()) return Status::Internal("postgres target: AddColumns before Prepare");
  // Nothing is staged since the checkpoint the engine just took: its transaction holds only the
  // staging table, which the plan of the new schema makes again.
  SLUICE_RETURN_IF_ERROR(conn_.Exec("ROLLBACK", Context()));
  request_ = request;
  SLUICE_RETURN_IF_ERROR(AddMissingColumns(columns));
  SLUICE_RETURN_IF_ERROR(conn_.Exec("BEGIN", Context()));
  SLUICE_ASSIGN_OR_RETURN(plan_, BuildTargetPlan(conn_, config_, request_));
  if (!plan_.staging_ddl.empty()) {
    SLUICE_RETURN_IF_ERROR(conn_.Exec(plan_.staging_ddl, Context() + ": staging table"));
  }
  return Status::OK();
}

Status PgSink::PrepareInTransaction() {
  for (const std::string& sql : plan_.ddl) SLUICE_RETURN_IF_ERROR(conn_.Exec(sql, Context()));
  for (const std::string& sql : config_.pre_sql) {
    SLUICE_RETURN_IF_ERROR(conn_.Exec(sql, Context() + ": pre_sql"));
  }
  // Inside the run's transaction: the old rows disappear only if the new ones commit.
  if (!plan_.truncate_sql.empty()) {
    SLUICE_RETURN_IF_ERROR(conn_.Exec(plan_.truncate_sql, Context()));
  }
  if (!plan_.staging_ddl.empty()) {
    SLUICE_RETURN_IF_ERROR(conn_.Exec(plan_.staging_ddl, Context() + ": staging table"));
  }
  return Status::OK();
}

Result<std::optional<std::string>> PgSink::EncodedFill() {
  if (!plan_.fill_value) return std::optional<std::string>();
  if (!plan_.binary) return plan_.fill_value;
  // The server turns the value into the partition column's binary form, whatever its type.
  SLUICE_ASSIGN_OR_RETURN(
      PgResult r, conn_.QueryBinary(fmt::format("SELECT {}::{}", QuoteLiteral(*plan_.fill_value),
                                                plan_.fill_type),
                                    Context() + ": partition value"));
  return std::optional<std::string>(
      std::string(PQgetvalue(r.get(), 0, 0), static_cast<size_t>(PQgetlength(r.get(), 0, 0))));
}

Result<std::unique_ptr<SinkWriter>> PgSink::OpenWriter() {
  if (!conn_.InTransaction()) {
    return Err(Status::Internal("postgres target: OpenWriter before Prepare"));
  }
  SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> fill, EncodedFill());
  return std::unique_ptr<SinkWriter>(new PgSinkWriter(
      conn_, plan_, request_.schema, std::move(fill), config_.copy_buffer_bytes, &staged_));
}

Status PgSink::Checkpoint(const std::vector<StreamPosition>& positions) {
  if (request_.mode == WriteMode::kOverwrite) {
    return Status::Invalid(
        "{}: write_mode overwrite cannot checkpoint: the first checkpoint would commit the "
        "TRUNCATE and leave the table holding only part of the rows; use append, upsert, "
        "replace or ignore for a run that goes on",
        Context());
  }
  SLUICE_RETURN_IF_ERROR(CommitRun(positions, /*final=*/false));
  // ON COMMIT DROP took the staging table with the commit; the writer's next COPY needs it.
  if (!plan_.staging_ddl.empty()) {
    SLUICE_RETURN_IF_ERROR(conn_.Exec(plan_.staging_ddl, Context() + ": staging table"));
  }
  return Status::OK();
}

Status PgSink::CommitWithPositions(const std::vector<StreamPosition>& positions) {
  SLUICE_RETURN_IF_ERROR(CommitRun(positions, /*final=*/true));
  conn_.Recycle();
  return Status::OK();
}

Status PgSink::CommitRun(const std::vector<StreamPosition>& positions, bool final) {
  if (!conn_.InTransaction()) return Status::Internal("postgres target: commit without Prepare");
  SLUICE_RETURN_IF_ERROR(MergeStaged(conn_, plan_, staged_, Context(), /*empty_stage=*/false));
  if (final) {
    for (const std::string& sql : config_.post_sql) {
      SLUICE_RETURN_IF_ERROR(conn_.Exec(sql, Context() + ": post_sql"));
    }
  }
  PgCheckpointSession session(conn_, Context());
  return sql_common::CommitCheckpoint(
      session, positions_,
      sql_common::RunIdentity{request_.job_name, request_.run_id, request_.fence}, positions,
      /*begin_next=*/!final);
}

Status PgSink::Abort() {
  Status st;
  if (conn_ && conn_.Healthy() && conn_.InTransaction()) {
    st = conn_.Exec("ROLLBACK", "postgres target: rollback");
  }
  conn_ = PgConnection();
  return st;
}

Result<std::string> PgSink::PositionsSchema(PgConnection& conn, const std::string& sink_state) {
  if (std::optional<std::string> schema = SchemaOf(sink_state)) return *schema;
  if (!config_.table.schema.empty()) return config_.table.schema;
  SLUICE_ASSIGN_OR_RETURN(std::optional<PgTable> table, LoadTable(conn, config_.table));
  if (table) return table->schema;
  return CurrentSchema(conn);
}

Status PgSink::StopWriter(PgConnection& conn, const std::string& run_id) {
  // A writer of the killed run may still be open on the server (its client died, the server
  // has not noticed yet). Its transaction can no longer commit (the fence was raised), but if
  // the COMMIT was already sent it may still be finishing: end it and wait, so the run row
  // read after this sees the final state.
  const std::string app = WriterApplicationName(run_id);
  Result<PgResult> terminated = conn.Query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
      "application_name = $1 AND pid <> pg_backend_pid()",
      "postgres target: recover", {app});
  if (!terminated) return terminated.error();
  const auto deadline = std::chrono::steady_clock::now() + kRecoverWait;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(PgResult left,
                            conn.Query("SELECT count(*) FROM pg_stat_activity WHERE "
                                       "application_name = $1 AND pid <> pg_backend_pid()",
                                       "postgres target: recover", {app}));
    if (left.Int(0, 0) == 0) return Status::OK();
    if (std::chrono::steady_clock::now() > deadline) {
      return Status(StatusCode::kConflict,
                    fmt::format("postgres target: the writer of run {} is still connected "
                                "to {}; retry once it is gone",
                                run_id, config_.target.Describe()),
                    /*retryable=*/true);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

Result<bool> PgSink::Recover(const PendingRun& pending) {
  SLUICE_ASSIGN_OR_RETURN(PgConnection conn, PgConnection::Connect(config_.url, "sluice recover"));
  SLUICE_ASSIGN_OR_RETURN(std::string schema, PositionsSchema(conn, pending.sink_state));
  const sql_common::PositionsTable positions = PgPositionsTable(schema);
  PgCheckpointSession session(conn, "postgres target: recover");
  SLUICE_RETURN_IF_ERROR(conn.Exec(kRecoverLockTimeout, "postgres target: recover"));
  auto stop = [&] { return StopWriter(conn, pending.run_id); };
  Result<bool> found = sql_common::RecoverRun(session, positions, pending, stop);
  if (!found && session.last_state() == kLockNotAvailable) {
    // The killed run's writer holds the run row (it checked its fence and had not yet
    // committed): end it first, then raise the fence. Its transaction dies with it; should
    // its process reconnect and commit before the raise, the run row will say so below.
    SLUICE_RETURN_IF_ERROR(stop());
    SLUICE_RETURN_IF_ERROR(conn.Exec("SET lock_timeout = 0", "postgres target: recover"));
    found = sql_common::RecoverRun(session, positions, pending, stop);
  }
  // Not recycled: the session's lock_timeout stays with this connection.
  return found;
}

Result<std::vector<StreamPosition>> PgSink::CommittedPositions(const std::string& job) {
  SLUICE_ASSIGN_OR_RETURN(PgConnection conn, PgConnection::Connect(config_.url, "sluice check"));
  SLUICE_ASSIGN_OR_RETURN(std::string schema, PositionsSchema(conn, ""));
  PgCheckpointSession session(conn, "postgres target " + config_.target.Describe());
  SLUICE_ASSIGN_OR_RETURN(std::vector<StreamPosition> positions,
                          sql_common::ReadPositions(session, PgPositionsTable(schema), job));
  conn.Recycle();
  return positions;
}

}  // namespace sluice::postgres
