#include "engine/multi_stream_runner.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "engine/checkpoint_clock.h"
#include "engine/interrupted_runs.h"
#include "engine/job_lease.h"
#include "engine/progress_reporter.h"
#include "engine/reject_collector.h"
#include "engine/run_clock.h"
#include "engine/run_metrics.h"
#include "engine/schema_follow.h"
#include "engine/stream_batch_write.h"
#include "engine/stream_status.h"
#include "engine/stream_summary.h"
#include "engine/stream_table_routes.h"
#include "engine/stream_throttle.h"
#include "state/state_store.h"
#include "tables/table_pattern.h"
#include "tables/table_plan.h"
#include "tables/tool_tables.h"

namespace sluice {
namespace {

using Clock = std::chrono::steady_clock;

// A table that received no rows is committed at most this often (docs/guarantees.md): often
// enough that a restart re-reads little of the source's log for it and the oldest position the
// reader restarts from stays within the source's retention; rarely enough that a job over many
// mostly idle tables does not pay one target transaction per table per checkpoint.
constexpr auto kIdleTableCommitEvery = std::chrono::seconds(60);

bool SamePositions(const std::vector<StreamPosition>& a, const std::vector<StreamPosition>& b) {
  return std::ranges::equal(a, b, [](const StreamPosition& x, const StreamPosition& y) {
    return x.stream == y.stream && x.position == y.position;
  });
}

class MultiStreamRunner {
 public:
  MultiStreamRunner(const JobSpec& spec, const ConnectorRegistry& registry,
                    const StreamRunOptions& options, RunSummary& summary)
      : spec_(spec), registry_(registry), options_(options), summary_(summary) {}

