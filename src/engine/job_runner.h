// RunJob: one run of a batch job, with the state protocol that makes re-runs exact.
//
//   0. take the job's lease (engine/job_lease.h): a job runs once at a time; its fencing token
//      goes with every state change and target commit;
//   1. resolve a pending run left by a killed run: the sink says whether it reached the target;
//      the state store confirms it (watermark advances) or discards it;
//   2. fix the incremental range [stored watermark, MAX(column) now);
//   3. Prepare the sink, record the run as pending (with the watermark it will reach);
//   4. move the rows (Pipeline); Commit the sink; confirm the run in the state store.
// A crash anywhere, or a COMMIT whose outcome never came back, leaves either the old target and
// old watermark, or a pending run that step 1 of the next run resolves. docs/guarantees.md states
// what each write mode promises.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "config/job_spec.h"
#include "core/connector_registry.h"
#include "engine/progress_reporter.h"
#include "state/state_store.h"

namespace sluice {

struct RunOptions {
  ProgressStyle progress = ProgressStyle::kAuto;
  const std::atomic<bool>* cancelled = nullptr;  // set by the signal handler
  std::string state_path;                        // overrides settings.state_path
  StateStore* state = nullptr;  // an open store shared by the tables of a job; else opened
  bool resume = false;          // multi-table jobs: only the tables the last run did not finish
  // The lease the run works under when its caller holds it (the tables of a multi-table job
  // run under the job's lease); token 0: the run takes its job's lease itself.
  Fence fence;
  // Positions the state store writes atomically with this run's confirmation, also when the
  // confirmation comes from the recovery of this run after a crash (a table's "done" flag).
  std::vector<PositionUpdate> on_confirm;
};

struct RunSummary {
  std::string job;
  std::string run_id;
  Status status;  // OK, or why the run failed (nothing was committed then)
  // Every row read is written, rejected, filtered out, or rolled back (the run failed):
  // rows_read is always the sum of the other four, and none is negative.
  int64_t rows_read = 0;
  int64_t rows_written = 0;  // in the target once the run committed; 0 when it failed
  int64_t rows_rejected = 0;
  int64_t rows_filtered = 0;
  int64_t rows_rolled_back = 0;
  int64_t bytes_read = 0;
  int64_t bytes_written = 0;
  double seconds = 0;
  double reader_wait_seconds = 0;
  double writer_wait_seconds = 0;
  double throttle_seconds = 0;
  int reader_threads = 0;
  int writer_threads = 0;
  int64_t splits = 0;
  std::string source;
  std::string target;
  std::string watermark_column;
  std::optional<std::string> watermark_before;
  std::optional<std::string> watermark_after;
  std::string recovery_note;  // what step 1 did, if anything
  std::string note;           // how this run read, when not as configured (sync modes)
  std::string dirty_records;  // where rejected rows are kept, if any were
  // Realtime runs (engine/stream_runner.h): checkpoints committed, and the stream positions
  // the run started from and ended at ("" when none).
  int64_t checkpoints = 0;
  std::string position_before;
  std::string position_after;
  // Realtime runs: the changes read by kind (before transforms; an update with its before
  // image counts once), the source's last lag (-1 unknown) and status note.
  bool realtime = false;
  int64_t changes_inserted = 0;
  int64_t changes_updated = 0;
  int64_t changes_deleted = 0;
  int64_t changes_truncated = 0;  // TRUNCATEs carried to the target
  int64_t lag_ms = -1;
  std::string status_detail;
  // Realtime jobs (engine/stream_reconnect.h): runs started again after a lost connection,
  // and the last failure that made one.
  int reconnects = 0;
  int restarts = 0;  // runs started again at once to add tables created at the source
  std::string reconnect_reason;
  // Realtime runs: the run got past its setup and began to read (a first run that fails
  // before is a setup error to report at once, not a connection to retry).
  bool streamed = false;
  // Realtime runs over many tables: the run ended, with a final checkpoint, to be started again
  // at once (a table the job's patterns select was created at the source); "" otherwise.
  std::string restart_reason;
  // Realtime runs over many tables: "source table -> target table", one per table read.
  std::vector<std::string> tables;
};

// Never returns an error for a failed run: the summary's status says it, so the caller can
// still print what happened. Errors returned are those before anything started (bad state).
RunSummary RunJob(const JobSpec& spec, const ConnectorRegistry& registry,
                  const RunOptions& options);

// The state store location for a job (a path or a URL, state/state_store.h OpenStateStore):
// options override, then settings.state, then the SLUICE_STATE environment variable, then
// .sluice/state.db in the current directory.
std::string ResolveStatePath(const JobSpec& spec, const std::string& override_path);

}  // namespace sluice
