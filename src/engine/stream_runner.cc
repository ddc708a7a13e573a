#include "engine/stream_runner.h"

#include <chrono>
#include <optional>
#include <random>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "engine/checkpoint_clock.h"
#include "engine/interrupted_runs.h"
#include "engine/job_lease.h"
#include "engine/job_setup.h"
#include "engine/progress_reporter.h"
#include "engine/reject_collector.h"
#include "engine/run_clock.h"
#include "engine/run_metrics.h"
#include "engine/schema_follow.h"
#include "engine/store_positions.h"
#include "engine/stream_batch_write.h"
#include "engine/stream_status.h"
#include "engine/stream_summary.h"
#include "engine/stream_throttle.h"
#include "state/state_store.h"

namespace sluice {
namespace {

using Clock = std::chrono::steady_clock;

class StreamRunner {
 public:
  StreamRunner(const JobSpec& spec, const ConnectorRegistry& registry,
               const StreamRunOptions& options, RunSummary& summary)
      : spec_(spec), registry_(registry), options_(options), summary_(summary) {}

  Status Run() {
    SLUICE_ASSIGN_OR_RETURN(setup_, BuildJobSetup(spec_, registry_, NowMicros()));
    StreamSource& stream = *setup_.stream;
    Sink& sink = *setup_.sink;
    summary_.source = stream.Describe();
    summary_.target = sink.Describe();
    if (setup_.key_is_whole_row) {
      spdlog::warn(
          "{}: the source table has no primary key: changes are applied by the whole row ({}); "
          "identical duplicate rows become one row in the target (give target.key to choose)",
          spec_.name, fmt::join(setup_.write.key, ", "));
    }
    if (!sink.SupportsCheckpoints()) {
      return Status::Invalid("{}: the {} target cannot take a realtime job: it cannot checkpoint",
                             spec_.name, spec_.target_type);
    }
    if (setup_.write.mode == WriteMode::kOverwrite) {
      // Overwrite replaces the target at its commit: with a checkpoint every second, each one
      // would throw away what the last one committed.
      return Status::Invalid(
          "{}: a realtime job cannot use write_mode: overwrite (each checkpoint would replace "
          "what the previous one committed); use append or upsert",
          spec_.name);
    }

    // Step 0 and 1: one owner, and what an earlier run left.
    SLUICE_ASSIGN_OR_RETURN(state_,
                            OpenStateStore(ResolveStatePath(spec_, options_.run.state_path)));
    SLUICE_ASSIGN_OR_RETURN(
        lease_, JobLease::Acquire(*state_, spec_.name,
                                  std::chrono::milliseconds(spec_.settings.lease_timeout_ms)));
    const Fence fence = lease_->fence();
    setup_.write.fence = fence.token;
    SLUICE_ASSIGN_OR_RETURN(JobState job_state, state_->Load(spec_.name));
    SLUICE_ASSIGN_OR_RETURN(summary_.recovery_note,
                            ResolvePendingRun(*state_, sink, job_state, fence));
    if (!summary_.recovery_note.empty()) spdlog::warn("{}: {}", spec_.name, summary_.recovery_note);

    // Step 2: where the target says the stream stands.
    std::vector<StreamPosition> committed;
    if (sink.PositionsInStateStore()) {
      SLUICE_ASSIGN_OR_RETURN(committed, StorePositions(*state_, spec_.name));
    } else {
      SLUICE_ASSIGN_OR_RETURN(committed, sink.CommittedPositions(spec_.name));
    }
    summary_.position_before = DescribePositions(committed);
    checkpointed_ = summary_.position_before;
    status_.SetPosition(checkpointed_);
    // Rows read again converge in a target that applies them by key: a large table's initial
    // snapshot may then commit in chunks, and a restart reads on from the last one
    // (core/stream_source.h).
    if (setup_.write.mode == WriteMode::kUpsert) stream.AllowSnapshotChunks();
    if (Status started = stream.Start(committed, options_.catch_up); !started.ok()) {
      if (!InterruptedBySignal(started)) return started;
      // A signal while the start waited on the source (a slot's creation): nothing was read
      // and nothing begun, so it is a stop like one between batches.
      spdlog::info("{}: {}", spec_.name, started.message());
      summary_.position_after = summary_.position_before;
      return Status::OK();
    }
    if (stream.schema_version() != 0) {
      // The stream keeps columns dropped at the source before the committed position
      // (core/schema_change.h): the writes carry them, NULL.
      SLUICE_RETURN_IF_ERROR(RebuildForStreamSchema(spec_, setup_));
    }
    spdlog::info("{}: streaming from {}", spec_.name,
                 committed.empty() ? std::string("the start") : summary_.position_before);

    // Step 3.
    summary_.run_id = NewRunId();
    setup_.write.run_id = summary_.run_id;
    setup_.write.realtime = true;
    setup_.write.source_connector = spec_.source_type;
    Result<std::string> sink_state = sink.Prepare(setup_.write);
    if (!sink_state && setup_.key_is_whole_row && !sink_state.error().retryable()) {
      // A target that cannot key a table by the whole row (PostgreSQL's json has no equality).
      return Status::Invalid(
          "{} (the source table has no primary key, so the whole row ({}) was taken as the key: "
          "give target.key, the columns that identify a row)",
          sink_state.error().message(), fmt::join(setup_.write.key, ", "));
    }
    if (!sink_state) return sink_state.error();
    PendingRunRecord pending{summary_.run_id, *sink_state, std::nullopt, "", {}};
    if (Status begun = state_->BeginRun(spec_.name, "", pending, fence); !begun.ok()) {
      (void)sink.Abort();
      return begun;
    }
    summary_.streamed = true;

    // Step 4 and 5.
    RejectCollector rejects(spec_.settings.error_limit_rows, spec_.settings.dirty_records,
                            spec_.settings.error_window_ms);
    Status moved;
    {
      ProgressReporter progress(metrics_, spec_.name, options_.run.progress,
                                std::chrono::seconds(10), &status_);
      moved = Stream(rejects);
    }
    Status kept = rejects.Close();
    if (rejects.count() > 0) summary_.dirty_records = spec_.settings.dirty_records;
    if (moved.ok()) moved = kept;
    if (moved.ok()) moved = CheckLease();
    // Where the rows written end: the stream's position, or where it stood before the read a
    // signal broke (the stream may have read on, into rows never written).
    const std::vector<StreamPosition> last =
        stopped_in_read_at_ ? *stopped_in_read_at_ : stream.Positions();
    const bool in_txn = stopped_in_read_at_ ? stopped_in_read_in_txn_ : stream.InTransaction();
    if (moved.ok() && in_txn) return StopInsideATransaction(fence);
    if (moved.ok()) moved = sink.CommitWithPositions(last);
    if (moved.ok()) {
      // The target holds the last rows; if the store cannot say so, the run stays pending and
      // the next start cuts the target back to the checkpoint the store holds.
      if (Status saved = SaveToStoreIfNeeded(last, fence); !saved.ok()) {
        return saved.WithContext("the run stays pending");
      }
    }
    if (moved.code() == StatusCode::kOutcomeUnknown) {
      (void)sink.Abort();  // the run stays pending: the next start asks the target
      return moved;
    }
    if (!moved.ok()) {
      (void)sink.Abort();
      if (sink.PositionsInStateStore()) {
        // The target may be ahead of the store (a checkpoint whose positions were not saved):
        // only the recovery at the next start, from the store, puts them back in step.
        return moved;
      }
      // Rows up to the last checkpoint are committed: the run is confirmed if it made one
      // (the next start would find the same), discarded otherwise.
      Status resolved = checkpoints_ > 0
                            ? state_->ConfirmRun(spec_.name, summary_.run_id, Record(), fence)
                            : state_->DiscardRun(spec_.name, summary_.run_id, fence);
      if (!resolved.ok()) spdlog::error("{}: {}", spec_.name, resolved.message());
      return moved;
    }
    ++checkpoints_;
    committed_rows_ = metrics_.rows_written.load();
    summary_.position_after = DescribePositions(last);
    if (stopped_in_read_at_) {
      // The source's connection is gone; the next start tells the source (the target holds
      // the positions).
      spdlog::info("{}: stopped by a signal while waiting for the source; committed up to {}",
                   spec_.name, summary_.position_after);
    } else {
      SLUICE_RETURN_IF_ERROR(stream.Acknowledge(last));
    }
    return state_->ConfirmRun(spec_.name, summary_.run_id, Record(), fence);
  }