  Status Run() {
    SLUICE_RETURN_IF_ERROR(Setup());
    // One owner for the whole job; each table's run carries its fence.
    SLUICE_ASSIGN_OR_RETURN(state_,
                            OpenStateStore(ResolveStatePath(spec_, options_.run.state_path)));
    SLUICE_ASSIGN_OR_RETURN(
        lease_, JobLease::Acquire(*state_, spec_.name,
                                  std::chrono::milliseconds(spec_.settings.lease_timeout_ms)));
    const Fence fence = lease_->fence();
    std::vector<std::vector<StreamPosition>> committed;
    for (StreamTableRoute& route : routes_.all()) {
      route.setup.write.fence = fence.token;
      Sink& sink = *route.setup.sink;
      SLUICE_ASSIGN_OR_RETURN(JobState job_state, state_->Load(route.state_name));
      SLUICE_ASSIGN_OR_RETURN(std::string note, ResolvePendingRun(*state_, sink, job_state, fence));
      if (!note.empty()) {
        spdlog::warn("{}: {}", route.state_name, note);
        summary_.recovery_note += (summary_.recovery_note.empty() ? "" : "; ") + note;
      }
      // The target's own transaction holds the table's rows with its positions: the truth.
      SLUICE_ASSIGN_OR_RETURN(route.committed, sink.CommittedPositions(route.state_name));
      committed.push_back(route.committed);
    }
    // Rows read again converge in targets that apply them by key: a large table's snapshot
    // may then commit in chunks (core/stream_source.h).
    bool by_key = true;
    for (const StreamTableRoute& route : routes_.all()) {
      by_key = by_key && route.setup.write.mode == WriteMode::kUpsert;
    }
    if (by_key) reader_->AllowSnapshotChunks();
    if (Status started = reader_->StartTables(committed, options_.catch_up); !started.ok()) {
      if (!InterruptedBySignal(started)) return started;
      // A signal while the start waited on the source (a slot's creation): nothing was read
      // and nothing begun, so it is a stop like one between batches.
      spdlog::info("{}: {}", spec_.name, started.message());
      return Status::OK();
    }
    for (size_t i = 0; i < routes_.size(); ++i) {
      StreamTableRoute& route = routes_[i];
      route.last_commit = Clock::now();
      if (reader_->TableSchemaVersion(i) == route.schema_version) continue;
      // The reader keeps columns dropped at the source before the table's committed position
      // (core/schema_change.h): the table's writes carry them, NULL. (Its Prepare below adds
      // any column its target lacks.)
      Result<std::vector<std::string>> rebuilt = RebuildForStreamSchema(route.job, route.setup);
      if (!rebuilt) return rebuilt.error();
      route.schema_version = reader_->TableSchemaVersion(i);
    }
    summary_.position_before = DescribePositions(reader_->Positions());
    checkpointed_ = summary_.position_before;
    status_.SetPosition(checkpointed_);
    spdlog::info(
        "{}: streaming {} tables (a table created later that the patterns select is taken up "
        "by starting again)",
        spec_.name, routes_.size());

    summary_.run_id = NewRunId();
    for (size_t i = 0; i < routes_.size(); ++i) {
      StreamTableRoute& route = routes_[i];
      route.setup.write.run_id = summary_.run_id;
      route.setup.write.realtime = true;
      route.setup.write.source_connector = spec_.source_type;
      Result<std::string> sink_state = route.setup.sink->Prepare(route.setup.write);
      Status begun = sink_state ? Status::OK() : sink_state.error();
      if (begun.ok()) {
        PendingRunRecord pending{summary_.run_id, *sink_state, std::nullopt, "", {}};
        begun = state_->BeginRun(route.state_name, "", pending, fence);
      }
      if (!begun.ok()) {
        for (size_t j = 0; j <= i; ++j) (void)routes_[j].setup.sink->Abort();
        for (size_t j = 0; j < i; ++j) {
          (void)state_->DiscardRun(routes_[j].state_name, summary_.run_id, fence);
        }
        return begun.WithContext(route.state_name);
      }
    }
    summary_.streamed = true;

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
    const bool in_txn = stopped_in_read_at_ ? stopped_in_read_in_txn_ : reader_->InTransaction();
    if (moved.ok() && in_txn) return StopInsideATransaction(fence);
    if (moved.ok()) moved = CommitAll(/*final=*/true);
    if (moved.code() == StatusCode::kOutcomeUnknown) {
      AbortAll();  // the runs stay pending: the next start asks each target
      return moved;
    }
    if (!moved.ok()) {
      AbortAll();
      // Rows up to the last checkpoint are committed: the runs are confirmed if it made one.
      ResolveRuns(fence);
      return moved;
    }
    if (stopped_in_read_at_) {
      // The source's connection is gone; the next start tells the source (the targets hold
      // the positions).
      summary_.position_after = DescribePositions(*stream_stopped_at_);
      spdlog::info("{}: stopped by a signal while waiting for the source; committed up to {}",
                   spec_.name, summary_.position_after);
    } else {
      summary_.position_after = DescribePositions(reader_->Positions());
      SLUICE_RETURN_IF_ERROR(reader_->Acknowledge(reader_->Positions()));
    }
    for (const StreamTableRoute& route : routes_.all()) {
      SLUICE_RETURN_IF_ERROR(
          state_->ConfirmRun(route.state_name, summary_.run_id, Record(), fence));
    }
    return Status::OK();
  }

  const RunMetrics& metrics() const { return metrics_; }
  StreamStatusSnapshot status() const { return status_.Get(); }
  int64_t checkpoints() const { return checkpoints_; }
  int64_t committed_rows() const { return committed_rows_; }
  // Why the run ended to be started again at once ("" when it need not be).
  std::string restart_reason() const {
    if (created_.empty()) return "";
    return fmt::format("table{} {} created at the source", created_.size() > 1 ? "s" : "",
                       fmt::join(created_, ", "));
  }

