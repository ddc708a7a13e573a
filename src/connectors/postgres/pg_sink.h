// PgSink: writes rows into one PostgreSQL table (or one LIST partition of it), in one
// transaction per run, or per checkpoint for a run that goes on (SupportsCheckpoints()).
//
// Lifecycle (core/sink.h), all on the engine's main thread except PgSinkWriter::Write:
//   Recover()  -> raise the job's fence in <schema>._sluice_positions to the recovering
//                 owner's token (committed), then stop a writer a killed run may have left on
//                 the server (found by its application_name, "sluice <run_id>"), then: is the
//                 run the job's last committed one? (sql_common/checkpoint_commit.h)
//   Prepare()  -> connect, create _sluice_positions if needed and raise the job's fence (a
//                 short transaction of its own), for a realtime run add the columns of the
//                 schema the table lacks (a source's ADD COLUMN, see AddColumns), BEGIN, create or
//                 check the table (and the partition), pre_sql (once per run), TRUNCATE (overwrite)
//                 or the staging table (upsert, replace, ignore)
//   OpenWriter() once: COPY batches (pg_sink_writer.h); Finish()
//   Checkpoint() -> the staging merge, the run row (fence-checked) and the stream positions,
//                 COMMIT, BEGIN, the staging table again (it is ON COMMIT DROP); the writer
//                 starts a new COPY in the new transaction at its next Write()
//   Commit()   -> the staging merge, post_sql (at the final commit only: it runs once per
//                 run, like pre_sql), the run row, COMMIT; or Abort() -> ROLLBACK
// The run row and positions commit in the same transaction as the data, so after a kill -9
// both are there or neither is: every write mode is exactly-once when the engine asks
// Recover() before running again. PostgreSQL rolls back the transaction of a connection that
// dies. A COMMIT cut by a broken connection returns kOutcomeUnknown. Overwrite cannot
// checkpoint (its TRUNCATE would commit with the first checkpoint): refused with kInvalid.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/postgres/pg_config.h"
#include "connectors/postgres/pg_connection.h"
#include "connectors/postgres/pg_target.h"
#include "connectors/sql_common/positions_table.h"
#include "core/sink.h"

namespace sluice::postgres {

class PgSink : public Sink {
 public:
  explicit PgSink(PgConfig config) : config_(std::move(config)) {}
  ~PgSink() override;

  Result<bool> Recover(const PendingRun& pending) override;
  Result<std::string> Prepare(const WriteRequest& request) override;
  int MaxWriters() const override { return 1; }
  Result<std::unique_ptr<SinkWriter>> OpenWriter() override;
  Status Commit() override { return CommitWithPositions({}); }
  Status Abort() override;
  bool SupportsCheckpoints() const override { return true; }
  Status Checkpoint(const std::vector<StreamPosition>& positions) override;
  Status CommitWithPositions(const std::vector<StreamPosition>& positions) override;
  Result<std::vector<StreamPosition>> CommittedPositions(const std::string& job) override;
  // Between checkpoints: ends the empty transaction, adds the missing columns (each ALTER
  // commits on its own), begins the next transaction with the plan of the new schema.
  Status AddColumns(const WriteRequest& request, const std::vector<std::string>& columns) override;
  Result<std::vector<std::string>> Plan(const WriteRequest& request) override;
  std::string Describe() const override { return config_.Describe(); }

 private:
  Status PrepareInTransaction();
  // Adds the columns of request_.schema named in `columns` that the table lacks (autocommit).
  Status AddMissingColumns(const std::vector<std::string>& columns);
  // Commits the open transaction with the run row and `positions`; `final` runs post_sql and
  // begins no next transaction.
  Status CommitRun(const std::vector<StreamPosition>& positions, bool final);
  // The schema whose _sluice_positions holds `sink_state`'s run (or the target's, when empty).
  Result<std::string> PositionsSchema(PgConnection& conn, const std::string& sink_state);
  // Ends the backends of a killed run's writer and waits until they are gone.
  Status StopWriter(PgConnection& conn, const std::string& run_id);
  // The partition value in the form the COPY sends it (binary or text).
  Result<std::optional<std::string>> EncodedFill();
  std::string Context() const { return "postgres target " + plan_.label; }

  PgConfig config_;
  WriteRequest request_;
  PgConnection conn_;
  TargetPlan plan_;
  sql_common::PositionsTable positions_;
  StagedKinds staged_;  // set by the writer: what was staged since the last merge
};

// The application_name of the connection that writes run `run_id` (at most 63 bytes).
std::string WriterApplicationName(const std::string& run_id);

}  // namespace sluice::postgres