  const RunMetrics& metrics() const { return metrics_; }
  StreamStatusSnapshot status() const { return status_.Get(); }
  int64_t checkpoints() const { return checkpoints_; }
  int64_t committed_rows() const { return committed_rows_; }

 private:
  // Reads until the stream ends or a signal comes, checkpointing as it goes. A signal is not a
  // failure here: the final checkpoint follows.
  Status Stream(RejectCollector& rejects) {
    StreamSource& stream = *setup_.stream;
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<SinkWriter> writer, setup_.sink->OpenWriter());
    metrics_.reader_threads = 1;
    metrics_.writer_threads = 1;
    CheckpointClock clock(spec_.settings);
    const Schema& schema = ReadSchema(setup_);
    // A writer may take the batch (WriteAndTake): a new one is made then.
    std::unique_ptr<Batch> batch;
    bool more = true;
    uint64_t schema_version = stream.schema_version();
    while (more && !Cancelled()) {
      if (!batch) batch = std::make_unique<Batch>(schema);
      batch->Clear();
      const int64_t rejected_before = rejects.count();
      // Where the rows written so far end: a schema change in the next batch checkpoints here.
      const std::vector<StreamPosition> before = stream.Positions();
      const bool before_in_txn = stream.InTransaction();
      Result<bool> next = stream.Next(*batch, rejects);
      if (!next) {
        if (InterruptedBySignal(next.error())) {
          // The signal broke a read that waited on the source (core/stall_watch.h): a stop
          // like one between batches, at the positions where the rows written so far end.
          stopped_in_read_at_ = before;
          stopped_in_read_in_txn_ = before_in_txn;
          break;
        }
        return next.error();
      }
      more = *next;
      if (stream.schema_version() != schema_version) {
        SLUICE_RETURN_IF_ERROR(FollowSchemaChange(before, before_in_txn, writer, clock));
        schema_version = stream.schema_version();
      }
      const int64_t refused = rejects.count() - rejected_before;
      const int64_t rows = static_cast<int64_t>(batch->num_rows());
      // An idle stream's empty batch counts nothing but still lets a checkpoint fall due.
      const int64_t bytes = rows > 0 ? static_cast<int64_t>(batch->ByteSize()) : 0;
      metrics_.rows_read.fetch_add(rows + refused, std::memory_order_relaxed);
      metrics_.bytes_read.fetch_add(bytes, std::memory_order_relaxed);
      throttle_.After(rows, bytes, options_.run.cancelled, metrics_);  // settings.rate_limit
      // A source that leaves the batch's position empty (the binlog stream) has it in
      // Positions(): the position after the last transaction end the batch reached, which a
      // change-event target writes as each event's source position.
      if ((rows > 0 || batch->truncated) && batch->position.empty()) {
        const std::vector<StreamPosition> now = stream.Positions();
        batch->position = ChangeEventPosition(now);
      }
      status_.Count(*batch);
      status_.SetSource(stream.LagMillis(), stream.StatusDetail(), stream.SnapshotProgressNow());
      if (rows > 0 || batch->truncated) {
        SLUICE_RETURN_IF_ERROR(CheckOffsets(*batch, schema));
        SLUICE_RETURN_IF_ERROR(WriteBatch(batch, *writer, rejects));
      }
      clock.Add(rows + refused, bytes);
      if (clock.Due() && !stream.InTransaction()) {
        SLUICE_RETURN_IF_ERROR(CheckpointAt(stream.Positions(), *writer, clock));
      } else if (clock.IdleDue() && !stream.InTransaction()) {
        SLUICE_RETURN_IF_ERROR(CheckpointIfMoved(stream, *writer, clock));
      }
    }
    metrics_.rows_rejected.store(rejects.count(), std::memory_order_relaxed);
    return writer->Finish();
  }