 private:
  // The plan, the one reader over every table, and a route per table.
  Status Setup() {
    SLUICE_ASSIGN_OR_RETURN(TablePlan plan, PlanTables(spec_, registry_));
    for (const std::string& note : plan.notes) spdlog::warn("{}: {}", spec_.name, note);
    SLUICE_ASSIGN_OR_RETURN(reader_, OpenTablesReader(spec_, plan, registry_));
    SLUICE_ASSIGN_OR_RETURN(routes_,
                            StreamTableRoutes::Build(plan, *reader_, registry_, NowMicros()));
    SLUICE_ASSIGN_OR_RETURN(selector_, TableSelector::Compile(spec_.source.GetList("tables")));
    summary_.source = reader_->Describe();
    summary_.target = routes_[0].setup.sink->Describe();
    for (const StreamTableRoute& route : routes_.all()) {
      summary_.tables.push_back(route.source_label + " -> " + route.target_table);
    }
    return Status::OK();
  }

  // Reads until the stream ends or a signal comes, checkpointing as it goes.
  Status Stream(RejectCollector& rejects) {
    for (StreamTableRoute& route : routes_.all()) {
      SLUICE_ASSIGN_OR_RETURN(route.writer, route.setup.sink->OpenWriter());
    }
    metrics_.reader_threads = 1;
    metrics_.writer_threads = 1;
    CheckpointClock clock(spec_.settings);
    // The reader shapes the batch for the table whose rows it holds; a writer may take it.
    std::unique_ptr<Batch> batch;
    // Each table's positions before the Next() call: a schema change of a table met in that
    // call commits the table's earlier rows there.
    std::vector<std::vector<StreamPosition>> before(routes_.size());
    std::vector<StreamPosition> stream_before;
    bool more = true;
    while (more && !Cancelled() && created_.empty()) {
      if (!batch) batch = std::make_unique<Batch>(reader_->schema());
      batch->Clear();
      const int64_t rejected_before = rejects.count();
      for (size_t i = 0; i < routes_.size(); ++i) before[i] = reader_->TablePositions(i);
      stream_before = reader_->Positions();
      const bool before_in_txn = reader_->InTransaction();
      Result<bool> next = reader_->Next(*batch, rejects);
      if (!next) {
        if (InterruptedBySignal(next.error())) {
          // The signal broke a read that waited on the source (core/stall_watch.h): a stop
          // like one between batches, each table at the positions its written rows end.
          stopped_in_read_at_ = before;
          stopped_in_read_in_txn_ = before_in_txn;
          stream_stopped_at_ = stream_before;
          break;
        }
        return next.error();
      }
      more = *next;
      for (const CreatedTable& created : reader_->TakeCreatedTables()) NoteCreated(created);
      for (size_t i = 0; i < routes_.size(); ++i) {
        if (reader_->TableSchemaVersion(i) == routes_[i].schema_version) continue;
        SLUICE_RETURN_IF_ERROR(FollowSchemaChange(i, before[i], stream_before));
      }
      const int64_t refused = rejects.count() - rejected_before;
      const int64_t rows = static_cast<int64_t>(batch->num_rows());
      const int64_t bytes = rows > 0 ? static_cast<int64_t>(batch->ByteSize()) : 0;
      metrics_.rows_read.fetch_add(rows + refused, std::memory_order_relaxed);
      metrics_.bytes_read.fetch_add(bytes, std::memory_order_relaxed);
      throttle_.After(rows, bytes, options_.run.cancelled, metrics_);  // settings.rate_limit
      if ((rows > 0 || batch->truncated) && batch->position.empty()) {
        const std::vector<StreamPosition> now = reader_->Positions();
        batch->position = ChangeEventPosition(now);
      }
      status_.Count(*batch);
      status_.SetSource(reader_->LagMillis(), reader_->StatusDetail(),
                        reader_->SnapshotProgressNow());
      if (rows > 0 || batch->truncated) {
        const int route = routes_.Find(batch->source_table);
        if (route < 0) {
          return Status::Internal("{}: rows of {}, which no table of the job reads", spec_.name,
                                  batch->source_table);
        }
        SLUICE_RETURN_IF_ERROR(CheckOffsets(*batch, reader_->TableSchema(route)));
        StreamTableRoute& to = routes_[route];
        to.dirty = true;
        to.open_txn_from.reset();
        if (reader_->InTransaction()) to.open_txn_from = reader_->Positions();
        SLUICE_RETURN_IF_ERROR(WriteBatch(to, batch, rejects));
      }
      if (const std::optional<SnapshotCommit> part = reader_->TakeSnapshotCommit()) {
        SLUICE_RETURN_IF_ERROR(CommitSnapshotPart(*part));
      }
      clock.Add(rows + refused, bytes);
      if (clock.Due() && !reader_->InTransaction()) {
        SLUICE_RETURN_IF_ERROR(CommitAll(/*final=*/false));
        SLUICE_RETURN_IF_ERROR(reader_->Acknowledge(reader_->Positions()));
        clock.Reset();
      } else if (clock.IdleDue() && !reader_->InTransaction()) {
        // No rows for a while, but the stream moved on (checkpoint_clock.h): the tables due
        // for their idle commit take the new position, or else the one committed longest ago,
        // so that the source is told of no position no table's target holds.
        if (DescribePositions(reader_->Positions()) != checkpointed_) {
          SLUICE_RETURN_IF_ERROR(CommitAll(/*final=*/false, /*at_least_one=*/true));
          SLUICE_RETURN_IF_ERROR(reader_->Acknowledge(reader_->Positions()));
        }
        clock.Reset();
      }
    }
    metrics_.rows_rejected.store(rejects.count(), std::memory_order_relaxed);
    for (StreamTableRoute& route : routes_.all()) SLUICE_RETURN_IF_ERROR(route.writer->Finish());
    return Status::OK();
  }

