// RunMultiTableJob: a job over many tables (source.tables) on one bounded pool of workers.
//
// The plan (tables/table_plan.h) gives one single-table job per target table, largest first.
// `settings.parallelism` is the job's budget of reader threads: a table takes a share in
// proportion to its size (a big table is split across several readers, a small one gets
// one), and waits until that many are free, so the biggest tables start first and the job
// ends when the work ends rather than when one straggler does. Each table runs the ordinary
// run protocol (job_runner.h) with its own state ("<job>/<table>"): watermark, pending run,
// exactly-once commit. One failing table does not stop the others unless
// settings.on_table_error is stop. `resume` re-runs only the tables the last run did not
// finish (the run id and each finished table are kept in the state store).
#pragma once

#include <string>
#include <vector>

#include "config/job_spec.h"
#include "core/connector_registry.h"
#include "engine/job_runner.h"

namespace sluice {

struct TableRunResult {
  std::string table;  // target table
  int shards = 1;
  int readers = 1;  // of the job's parallelism this table used
  enum class Outcome { kDone, kFailed, kSkipped, kNotStarted } outcome = Outcome::kNotStarted;
  RunSummary summary;  // of the table's own run (empty when skipped or not started)
};
const char* OutcomeName(TableRunResult::Outcome outcome);

struct MultiRunSummary {
  std::string job;
  std::string run_id;  // shared by the tables of this run (and of its resumptions)
  Status status;       // OK when every table is done (or skipped by --resume)
  std::vector<TableRunResult> tables;
  double seconds = 0;
  int tables_failed = 0;
  // Sums of the tables' counts (RunSummary): read = written + rejected + filtered + rolled back.
  int64_t rows_read = 0;
  int64_t rows_written = 0;
  int64_t rows_rejected = 0;
  int64_t rows_filtered = 0;
  int64_t rows_rolled_back = 0;
  int64_t bytes_read = 0;
};

MultiRunSummary RunMultiTableJob(const JobSpec& spec, const ConnectorRegistry& registry,
                                 const RunOptions& options);

}  // namespace sluice
