#include "engine/job_runner.h"

#include <chrono>
#include <cstdlib>
#include <random>

#include <fmt/chrono.h>
#include <spdlog/spdlog.h>

#include "engine/job_setup.h"
#include "engine/pipeline.h"
#include "engine/reject_collector.h"
#include "state/state_store.h"

namespace sluice {
namespace {

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string NewRunId() {
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  std::random_device rd;
  return fmt::format("{:%Y%m%dT%H%M%S}Z-{:06x}", now, rd() & 0xffffff);
}

// Step 1: a run that was killed before it was confirmed.
Status ResolvePendingRun(StateStore& state, Sink& sink, const JobState& job_state,
                         RunSummary& summary) {
  if (!job_state.pending) return Status::OK();
  const PendingRunRecord& pending = *job_state.pending;
  SLUICE_ASSIGN_OR_RETURN(bool committed,
                          sink.Recover(PendingRun{pending.run_id, pending.sink_state}));
  if (committed) {
    RunRecord rec;
    rec.outcome = "recovered";
    SLUICE_RETURN_IF_ERROR(state.ConfirmRun(summary.job, pending.run_id, rec));
    summary.recovery_note = fmt::format(
        "run {} was interrupted after the target committed; its watermark is now confirmed",
        pending.run_id);
  } else {
    SLUICE_RETURN_IF_ERROR(state.DiscardRun(summary.job, pending.run_id));
    summary.recovery_note = fmt::format(
        "run {} was interrupted before the target committed; its partial output was removed",
        pending.run_id);
  }
  spdlog::warn("{}: {}", summary.job, summary.recovery_note);
  return Status::OK();
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
                              OpenSqliteStateStore(ResolveStatePath(spec_, options_.state_path)));
      state_ = owned_state_.get();
    }
    SLUICE_ASSIGN_OR_RETURN(JobState job_state, state_->Load(spec_.name));
    SLUICE_RETURN_IF_ERROR(ResolvePendingRun(*state_, *setup_.sink, job_state, summary_));
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
    PendingRunRecord pending{summary_.run_id, sink_state, new_watermark, ""};
    Status begun = state_->BeginRun(spec_.name, setup_.incremental_column, pending);
    if (!begun.ok()) {
      (void)setup_.sink->Abort();
      return begun;
    }

    // Step 4: move the rows, then commit target first and state second.
    RejectCollector rejects(spec_.settings.error_limit_rows, spec_.settings.dirty_records);
    Status moved;
    {
      ProgressReporter progress(metrics_, spec_.name, options_.progress);
      static const std::atomic<bool> kNeverCancelled{false};
      Pipeline pipeline(*source, std::move(splits), setup_.transforms, *setup_.sink, rejects,
                        metrics_, options_.cancelled ? *options_.cancelled : kNeverCancelled,
                        PipelineOptions{spec_.settings.parallelism, spec_.settings.queue_batches,
                                        spec_.settings.rate_limit});
      moved = pipeline.Run();
    }
    Status kept = rejects.Close();
    summary_.rows_rejected = rejects.count();
    // The pipeline counts what it handed to the writers; the target may have refused some.
    target_rejected_ = rejects.target_count();
    transform_rejected_ = rejects.transform_count();
    if (summary_.rows_rejected > 0) summary_.dirty_records = spec_.settings.dirty_records;
    if (moved.ok()) moved = kept;
    if (moved.ok()) moved = setup_.sink->Commit();
    if (!moved.ok()) {
      Status aborted = setup_.sink->Abort();
      if (!aborted.ok())
        spdlog::error("{}: rolling back the target: {}", spec_.name, aborted.message());
      Status discarded = state_->DiscardRun(spec_.name, summary_.run_id);
      if (!discarded.ok()) spdlog::error("{}: {}", spec_.name, discarded.message());
      return moved;
    }
    RunRecord record;
    record.rows_written = rows_written();
    record.rows_rejected = summary_.rows_rejected;
    SLUICE_RETURN_IF_ERROR(state_->ConfirmRun(spec_.name, summary_.run_id, record));
    summary_.watermark_after = new_watermark ? new_watermark : summary_.watermark_before;
    return Status::OK();
  }

  RunMetrics& metrics() { return metrics_; }

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

 public:
  int64_t rows_written() const { return metrics_.rows_written.load() - target_rejected_; }
  int64_t rows_filtered() const {
    return std::max<int64_t>(0, metrics_.rows_dropped_by_transforms.load() - transform_rejected_);
  }

 private:
  const JobSpec& spec_;
  const ConnectorRegistry& registry_;
  const RunOptions& options_;
  RunSummary& summary_;
  JobSetup setup_;
  std::unique_ptr<StateStore> owned_state_;
  StateStore* state_ = nullptr;
  RunMetrics metrics_;
  int64_t target_rejected_ = 0;
  int64_t transform_rejected_ = 0;
};

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
  summary.rows_read = m.rows_read.load();
  summary.rows_written = runner.rows_written();
  summary.bytes_read = m.bytes_read.load();
  summary.bytes_written = m.bytes_written.load();
  summary.rows_filtered = runner.rows_filtered();
  summary.reader_wait_seconds = static_cast<double>(m.reader_wait_ns.load()) / 1e9;
  summary.writer_wait_seconds = static_cast<double>(m.writer_wait_ns.load()) / 1e9;
  summary.throttle_seconds = static_cast<double>(m.throttle_wait_ns.load()) / 1e9;
  summary.reader_threads = m.reader_threads;
  summary.writer_threads = m.writer_threads;
  summary.splits = m.splits_total;
  return summary;
}

}  // namespace sluice