  // Table `i`'s columns changed in the Next() call just made: its rows in the new shape are in
  // that batch (or parked by the reader for the next one) and not written; the rows it wrote
  // before end at `before` (its positions before that call), unless some belong to the source
  // transaction that was open then (`stream_before` is where it begins). So it alone is
  // committed there, then altered and rebuilt (schema_follow.h); the other tables go on
  // untouched. A restart from `before` meets the change again, however the steps were cut short.
  Status FollowSchemaChange(size_t i, const std::vector<StreamPosition>& before,
                            const std::vector<StreamPosition>& stream_before) {
    StreamTableRoute& route = routes_[i];
    if (route.open_txn_from && SamePositions(*route.open_txn_from, stream_before)) {
      // Its rows of that open transaction (before the change: PostgreSQL's DDL is
      // transactional) are written but lie after `before`: committed there, a restart would
      // apply them twice.
      return Status::Invalid(
          "{}: table {}'s columns (or those its deletes carry) changed inside a source "
          "transaction that also changed its "
          "rows before the change, and the transaction did not fit in one batch: the change is "
          "not followed; raise settings.batch_rows above the transaction's rows, or re-snapshot "
          "that table into a fresh target",
          spec_.name, route.source_label);
    }
    SLUICE_RETURN_IF_ERROR(route.writer->Finish());
    SLUICE_RETURN_IF_ERROR(CheckLease());
    SLUICE_RETURN_IF_ERROR(route.setup.sink->Checkpoint(before));
    route.dirty = false;
    route.open_txn_from.reset();
    route.last_commit = Clock::now();
    SLUICE_RETURN_IF_ERROR(FollowStreamSchema(route.job, route.setup, route.writer));
    route.schema_version = reader_->TableSchemaVersion(i);
    return Status::OK();
  }

