#include "engine/job_runner.h"

#include <chrono>
#include <cstdlib>
#include <random>

#include <fmt/chrono.h>
#include <spdlog/spdlog.h>

#include "engine/interrupted_runs.h"
#include "engine/job_lease.h"
#include "engine/job_setup.h"
#include "engine/pipeline.h"
#include "engine/reject_collector.h"
#include "engine/run_clock.h"
#include "state/state_store.h"

namespace sluice {
namespace {

// Keyed writes (upsert, replace, ignore) route rows by the target key when the sink takes
// several writers, so two writers never race on one key; appends go to any writer.
PipelineOptions PipelineOptionsFor(const JobSpec& spec, const JobSetup& setup) {
  PipelineOptions options;
  options.parallelism = spec.settings.parallelism;
  options.queue_batches = spec.settings.queue_batches;
  options.rate_limit = spec.settings.rate_limit;
  options.output_schema = setup.write.schema;
  if (setup.write.mode != WriteMode::kAppend) {
    for (const std::string& column : setup.write.key) {
      const std::optional<size_t> index = setup.write.schema.IndexOf(column);
      if (!index) {  // the sink checks its key itself; without all of it, no routing
        options.route_key_columns.clear();
        break;
      }
      options.route_key_columns.push_back(static_cast<int>(*index));
    }
  }
  return options;
}

class Runner {
 public:
  Runner(const JobSpec& spec, const ConnectorRegistry& registry, const RunOptions& options,
         RunSummary& summary)
      : spec_(spec), registry_(registry), options_(options), summary_(summary) {}

  Status Run() {
    const int64_t now = NowMicros();
    SLUICE_ASSIGN_OR_RETURN(setup_, BuildJobSetup(spec_, registry_, now));
    summary_.source = setup_.source->Describe();
    summary_.target = setup_.sink->Describe();

    if (options_.state != nullptr) {
      state_ = options_.state;
    } else {
      SLUICE_ASSIGN_OR_RETURN(owned_state_,
                              OpenStateStore(ResolveStatePath(spec_, options_.state_path)));
      state_ = owned_state_.get();
    }
    // Step 0: one owner per job, before anything looks at what an earlier run left.
    fence_ = options_.fence;
    if (fence_.token == 0) {
      SLUICE_ASSIGN_OR_RETURN(
          lease_, JobLease::Acquire(*state_, spec_.name,
                                    std::chrono::milliseconds(spec_.settings.lease_timeout_ms)));
      fence_ = lease_->fence();
    }
    setup_.write.fence = fence_.token;
    SLUICE_ASSIGN_OR_RETURN(JobState job_state, state_->Load(spec_.name));
    SLUICE_ASSIGN_OR_RETURN(summary_.recovery_note,
                            ResolvePendingRun(*state_, *setup_.sink, job_state, fence_));
    if (!summary_.recovery_note.empty()) {
      spdlog::warn("{}: {}", summary_.job, summary_.recovery_note);
    }
    SLUICE_ASSIGN_OR_RETURN(job_state, state_->Load(spec_.name));

    // Step 2: the range of this run.
    SLUICE_RETURN_IF_ERROR(ApplySyncMode(job_state));
    Source* source = setup_.source.get();
    std::unique_ptr<Source> ranged;
    std::optional<std::string> new_watermark;
    bool nothing_to_read = false;
    if (!setup_.incremental_column.empty()) {
      summary_.watermark_column = setup_.incremental_column;
      if (job_state.watermark_column == setup_.incremental_column) {
        summary_.watermark_before = job_state.watermark;
      } else if (job_state.watermark) {
        spdlog::warn("{}: the watermark column changed from '{}' to '{}'; reading everything",
                     spec_.name, job_state.watermark_column, setup_.incremental_column);
      }
      SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> high,
                              source->MaxValue(setup_.incremental_column));
      SLUICE_ASSIGN_OR_RETURN(
          std::optional<WatermarkRange> range,
          PlanWatermarkRange(IncrementalRuleOf(setup_), summary_.watermark_before, high));
      if (!range) {
        nothing_to_read = true;  // no rows, or none in range (watermark_range.h)
      } else {
        new_watermark = high;
        SLUICE_ASSIGN_OR_RETURN(ranged, OpenRangedSource(setup_, spec_, *range));
        source = ranged.get();
      }
    }