  // Commits everything written with `positions` (a source transaction end).
  Status CheckpointAt(const std::vector<StreamPosition>& positions, SinkWriter& writer,
                      CheckpointClock& clock) {
    SLUICE_RETURN_IF_ERROR(writer.Finish());
    SLUICE_RETURN_IF_ERROR(CheckLease());
    SLUICE_RETURN_IF_ERROR(setup_.sink->Checkpoint(positions));
    SLUICE_RETURN_IF_ERROR(SaveToStoreIfNeeded(positions, lease_->fence()));
    ++checkpoints_;
    committed_rows_ = metrics_.rows_written.load();
    checkpointed_ = DescribePositions(positions);
    status_.SetPosition(checkpointed_);
    SLUICE_RETURN_IF_ERROR(setup_.stream->Acknowledge(positions));
    clock.Reset();
    return Status::OK();
  }

  // No rows for a while: the stream's position still moves past other tables' transactions.
  // Committed (a checkpoint without rows) when it did, the only way the source learns it may
  // let that log go (checkpoint_clock.h).
  Status CheckpointIfMoved(StreamSource& stream, SinkWriter& writer, CheckpointClock& clock) {
    const std::vector<StreamPosition> now = stream.Positions();
    if (DescribePositions(now) == checkpointed_) {
      clock.Reset();
      return Status::OK();
    }
    return CheckpointAt(now, writer, clock);
  }