  // A table created at the source while the job runs, which the job's patterns select: its
  // target table, route and run are set up by a start, which finds it in the plan without a
  // position and snapshots it, then streams it (docs/guarantees.md). So the run ends at the
  // end of this batch (a final checkpoint of every table) and asks to be started again at
  // once (RunSummary::restart_reason; engine/stream_reconnect.h). A table the run already
  // streams (its CREATE read again before its own position) is nothing new.
  void NoteCreated(const CreatedTable& created) {
    CatalogTable table;
    table.db = created.db;
    table.name = created.name;
    table.in_default_db = created.in_default_db;
    if (!selector_ || !selector_->Selects(table)) return;
    const std::string label = created.db + "." + created.name;
    if (routes_.Find(label) >= 0) return;
    // gh-ost's or pt-osc's copy of a table the job streams: its swap is followed on that table.
    if (const std::string base = ToolTableBase(
            *selector_, table,
            [&](const std::string& name) { return routes_.Find(created.db + "." + name) >= 0; });
        !base.empty()) {
      if (std::find(left_out_.begin(), left_out_.end(), label) == left_out_.end()) {
        spdlog::info("{}: {}", spec_.name, LeftOutToolTableNote(table, base));
        left_out_.push_back(label);
      }
      return;
    }
    if (std::find(created_.begin(), created_.end(), label) != created_.end()) return;
    spdlog::info(
        "{}: table {} was created at the source and matches the job's tables: the run "
        "checkpoints and starts again to snapshot and stream it",
        spec_.name, label);
    created_.push_back(label);
  }

  // Each table commits its rows with its positions, one target transaction each. A crash
  // between two of them is exact: the reader resumes from the oldest position and each table
  // drops what its own position already holds.
  //
  // A table that received no rows since its last commit is skipped (final: never): its target
  // holds every change of it up to the reader's position already, so its older committed
  // position only makes a restart read from further back. It is committed anyway once its last
  // commit is kIdleTableCommitEvery old, so that the restart point keeps up with the source's
  // retention (the binlog files a restart needs; docs/guarantees.md).
  Status CommitAll(bool final, bool at_least_one = false) {
    const auto now = Clock::now();
    std::vector<size_t> due;
    size_t oldest = 0;
    for (size_t i = 0; i < routes_.size(); ++i) {
      const StreamTableRoute& route = routes_[i];
      if (final || route.dirty || now - route.last_commit >= kIdleTableCommitEvery) {
        due.push_back(i);
      }
      if (route.last_commit < routes_[oldest].last_commit) oldest = i;
    }
    if (at_least_one && due.empty() && routes_.size() > 0) due.push_back(oldest);
    if (!final) {
      for (size_t i : due) SLUICE_RETURN_IF_ERROR(routes_[i].writer->Finish());
    }
    SLUICE_RETURN_IF_ERROR(CheckLease());
    for (size_t i : due) {
      StreamTableRoute& route = routes_[i];
      Sink& sink = *route.setup.sink;
      // After a read a signal broke, the reader may stand past rows never written.
      const std::vector<StreamPosition> positions =
          stopped_in_read_at_ ? (*stopped_in_read_at_)[i] : reader_->TablePositions(i);
      SLUICE_RETURN_IF_ERROR(final ? sink.CommitWithPositions(positions)
                                   : sink.Checkpoint(positions));
      route.dirty = false;
      route.last_commit = now;
    }
    ++checkpoints_;
    // What a checkpoint costs, for `sluice run -v` (bench/tables_idle_checkpoint.sh reads it).
    spdlog::debug(
        "{}: checkpoint {}: {} of {} tables committed in {} us", spec_.name, checkpoints_,
        due.size(), routes_.size(),
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - now).count());
    committed_rows_ = metrics_.rows_written.load();
    checkpointed_ =
        DescribePositions(stopped_in_read_at_ ? *stream_stopped_at_ : reader_->Positions());
    status_.SetPosition(checkpointed_);
    return Status::OK();
  }