    std::vector<Split> splits;
    if (!nothing_to_read) {
      SLUICE_ASSIGN_OR_RETURN(splits, source->PlanSplits());
      if (options_.progress != ProgressStyle::kNone) {
        auto estimate = source->EstimateRows();
        if (estimate) metrics_.estimated_rows = *estimate;
      }
    }

    // Step 3: prepare the target and record the run before the first row is written.
    summary_.run_id = NewRunId();
    setup_.write.run_id = summary_.run_id;
    SLUICE_ASSIGN_OR_RETURN(std::string sink_state, setup_.sink->Prepare(setup_.write));
    PendingRunRecord pending{summary_.run_id, sink_state, new_watermark, "", options_.on_confirm};
    Status begun = state_->BeginRun(spec_.name, setup_.incremental_column, pending, fence_);
    if (!begun.ok()) {
      (void)setup_.sink->Abort();
      return begun;
    }

    // Step 4: move the rows, then commit target first and state second.
    RejectCollector rejects(spec_.settings.error_limit_rows, spec_.settings.dirty_records,
                            spec_.settings.error_window_ms);
    Status moved;
    {
      ProgressReporter progress(metrics_, spec_.name, options_.progress);
      static const std::atomic<bool> kNeverCancelled{false};
      Pipeline pipeline(*source, std::move(splits), setup_.transforms, *setup_.sink, rejects,
                        metrics_, options_.cancelled ? *options_.cancelled : kNeverCancelled,
                        PipelineOptionsFor(spec_, setup_));
      moved = pipeline.Run();
    }
    Status kept = rejects.Close();
    if (rejects.count() > 0) summary_.dirty_records = spec_.settings.dirty_records;
    if (moved.ok()) moved = kept;
    if (moved.ok() && lease_ && lease_->lost()) {
      moved = Status::Conflict(
          "{}: this run lost the job's lease (another process took the job over); it stops "
          "without committing",
          spec_.name);
    }
    if (moved.ok()) moved = setup_.sink->Commit();
    target_committed_ = moved.ok();
    if (moved.code() == StatusCode::kOutcomeUnknown) {
      // The COMMIT may have landed: discarding the run now would let the next run read its
      // range again, twice into an append target. It stays pending; the next run asks the
      // target (Sink::Recover) and confirms or discards it.
      (void)setup_.sink->Abort();
      summary_.note = "the target's COMMIT got no answer: the rows may or may not be there";
      return Status(StatusCode::kOutcomeUnknown,
                    fmt::format("{}; run {} stays pending: the next run of the job finds out from "
                                "the target whether it committed, and confirms or discards it",
                                moved.message(), summary_.run_id));
    }
    if (!moved.ok()) {
      Status aborted = setup_.sink->Abort();
      if (!aborted.ok())
        spdlog::error("{}: rolling back the target: {}", spec_.name, aborted.message());
      Status discarded = state_->DiscardRun(spec_.name, summary_.run_id, fence_);
      if (!discarded.ok()) spdlog::error("{}: {}", spec_.name, discarded.message());
      return moved;
    }
    RunRecord record;
    record.rows_written = metrics_.rows_written.load();
    record.rows_rejected = metrics_.rows_rejected.load();
    SLUICE_RETURN_IF_ERROR(state_->ConfirmRun(spec_.name, summary_.run_id, record, fence_));
    summary_.watermark_after = new_watermark ? new_watermark : summary_.watermark_before;
    return Status::OK();
  }

