// PgSink: writes rows into one PostgreSQL table (or one LIST partition of it) in a single
// transaction per run.
//
// Lifecycle (core/sink.h), all on the engine's main thread except PgSinkWriter::Write:
//   Recover()  -> stop a writer a killed run may have left on the server (found by its
//                 application_name, "sluice <run_id>"), then: is the run's marker in
//                 <schema>._sluice_runs?
//   Prepare()  -> connect, create _sluice_runs if needed, BEGIN, create or check the table
//                 (and the partition), pre_sql, TRUNCATE (overwrite) or the staging table
//                 (upsert, replace, ignore)
//   OpenWriter() once: COPY batches (pg_sink_writer.h); Finish()
//   Commit()   -> the staging merge, post_sql, the marker row, COMMIT; or Abort() -> ROLLBACK
// The marker row is committed in the same transaction as the data, so after a kill -9 both
// are there or neither is: every write mode is exactly-once when the engine asks Recover()
// before running again. PostgreSQL rolls back the transaction of a connection that dies.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/postgres/pg_config.h"
#include "connectors/postgres/pg_connection.h"
#include "connectors/postgres/pg_target.h"
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
  Status Commit() override;
  Status Abort() override;
  Result<std::vector<std::string>> Plan(const WriteRequest& request) override;
  std::string Describe() const override { return config_.Describe(); }

 private:
  Status PrepareInTransaction();
  // The partition value in the form the COPY sends it (binary or text).
  Result<std::optional<std::string>> EncodedFill();
  std::string Context() const { return "postgres target " + plan_.label; }

  PgConfig config_;
  WriteRequest request_;
  PgConnection conn_;
  TargetPlan plan_;
};

// The application_name of the connection that writes run `run_id` (at most 63 bytes).
std::string WriterApplicationName(const std::string& run_id);

}  // namespace sluice::postgres