  // A table's snapshot is read whole, or to a chunk's end (StreamSource::TakeSnapshotCommit):
  // it commits on its own, at its positions, while the snapshot goes on, so a crash later in
  // the snapshot keeps it and the next start snapshots only the rest. Not acknowledged to the
  // source: the other tables are not committed.
  Status CommitSnapshotPart(const SnapshotCommit& part) {
    StreamTableRoute& route = routes_[part.table];
    SLUICE_RETURN_IF_ERROR(route.writer->Finish());
    SLUICE_RETURN_IF_ERROR(CheckLease());
    SLUICE_RETURN_IF_ERROR(route.setup.sink->Checkpoint(reader_->TablePositions(part.table)));
    route.dirty = false;
    route.open_txn_from.reset();
    route.last_commit = Clock::now();
    ++checkpoints_;  // the runs are confirmed at a stop: this table's target holds rows
    committed_rows_ = metrics_.rows_written.load();
    if (part.whole) {
      spdlog::info("{}: table {} snapshotted and committed", spec_.name, route.source_label);
    }
    return Status::OK();
  }

  // A stop inside a source transaction: the rows since the last checkpoint are rolled back in
  // every table and read again from there at the next start. Not a failure.
  Status StopInsideATransaction(const Fence& fence) {
    AbortAll();
    spdlog::info(
        "{}: stopped inside a source transaction; its rows were rolled back and are read again "
        "from {} at the next start",
        spec_.name, checkpointed_.empty() ? std::string("the start") : checkpointed_);
    summary_.position_after = checkpointed_;
    ResolveRuns(fence);
    return Status::OK();
  }

  void AbortAll() {
    for (StreamTableRoute& route : routes_.all()) (void)route.setup.sink->Abort();
  }

  // After a failure or a stop: each table's run is confirmed if a checkpoint committed,
  // discarded otherwise (the next start would find the same in the targets).
  void ResolveRuns(const Fence& fence) {
    for (const StreamTableRoute& route : routes_.all()) {
      Status resolved = checkpoints_ > 0
                            ? state_->ConfirmRun(route.state_name, summary_.run_id, Record(), fence)
                            : state_->DiscardRun(route.state_name, summary_.run_id, fence);
      if (!resolved.ok()) spdlog::error("{}: {}", route.state_name, resolved.message());
    }
  }

  // Transforms and writes `batch` to its table; the writer may take it (left null).
  Status WriteBatch(StreamTableRoute& route, std::unique_ptr<Batch>& batch,
                    RejectCollector& rejects) {
    return TransformAndWrite(route.setup, *route.writer, batch, rejects, metrics_);
  }

  bool Cancelled() const {
    return options_.run.cancelled != nullptr && options_.run.cancelled->load();
  }
  // A read that failed because a signal broke it (core/stall_watch.h): a stop, not a failure.
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
  std::unique_ptr<StreamSource> reader_;
  StreamTableRoutes routes_;
  std::optional<TableSelector> selector_;  // the job's table patterns, for created tables
  std::vector<std::string> left_out_;      // created tool tables, said once each
  std::unique_ptr<StateStore> state_;
  std::unique_ptr<JobLease> lease_;  // released before state_ closes
  RunMetrics metrics_;
  StreamThrottle throttle_{spec_.settings.rate_limit};
  StreamStatus status_;
  // Set when a signal broke a source read: each table's positions before it, whether a source
  // transaction was open there, and the reader's position then.
  std::optional<std::vector<std::vector<StreamPosition>>> stopped_in_read_at_;
  bool stopped_in_read_in_txn_ = false;
  std::optional<std::vector<StreamPosition>> stream_stopped_at_;
  int64_t checkpoints_ = 0;
  int64_t committed_rows_ = 0;
  std::string checkpointed_;
  std::vector<std::string> created_;  // tables created at the source to start again for
};

}  // namespace

RunSummary RunMultiTableStreamJob(const JobSpec& spec, const ConnectorRegistry& registry,
                                  const StreamRunOptions& options) {
  RunSummary summary;
  summary.job = spec.name;
  const auto start = Clock::now();
  MultiStreamRunner runner(spec, registry, options, summary);
  summary.status = runner.Run();
  if (summary.status.ok()) summary.restart_reason = runner.restart_reason();
  summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  FillStreamSummary(runner.metrics(), runner.committed_rows(), runner.checkpoints(),
                    runner.status(), summary);
  return summary;
}

}  // namespace sluice