  RunMetrics& metrics() { return metrics_; }
  // Whether this run's rows are in the target (a failure after that, in the state store,
  // leaves a pending run that the next run confirms).
  bool target_committed() const { return target_committed_; }

 private:
  // settings.sync: full ignores the watermark; incremental needs one; full_then_incremental
  // replaces the target (write_mode overwrite) until the table has a watermark. That first run
  // reads the same range as any first incremental run, below the maximum: rows equal to it
  // come with the next run, so an append target gets no row twice.
  Status ApplySyncMode(const JobState& job_state) {
    const SyncMode sync = spec_.settings.sync;
    if (sync == SyncMode::kDefault) return Status::OK();
    if (sync == SyncMode::kFull) {
      setup_.incremental_column.clear();
      return Status::OK();
    }
    if (setup_.incremental_column.empty()) {
      return Status::Invalid(
          "{}: settings.sync is {} but source.incremental names no watermark column{}", spec_.name,
          sync == SyncMode::kIncremental ? "incremental" : "full_then_incremental",
          spec_.shards.names.empty() ? "" : " for this table (set one in overrides:)");
    }
    const bool has_watermark =
        job_state.watermark && job_state.watermark_column == setup_.incremental_column;
    if (sync == SyncMode::kFullThenIncremental && !has_watermark) {
      setup_.write.mode = WriteMode::kOverwrite;
      summary_.note =
          "first run of full_then_incremental: the target is replaced (write_mode overwrite)";
    }
    return Status::OK();
  }

  const JobSpec& spec_;
  const ConnectorRegistry& registry_;
  const RunOptions& options_;
  RunSummary& summary_;
  JobSetup setup_;
  std::unique_ptr<StateStore> owned_state_;
  StateStore* state_ = nullptr;
  std::unique_ptr<JobLease> lease_;  // destroyed (released) before owned_state_
  Fence fence_;
  RunMetrics metrics_;
  bool target_committed_ = false;
};

// The row counts of a run, from the pipeline's counters: read = written + rejected + filtered
// + rolled back. A run that failed before its target committed wrote nothing: the rows it had
// sent to the target, and those still on their way, are rolled back.
void CountRows(const RunMetrics& m, bool committed, RunSummary& summary) {
  summary.rows_read = m.rows_read.load();
  summary.rows_rejected = m.rows_rejected.load();
  summary.rows_filtered = m.rows_filtered.load();
  summary.rows_written = committed ? m.rows_written.load() : 0;
  summary.rows_rolled_back =
      summary.rows_read - summary.rows_written - summary.rows_rejected - summary.rows_filtered;
}

}  // namespace

std::string ResolveStatePath(const JobSpec& spec, const std::string& override_path) {
  if (!override_path.empty()) return override_path;
  if (!spec.settings.state_path.empty()) return spec.settings.state_path;
  if (const char* env = std::getenv("SLUICE_STATE"); env && *env) return env;
  return ".sluice/state.db";
}

RunSummary RunJob(const JobSpec& spec, const ConnectorRegistry& registry,
                  const RunOptions& options) {
  RunSummary summary;
  summary.job = spec.name;
  auto start = std::chrono::steady_clock::now();
  Runner runner(spec, registry, options, summary);
  summary.status = runner.Run();
  const RunMetrics& m = runner.metrics();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CountRows(m, runner.target_committed(), summary);
  summary.bytes_read = m.bytes_read.load();
  summary.bytes_written = m.bytes_written.load();
  summary.reader_wait_seconds = static_cast<double>(m.reader_wait_ns.load()) / 1e9;
  summary.writer_wait_seconds = static_cast<double>(m.writer_wait_ns.load()) / 1e9;
  summary.throttle_seconds = static_cast<double>(m.throttle_wait_ns.load()) / 1e9;
  summary.reader_threads = m.reader_threads;
  summary.writer_threads = m.writer_threads;
  summary.splits = m.splits_total;
  return summary;
}

}  // namespace sluice
