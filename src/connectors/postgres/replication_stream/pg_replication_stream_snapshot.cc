// PgReplicationStream's initial snapshot (pg_replication_stream.h, startup: initial): every
// table without a position read inside the slot's exported snapshot, then the changes after
// the slot's position. A table with an integer key into a target that applies rows by key is
// read in chunks of key ranges (core/snapshot_chunks.h), each one committable; a restart after
// a cut brings the committed keys to a temporary slot's point, then reads the rest there.
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "connectors/postgres/pg_source.h"
#include "connectors/postgres/replication_stream/pg_replication_stream.h"
#include "connectors/postgres/replication_stream/slot_setup.h"

namespace sluice::postgres::replication_stream {
namespace {

// "All keys are still to read" parses to no low; the filter then holds no key at all.
constexpr KeyInt kNoKeyHeld = -(KeyInt{1} << 100);

}  // namespace

Status PgReplicationStream::StartSnapshot(const std::string& snapshot_name,
                                          std::vector<size_t> tables) {
  snapshot_name_ = snapshot_name;
  snapshot_tables_ = std::move(tables);
  if (snapshot_tables_.empty()) return Status::Internal("{}: no table to snapshot", Describe());
  return StartSnapshotTable();
}

Status PgReplicationStream::StartSnapshotTable() {
  const size_t t = snapshot_tables_.front();
  PgConfig snapshot_config = tables_[t].config;
  snapshot_config.import_snapshot = snapshot_name_;
  auto source = std::make_unique<PgSource>(std::move(snapshot_config));
  ReadRequest one = request_;
  one.max_splits = 1;
  if (!tables_[t].read_columns.empty()) one.columns = tables_[t].read_columns;
  // The chunks are ranges of the chunk key: the source resolves it as its split key.
  if (!tables_[t].chunk_key.empty()) one.split_key = tables_[t].chunk_key;
  SLUICE_RETURN_IF_ERROR(source->Open(one));
  snapshot_source_ = std::move(source);
  snapshot_progress_ = SnapshotProgress{tables_[t].table.Label()};
  SLUICE_RETURN_IF_ERROR(PlanSnapshotChunks(t));
  snapshot_progress_.chunks = static_cast<int>(snapshot_ranges_.size());
  return OpenSnapshotReader();
}

Status PgReplicationStream::PlanSnapshotChunks(size_t t) {
  Table& table = tables_[t];
  snapshot_ranges_.clear();
  // A table reading on commits its marker ("" at its end) whether it is chunked now or not.
  table.marks_snapshot = table.rest_pending;
  std::optional<KeyInt> from;
  if (table.rest_pending && table.rest_low && *table.rest_low > kNoKeyHeld) from = table.rest_low;
  if (table.rest_pending) {
    spdlog::info("{}: reads the rest of its cut snapshot ({}) as of the temporary slot's point",
                 table.table.Label(),
                 from ? table.chunk_key + " >= " + KeyIntText(*from) : "every row");
  }
  const auto single_from = [&] {
    if (!from) return;
    KeyChunk rest;
    rest.low = KeyIntText(*from);
    snapshot_ranges_ = {rest};
  };
  if (table.chunk_key.empty()) {
    if (chunks_allowed_ && options_.snapshot_chunk_rows > 0) {
      SLUICE_ASSIGN_OR_RETURN(
          PgResult estimate,
          conn_.Query("SELECT reltuples::bigint::text FROM pg_class WHERE oid = $1::oid",
                      table.table.Label() + ": the snapshot's row estimate",
                      {std::to_string(table.table.oid)}));
      const std::optional<KeyInt> rows = estimate.rows() == 1 && !estimate.IsNull(0, 0)
                                             ? ParseKeyInt(estimate.Text(0, 0))
                                             : std::nullopt;
      if (rows && *rows > options_.snapshot_chunk_rows) {
        const std::vector<std::string>& key = table.table.primary_key;
        spdlog::warn(UnchunkedSnapshotWarning(
            table.table.Label(), static_cast<int64_t>(*rows),
            key.empty() ? std::string("none") : fmt::format("{}", fmt::join(key, ", "))));
      }
    }
    return Status::OK();
  }
  if (!chunks_allowed_ || options_.snapshot_chunk_rows == 0) {
    single_from();
    return Status::OK();
  }
  // MIN and MAX are two lookups on the key's index; the row estimate is the catalog's, or the
  // key's span when the table was never analyzed (reltuples -1): an integer key is unique, so
  // the span bounds the rows.
  SLUICE_ASSIGN_OR_RETURN(
      PgResult bounds,
      conn_.Query(
          fmt::format("SELECT MIN({0})::text, MAX({0})::text, (SELECT reltuples::bigint "
                      "FROM pg_class WHERE oid = $1::oid)::text FROM {1}",
                      QuoteIdent(table.chunk_key),
                      (table.config.only_own_rows ? "ONLY " : "") + table.table.Qualified()),
          table.table.Label() + ": the snapshot's key span", {std::to_string(table.table.oid)}));
  std::optional<KeyInt> min, max, rows;
  if (bounds.rows() == 1 && !bounds.IsNull(0, 0) && !bounds.IsNull(0, 1)) {
    min = ParseKeyInt(bounds.Text(0, 0));
    max = ParseKeyInt(bounds.Text(0, 1));
    if (!bounds.IsNull(0, 2)) rows = ParseKeyInt(bounds.Text(0, 2));
  }
  if (!min || !max) {
    single_from();  // an empty table: one range
    return Status::OK();
  }
  if (!rows || *rows < 0) rows = *max - *min + 1;
  snapshot_progress_.estimated_rows =
      EstimatedRowsFrom(from, *min, *max, static_cast<int64_t>(std::min<KeyInt>(*rows, INT64_MAX)));
  std::vector<KeyChunk> ranges =
      PlanIntegerChunks(from, *min, *max, static_cast<int64_t>(std::min<KeyInt>(*rows, INT64_MAX)),
                        options_.snapshot_chunk_rows);
  if (ranges.size() == 1 && !from) return Status::OK();  // read whole, as one transaction
  snapshot_ranges_ = std::move(ranges);
  table.marks_snapshot = true;
  if (snapshot_ranges_.size() > 1) {
    spdlog::info("{}: the snapshot reads about {} rows in {} chunks of {} ranges, each committable",
                 table.table.Label(), static_cast<int64_t>(*rows), snapshot_ranges_.size(),
                 table.chunk_key);
  }
  return Status::OK();
}

// The front chunk of the front table (or all of it): every table is read inside the one
// exported snapshot (it stays valid while the exporting connection runs no other command).
Status PgReplicationStream::OpenSnapshotReader() {
  Split split;
  if (!snapshot_ranges_.empty()) {
    const KeyChunk& chunk = snapshot_ranges_.front();
    split.payload = KeyRange{chunk.low, chunk.high, chunk.with_nulls}.Encode();
  } else {
    split.payload = KeyRange{std::nullopt, std::nullopt, true}.Encode();
  }
  SLUICE_ASSIGN_OR_RETURN(snapshot_reader_, snapshot_source_->OpenSplit(split));
  return Status::OK();
}

Result<bool> PgReplicationStream::NextSnapshot(Batch& batch, RejectSink& rejects) {
  snapshot_chunk_end_ = false;
  const size_t t = snapshot_tables_.front();
  ShapeFor(batch, t);
  // A stream stopped for the rest's read keeps its walsender content (it ends connections
  // that send nothing for wal_sender_timeout).
  if (paused_ && std::chrono::steady_clock::now() - last_status_sent_ > std::chrono::seconds(10)) {
    SLUICE_RETURN_IF_ERROR(SendStatus(acked_, false));
  }
  SLUICE_ASSIGN_OR_RETURN(bool more, snapshot_reader_->Next(batch, rejects));
  snapshot_progress_.rows_read += static_cast<int64_t>(batch.num_rows());
  batch.snapshot = true;
  batch.source_table = tables_[t].table.Label();
  if (more) return true;
  snapshot_reader_.reset();
  if (snapshot_ranges_.size() > 1) {
    // A chunk ends: the rows so far and the marker of the next range may commit together
    // (one table: InTransaction() is false; many: this table alone commits).
    snapshot_ranges_.erase(snapshot_ranges_.begin());
    SLUICE_RETURN_IF_ERROR(OpenSnapshotReader());
    snapshot_chunk_end_ = true;
    if (many_) snapshot_commit_ = SnapshotCommit{t, /*whole=*/false};
    return true;
  }
  snapshot_ranges_.clear();
  snapshot_source_.reset();
  Table& table = tables_[t];
  table.rest_pending = false;  // every row of it is in (its marker commits as "")
  table.rest_low.reset();
  if (many_) snapshot_commit_ = SnapshotCommit{t, /*whole=*/true};
  snapshot_tables_.erase(snapshot_tables_.begin());
  if (!snapshot_tables_.empty()) {
    SLUICE_RETURN_IF_ERROR(StartSnapshotTable());
    return true;
  }
  snapshot_rpl_ = ReplicationConnection();  // a temporary slot goes with its connection
  if (paused_) {
    // The rest is read: the stream goes on from where it stopped, with the message that
    // reached the point.
    spdlog::info("{}: the rest of the cut snapshot is read; the stream goes on from {}", Describe(),
                 pause_at_->ToString());
    paused_ = false;
    pause_at_.reset();
    rest_tables_.clear();
    return true;
  }
  // The snapshot is read (its transactions ended): the replication connection may be used,
  // and the stream takes over from the oldest position (a snapshotted table drops what
  // committed before its snapshot).
  SLUICE_RETURN_IF_ERROR(StartStreaming(stream_from_));
  return true;
}

std::optional<SnapshotProgress> PgReplicationStream::SnapshotProgressNow() const {
  if (!snapshot_reader_) return std::nullopt;
  SnapshotProgress p = snapshot_progress_;
  if (p.chunks > 1) p.chunk = p.chunks - static_cast<int>(snapshot_ranges_.size()) + 1;
  return p;
}

Status PgReplicationStream::RestoreSnapshotProgress(
    size_t t, const std::vector<StreamPosition>& resume_from) {
  Table& table = tables_[t];
  table.rest_pending = false;
  table.rest_low.reset();
  table.rest_marker.clear();
  table.marks_snapshot = false;
  for (const StreamPosition& p : resume_from) {
    if (p.stream != kSnapshotProgressStream) continue;
    // A table that committed a marker once commits it ever after ("" when read whole).
    table.marks_snapshot = true;
    if (p.position.empty()) continue;
    table.rest_pending = true;
    table.rest_marker = p.position;
    Result<std::optional<KeyInt>> low =
        table.chunk_key.empty() ? Result<std::optional<KeyInt>>(Err(Status::Invalid("no key")))
                                : ParseSnapshotMarker(table.chunk_key, p.position);
    if (!low) {
      // Written for another key (the table's key changed since): every change applies and
      // every row is read again, which converges as well.
      spdlog::warn(
          "{}: the snapshot's committed progress '{}' is not of the table's key now: it "
          "applies every change since its position, then reads every row again",
          table.table.Label(), p.position);
      continue;
    }
    table.rest_low = low->value_or(kNoKeyHeld);
  }
  return Status::OK();
}

Status PgReplicationStream::BeginRestRead(const std::vector<size_t>& unplaced, bool catch_up,
                                          Lsn from) {
  // The temporary slot's snapshot reads the rest once the stream reaches its point; it is
  // kept (its connection idle) until then.
  SLUICE_ASSIGN_OR_RETURN(snapshot_rpl_,
                          ReplicationConnection::Connect(config_.url, config_.Describe()));
  SLUICE_ASSIGN_OR_RETURN(
      CreatedSlot created,
      snapshot_rpl_.CreateSlot(TemporarySlotName(), true,
                               /*temporary=*/true, SlotWaitReporter(conn_, TemporarySlotName())));
  snapshot_name_ = created.snapshot_name;
  pause_at_ = created.consistent_point;
  paused_ = false;
  deferred_.clear();
  rest_tables_.clear();
  for (size_t t = 0; t < tables_.size(); ++t) {
    if (!tables_[t].rest_pending) continue;
    rest_tables_.push_back(t);
    const Table& table = tables_[t];
    const bool known = table.rest_low && *table.rest_low > kNoKeyHeld;
    spdlog::info(
        "{}: the snapshot was cut short after committing the keys below {} {}: the changes "
        "since {} are applied to those up to {}, then the rest is read as of that point",
        table.table.Label(), table.chunk_key.empty() ? "the key" : table.chunk_key,
        known ? KeyIntText(*table.rest_low) : "(none)",
        table.own ? table.own->ToString() : "its position", pause_at_->ToString());
  }
  // Tables without any position are read at the same point (their changes before it drop).
  for (size_t t : unplaced) {
    tables_[t].own = created.consistent_point;
    rest_tables_.push_back(t);
  }
  if (catch_up) SLUICE_RETURN_IF_ERROR(ReadServerEnd());
  return StartStreaming(from);
}

}  // namespace sluice::postgres::replication_stream