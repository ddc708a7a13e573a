#include "connectors/postgres/pg_sink.h"

#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "connectors/postgres/pg_sink_writer.h"
#include "connectors/postgres/pg_table.h"

namespace sluice::postgres {
namespace {

std::string RunsDdl(const std::string& marker_table) {
  return fmt::format(
      "CREATE TABLE IF NOT EXISTS {} (job text NOT NULL, run_id text PRIMARY KEY, "
      "committed_at timestamptz NOT NULL DEFAULT now())",
      marker_table);
}

constexpr auto kRecoverWait = std::chrono::seconds(30);
// Serializes the creation of marker tables across sluice processes and threads.
constexpr int64_t kMarkerDdlLock = 0x736c756963650001;  // "sluice" 1

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
  std::vector<std::string> steps;
  steps.push_back(RunsDdl(plan.marker_table));
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
      fmt::format("INSERT INTO {} (job, run_id) VALUES (<job>, <run id>)", plan.marker_table));
  steps.push_back("COMMIT");
  conn.Recycle();  // read-only use: idle, reusable by the next table's check
  return steps;
}

Result<std::string> PgSink::Prepare(const WriteRequest& request) {
  SLUICE_RETURN_IF_ERROR(Abort());
  request_ = request;
  SLUICE_ASSIGN_OR_RETURN(
      conn_, PgConnection::Connect(config_.url, WriterApplicationName(request.run_id)));
  // The marker table first, in its own statement: creating it inside the run's transaction
  // would hold a lock on the schema's catalog for the whole run.
  {
    SLUICE_ASSIGN_OR_RETURN(TargetPlan probe, BuildTargetPlan(conn_, config_, request_));
    // Under a transaction-scoped advisory lock: CREATE TABLE IF NOT EXISTS is not safe
    // against itself, and the tables of a multi-table job prepare at the same time.
    SLUICE_RETURN_IF_ERROR(
        conn_.Exec(fmt::format("BEGIN; SELECT pg_advisory_xact_lock({}); {}; COMMIT",
                               kMarkerDdlLock, RunsDdl(probe.marker_table)),
                   "postgres target: creating " + probe.marker_table));
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
  return plan_.marker_table;
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
  return std::unique_ptr<SinkWriter>(
      new PgSinkWriter(conn_, plan_, request_.schema, std::move(fill), config_.copy_buffer_bytes));
}

Status PgSink::Commit() {
  if (!conn_.InTransaction()) return Status::Internal("postgres target: Commit without Prepare");
  if (!plan_.merge_sql.empty()) {
    SLUICE_RETURN_IF_ERROR(conn_.Exec(plan_.merge_sql, Context() + ": merging the staged rows"));
  }
  for (const std::string& sql : config_.post_sql) {
    SLUICE_RETURN_IF_ERROR(conn_.Exec(sql, Context() + ": post_sql"));
  }
  Result<PgResult> marker =
      conn_.Query(fmt::format("INSERT INTO {} (job, run_id) VALUES ($1, $2)", plan_.marker_table),
                  fmt::format("{}: run marker {} (was this run already committed?)", Context(),
                              request_.run_id),
                  {request_.job_name, request_.run_id});
  if (!marker) return marker.error();
  SLUICE_RETURN_IF_ERROR(conn_.Exec("COMMIT", Context() + ": commit"));
  conn_.Recycle();
  return Status::OK();
}

Status PgSink::Abort() {
  Status st;
  if (conn_ && conn_.Healthy() && conn_.InTransaction()) {
    st = conn_.Exec("ROLLBACK", "postgres target: rollback");
  }
  conn_ = PgConnection();
  return st;
}

Result<bool> PgSink::Recover(const PendingRun& pending) {
  SLUICE_ASSIGN_OR_RETURN(PgConnection conn, PgConnection::Connect(config_.url, "sluice recover"));
  // A writer of the killed run may still be open on the server (its client died, the server
  // has not noticed yet). Its transaction can no longer commit (only its client could send
  // COMMIT), but if the COMMIT was already sent it may still be finishing: end it and wait,
  // so the marker check below sees the final state.
  const std::string app = WriterApplicationName(pending.run_id);
  Result<PgResult> terminated = conn.Query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
      "application_name = $1 AND pid <> pg_backend_pid()",
      "postgres target: recover", {app});
  if (!terminated) return Err(terminated.error());
  const auto deadline = std::chrono::steady_clock::now() + kRecoverWait;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(PgResult left,
                            conn.Query("SELECT count(*) FROM pg_stat_activity WHERE "
                                       "application_name = $1 AND pid <> pg_backend_pid()",
                                       "postgres target: recover", {app}));
    if (left.Int(0, 0) == 0) break;
    if (std::chrono::steady_clock::now() > deadline) {
      return Err(Status(StatusCode::kConflict,
                        fmt::format("postgres target: the writer of run {} is still connected "
                                    "to {}; retry once it is gone",
                                    pending.run_id, config_.target.Describe()),
                        /*retryable=*/true));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::string marker_table = pending.sink_state;
  if (marker_table.empty()) {
    std::string schema = config_.table.schema;
    if (schema.empty()) {
      SLUICE_ASSIGN_OR_RETURN(std::optional<PgTable> table, LoadTable(conn, config_.table));
      if (table) {
        schema = table->schema;
      } else {
        SLUICE_ASSIGN_OR_RETURN(schema, CurrentSchema(conn));
      }
    }
    marker_table = QualifiedName(schema, kRunsTable);
  }
  SLUICE_ASSIGN_OR_RETURN(PgResult exists, conn.Query("SELECT to_regclass($1) IS NOT NULL",
                                                      "postgres target: recover", {marker_table}));
  if (!exists.Bool(0, 0)) return false;
  SLUICE_ASSIGN_OR_RETURN(
      PgResult found, conn.Query(fmt::format("SELECT 1 FROM {} WHERE run_id = $1", marker_table),
                                 "postgres target: recover", {pending.run_id}));
  return found.rows() > 0;
}

}  // namespace sluice::postgres
