#include "connectors/sql_common/checkpoint_commit.h"

#include <fmt/format.h>

#include "connectors/sql_common/commit_pause.h"

namespace sluice::sql_common {
namespace {

// The fence the target holds for `job`, if it has a run row.
Result<std::optional<int64_t>> HeldFence(CheckpointSession& session, const PositionsTable& table,
                                         const std::string& job) {
  SLUICE_ASSIGN_OR_RETURN(
      std::vector<SqlRow> rows,
      session.Query(fmt::format("SELECT fence FROM {} WHERE job = ?1 AND stream = ''", table.name),
                    {job}));
  if (rows.empty() || rows[0].empty() || !rows[0][0]) return std::optional<int64_t>();
  return std::optional<int64_t>(std::stoll(*rows[0][0]));
}

Result<bool> Exists(CheckpointSession& session, const std::string& exists_sql) {
  if (exists_sql.empty()) return false;
  SLUICE_ASSIGN_OR_RETURN(std::vector<SqlRow> rows, session.Query(exists_sql, {}));
  return !rows.empty();
}

// One try: kOk, or an error; `raced` is set when another process created the run row first.
Status TryRaiseFence(CheckpointSession& session, const PositionsTable& table,
                     const std::string& job, int64_t fence, bool& raced) {
  SLUICE_RETURN_IF_ERROR(session.Begin());
  auto fail = [&](Status st) {
    (void)session.Rollback();
    return st;
  };
  Result<int64_t> matched = session.Exec(
      fmt::format("UPDATE {} SET fence = ?2, updated_at = {} WHERE job = ?1 AND stream = '' AND "
                  "fence <= ?2",
                  table.name, table.now_sql),
      {job, fence});
  if (!matched) return fail(matched.error());
  if (*matched == 0) {
    Result<std::optional<int64_t>> held = HeldFence(session, table, job);
    if (!held) return fail(held.error());
    if (*held) {
      return fail(Status::Conflict(
          "{}: job {}: {} holds fence {}, higher than this run's {}: another process has taken "
          "the job over since this one got its lease, or this run uses a different (or new) "
          "state store than the runs before it; point all runs of a job at one state store "
          "(docs/guarantees.md)",
          session.Describe(), job, table.label, **held, fence));
    }
    Result<int64_t> inserted =
        session.Exec(fmt::format("INSERT INTO {} (job, stream, position, run_id, fence, "
                                 "updated_at) VALUES (?1, '', '', '', ?2, {})",
                                 table.name, table.now_sql),
                     {job, fence});
    if (!inserted) {
      raced = true;
      return fail(inserted.error());
    }
  }
  return session.Commit();
}

std::string LostLease(CheckpointSession& session, const PositionsTable& table,
                      const RunIdentity& run) {
  Result<std::optional<int64_t>> held = HeldFence(session, table, run.job);
  std::string owner = "another process";
  if (held && *held) {
    owner = fmt::format("another process (fence {})", **held);
  } else if (held) {
    owner = fmt::format("nothing (the run row of the job is gone from {})", table.label);
  }
  return fmt::format(
      "{}: run {} lost the lease of job {}: {} owns it; this run's fence is {}, and what it wrote "
      "since its last checkpoint was rolled back",
      session.Describe(), run.run_id, run.job, owner, run.fence);
}

}  // namespace

std::string PositionsTableDdl(const std::string& name, const PositionsColumnTypes& types) {
  return fmt::format(
      "CREATE TABLE IF NOT EXISTS {} (job {} NOT NULL, stream {} NOT NULL, position {} NOT NULL, "
      "run_id {} NOT NULL, fence {} NOT NULL, updated_at {} NOT NULL, "
      "PRIMARY KEY (job, stream)){}",
      name, types.key_text, types.key_text, types.position_text, types.key_text, types.bigint,
      types.timestamp, types.table_options);
}

Status StartRun(CheckpointSession& session, const PositionsTable& table, const std::string& job,
                int64_t fence) {
  SLUICE_RETURN_IF_ERROR(
      session.Script(table.create_sql).WithContext(fmt::format("creating {}", table.label)));
  return RaiseFence(session, table, job, fence);
}

Status RaiseFence(CheckpointSession& session, const PositionsTable& table, const std::string& job,
                  int64_t fence) {
  // The job's first run row can race: two processes (or the tables of one job writing in
  // parallel, whose rows share an index gap that InnoDB locks) insert at once, and one gets a
  // duplicate key or a deadlock. The row, or the neighbour's, is there on the next try.
  constexpr int kTries = 5;
  Status st;
  for (int attempt = 0; attempt < kTries; ++attempt) {
    bool raced = false;
    st = TryRaiseFence(session, table, job, fence, raced);
    if (st.ok() || !raced) break;
  }
  return st;
}

Status CommitCheckpoint(CheckpointSession& session, const PositionsTable& table,
                        const RunIdentity& run, const std::vector<StreamPosition>& positions,
                        bool begin_next) {
  auto fail = [&](Status st) {
    (void)session.Rollback();
    return st;
  };
  // First, so that the run row's lock orders this commit against any other writer of the job
  // and against Recover's fence raise.
  Result<int64_t> matched = session.Exec(
      fmt::format("UPDATE {} SET run_id = ?2, updated_at = {} WHERE job = ?1 AND stream = '' AND "
                  "fence <= ?3",
                  table.name, table.now_sql),
      {run.job, run.run_id, run.fence});
  if (!matched) return fail(matched.error().WithContext(table.label));
  if (*matched != 1) {
    std::string why = LostLease(session, table, run);
    return fail(Status::Conflict("{}", why));
  }
  for (const StreamPosition& p : positions) {
    if (p.stream.empty()) {
      return fail(
          Status::Internal("{}: a stream position without a stream name (\"\" is the run "
                           "row of job {})",
                           session.Describe(), run.job));
    }
    // The run row's lock is held: no other writer of this job can race the INSERT.
    Result<int64_t> updated = session.Exec(
        fmt::format("UPDATE {} SET position = ?3, run_id = ?4, fence = ?5, updated_at = {} "
                    "WHERE job = ?1 AND stream = ?2",
                    table.name, table.now_sql),
        {run.job, p.stream, p.position, run.run_id, run.fence});
    if (updated && *updated == 0) {
      updated = session.Exec(
          fmt::format("INSERT INTO {} (job, stream, position, run_id, fence, updated_at) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, {})",
                      table.name, table.now_sql),
          {run.job, p.stream, p.position, run.run_id, run.fence});
    }
    if (!updated) {
      return fail(updated.error().WithContext(
          fmt::format("{}: position of stream {}", table.label, p.stream)));
    }
  }
  PauseBeforeCommitForTests();
  SLUICE_RETURN_IF_ERROR(session.Commit());
  if (!begin_next) return Status::OK();
  Status begun = session.Begin();
  if (!begun.ok()) {
    // The checkpoint did commit, but the run cannot go on. Said as an unknown outcome so that
    // the engine leaves the run pending and Recover confirms it from the run row, rather than
    // discarding a run whose rows are in the target.
    return Status(StatusCode::kOutcomeUnknown,
                  fmt::format("{}: checkpoint of run {} committed, but the next transaction "
                              "could not begin: {}",
                              session.Describe(), run.run_id, begun.message()),
                  begun.retryable());
  }
  return Status::OK();
}

Result<bool> RecoverRun(CheckpointSession& session, const PositionsTable& table,
                        const PendingRun& pending, const std::function<Status()>& stop_old_writer) {
  if (!pending.job_name.empty()) {
    SLUICE_RETURN_IF_ERROR(StartRun(session, table, pending.job_name, pending.fence));
  }
  if (stop_old_writer) SLUICE_RETURN_IF_ERROR(stop_old_writer());
  SLUICE_ASSIGN_OR_RETURN(bool exists, Exists(session, table.exists_sql));
  if (exists) {
    // By run id alone: run ids are unique, and an old pending record may lack its job.
    SLUICE_ASSIGN_OR_RETURN(
        std::vector<SqlRow> rows,
        session.Query(fmt::format("SELECT 1 FROM {} WHERE stream = '' AND run_id = ?1", table.name),
                      {pending.run_id}));
    if (!rows.empty()) return true;
  }
  SLUICE_ASSIGN_OR_RETURN(bool legacy, Exists(session, table.legacy_exists_sql));
  if (!legacy) return false;
  SLUICE_ASSIGN_OR_RETURN(
      std::vector<SqlRow> rows,
      session.Query(fmt::format("SELECT 1 FROM {} WHERE run_id = ?1", table.legacy_name),
                    {pending.run_id}));
  return !rows.empty();
}

Result<std::vector<StreamPosition>> ReadPositions(CheckpointSession& session,
                                                  const PositionsTable& table,
                                                  const std::string& job) {
  std::vector<StreamPosition> positions;
  SLUICE_ASSIGN_OR_RETURN(bool exists, Exists(session, table.exists_sql));
  if (!exists) return positions;
  SLUICE_ASSIGN_OR_RETURN(
      std::vector<SqlRow> rows,
      session.Query(fmt::format("SELECT stream, position FROM {} WHERE job = ?1 AND stream <> '' "
                                "ORDER BY stream",
                                table.name),
                    {job}));
  for (const SqlRow& row : rows) {
    positions.push_back(StreamPosition{row[0].value_or(""), row[1].value_or("")});
  }
  return positions;
}

}  // namespace sluice::sql_common