  // The stream's schema changed (columns added or dropped at the source): the batch just read holds
  // rows of the new shape and is not written yet; everything before it is, up to `before` (the
  // positions before that batch), which is committed first (the order: schema_follow.h).
  Status FollowSchemaChange(const std::vector<StreamPosition>& before, bool before_in_txn,
                            std::unique_ptr<SinkWriter>& writer, CheckpointClock& clock) {
    if (before_in_txn) {
      return Status::Invalid(
          "{}: the source table's columns (or those its deletes carry) changed inside a source "
          "transaction too large for one "
          "batch, which is committed whole: the change is not followed; raise "
          "settings.batch_rows above the transaction's rows, or re-snapshot into a fresh target",
          spec_.name);
    }
    SLUICE_RETURN_IF_ERROR(CheckpointAt(before, *writer, clock));
    return FollowStreamSchema(spec_, setup_, writer);
  }

  // A stop (SIGTERM) inside a source transaction: committing now would put half of it in the
  // target. The rows since the last checkpoint are rolled back instead; the next start reads
  // them again from the last checkpoint's positions. Not a failure: exit 0.
  Status StopInsideATransaction(const Fence& fence) {
    Sink& sink = *setup_.sink;
    SLUICE_RETURN_IF_ERROR(sink.Abort());
    spdlog::info(
        "{}: stopped inside a source transaction; its rows were rolled back and are read again "
        "from {} at the next start",
        spec_.name, checkpointed_.empty() ? std::string("the start") : checkpointed_);
    summary_.position_after = checkpointed_;
    return checkpoints_ > 0 ? state_->ConfirmRun(spec_.name, summary_.run_id, Record(), fence)
                            : state_->DiscardRun(spec_.name, summary_.run_id, fence);
  }

  // Targets without transactions: the checkpoint is durable in the target, the positions
  // and the sink state that goes with them now go to the store, in one transaction. A crash
  // between the two leaves the store at the previous checkpoint; recovery cuts the target
  // back to it.
  Status SaveToStoreIfNeeded(const std::vector<StreamPosition>& positions, const Fence& fence) {
    if (!setup_.sink->PositionsInStateStore()) return Status::OK();
    return SaveCheckpointToStore(*state_, spec_.name, summary_.run_id,
                                 setup_.sink->CheckpointState(), positions, fence);
  }

  // Transforms and writes `batch`; the writer may take it (left null).
  Status WriteBatch(std::unique_ptr<Batch>& batch, SinkWriter& writer, RejectCollector& rejects) {
    return TransformAndWrite(setup_, writer, batch, rejects, metrics_);
  }

  bool Cancelled() const {
    return options_.run.cancelled != nullptr && options_.run.cancelled->load();
  }
  bool InterruptedBySignal(const Status& st) const {
    return st.code() == StatusCode::kCancelled && Cancelled();
  }

  Status CheckLease() const { return lease_->Check(); }

  RunRecord Record() const {
    RunRecord record;
    record.rows_written = committed_rows_;
    record.rows_rejected = metrics_.rows_rejected.load();
    return record;
  }

  const JobSpec& spec_;
  const ConnectorRegistry& registry_;
  const StreamRunOptions& options_;
  RunSummary& summary_;
  JobSetup setup_;
  std::unique_ptr<StateStore> state_;
  std::unique_ptr<JobLease> lease_;  // released before state_ closes
  RunMetrics metrics_;
  StreamThrottle throttle_{spec_.settings.rate_limit};
  StreamStatus status_;  // for the status line and the summary
  // Set when a signal broke a source read: the positions before it, and whether a source
  // transaction was open there.
  std::optional<std::vector<StreamPosition>> stopped_in_read_at_;
  bool stopped_in_read_in_txn_ = false;
  int64_t checkpoints_ = 0;
  int64_t committed_rows_ = 0;
  std::string checkpointed_;  // the positions of the last checkpoint, as the summary shows them
};

}  // namespace

RunSummary RunStreamJob(const JobSpec& spec, const ConnectorRegistry& registry,
                        const StreamRunOptions& options) {
  RunSummary summary;
  summary.job = spec.name;
  const auto start = Clock::now();
  StreamRunner runner(spec, registry, options, summary);
  summary.status = runner.Run();
  summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  FillStreamSummary(runner.metrics(), runner.committed_rows(), runner.checkpoints(),
                    runner.status(), summary);
  return summary;
}

}  // namespace sluice
