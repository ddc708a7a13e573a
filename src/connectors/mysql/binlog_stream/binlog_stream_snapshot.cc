// BinlogStream's initial snapshot (binlog_stream.h, startup: initial): every table without a
// position read in one consistent snapshot transaction, as one source transaction, then the
// changes after the snapshot's binlog position. A single table with an integer key and a
// target that applies rows by key is read in chunks of key ranges (core/snapshot_chunks.h), each
// one committable, and a restart after a cut reads on from the last one committed.
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "connectors/mysql/binlog_stream/binlog_stream.h"
#include "core/snapshot_chunks.h"

namespace sluice::mysql::binlog_stream {

Status BinlogStream::BeginSnapshot(const std::vector<size_t>& tables) {
  std::vector<std::string> quoted;
  for (size_t t : tables) quoted.push_back(tables_[t].reader->QuotedTable());
  SLUICE_ASSIGN_OR_RETURN(
      ConsistentSnapshot snap,
      BeginConsistentSnapshot(config_.url, conn_, quoted, options_.snapshot_method));
  snapshot_position_ = snap.position;
  snapshot_conn_ = std::move(snap.reader);
  snapshot_tables_ = tables;
  return StartSnapshotTable();
}

Status BinlogStream::StartSnapshotTable() {
  snapshot_ranges_.clear();
  snapshot_progress_ = SnapshotProgress{tables_[snapshot_tables_.front()].label};
  SLUICE_RETURN_IF_ERROR(PlanSnapshotChunks(snapshot_tables_.front()));
  snapshot_progress_.chunks = static_cast<int>(snapshot_ranges_.size());
  return OpenSnapshotReader();
}

std::optional<SnapshotProgress> BinlogStream::SnapshotProgressNow() const {
  if (!snapshot_) return std::nullopt;
  SnapshotProgress p = snapshot_progress_;
  if (p.chunks > 1) p.chunk = p.chunks - static_cast<int>(snapshot_ranges_.size()) + 1;
  return p;
}

Status BinlogStream::PlanSnapshotChunks(size_t t) {
  Table& table = tables_[t];
  const std::optional<std::string> resume_low = table.resume_low.value_or(std::nullopt);
  // A table reading on commits its marker ("" at its end) whether it is chunked now or not.
  table.chunked = table.resume_low.has_value();
  const std::optional<KeySpec>& key = table.reader->split_key();
  const bool integer = key && (key->kind == ReadKind::kInt || key->kind == ReadKind::kUInt);
  std::optional<KeyInt> from;
  if (resume_low && integer) from = ParseKeyInt(*resume_low);
  if (resume_low && !from) {
    // Written for another key (the table's key changed since): every row is read again,
    // which converges as well.
    spdlog::warn(
        "{}: the snapshot's committed progress ({}) is not of the key {} now: it reads every "
        "row again",
        table.label, *resume_low, key ? key->label : std::string("(none)"));
  }
  if (table.resume_low) {
    spdlog::info(
        "{}: the snapshot was cut short after committing the keys below {} {}: it reads the "
        "rest, then applies the changes since {} over it",
        table.label, key ? key->label : "the key", from ? KeyIntText(*from) : "(none)",
        table.own ? table.own->ToString() : "its position");
  }
  if (!integer) {
    if (chunks_allowed_ && options_.snapshot_chunk_rows > 0) {
      SLUICE_ASSIGN_OR_RETURN(const std::optional<KeyInt> rows, EstimatedRows(t));
      if (rows && *rows > options_.snapshot_chunk_rows) {
        const std::vector<std::string> pk = table.reader->PrimaryKey();
        spdlog::warn(UnchunkedSnapshotWarning(
            table.label, static_cast<int64_t>(*rows),
            pk.empty() ? std::string("none") : fmt::format("{}", fmt::join(pk, ", "))));
      }
    }
    return Status::OK();
  }
  table.snapshot_key = key->label;
  auto single_from = [&] {
    if (!from) return;
    KeyChunk rest;
    rest.low = KeyIntText(*from);
    snapshot_ranges_ = {rest};
  };
  if (!chunks_allowed_ || options_.snapshot_chunk_rows == 0) {
    single_from();
    return Status::OK();
  }
  // MIN and MAX are two lookups on the key's index; the row estimate is the catalog's.
  SLUICE_ASSIGN_OR_RETURN(std::optional<Row> bounds,
                          conn_.QueryRow(fmt::format("SELECT MIN({0}), MAX({0}) FROM {1}", key->sql,
                                                     table.reader->QuotedTable())));
  SLUICE_ASSIGN_OR_RETURN(const std::optional<KeyInt> rows, EstimatedRows(t));
  std::optional<KeyInt> min, max;
  if (bounds && (*bounds)[0] && (*bounds)[1]) {
    min = ParseKeyInt(*(*bounds)[0]);
    max = ParseKeyInt(*(*bounds)[1]);
  }
  if (!min || !max || !rows) {
    single_from();  // an empty table, or no estimate: one range
    return Status::OK();
  }
  snapshot_progress_.estimated_rows =
      EstimatedRowsFrom(from, *min, *max, static_cast<int64_t>(*rows));
  std::vector<KeyChunk> ranges = PlanIntegerChunks(from, *min, *max, static_cast<int64_t>(*rows),
                                                   options_.snapshot_chunk_rows);
  if (ranges.size() == 1 && !from) return Status::OK();  // read whole, as one transaction
  snapshot_ranges_ = std::move(ranges);
  table.chunked = true;
  if (snapshot_ranges_.size() > 1) {
    spdlog::info("{}: the snapshot reads about {} rows in {} chunks of {} ranges, each committable",
                 table.label, static_cast<int64_t>(*rows), snapshot_ranges_.size(), key->label);
  }
  return Status::OK();
}

Result<std::optional<KeyInt>> BinlogStream::EstimatedRows(size_t t) {
  const Table& table = tables_[t];
  SLUICE_ASSIGN_OR_RETURN(
      std::optional<Row> estimate,
      conn_.QueryRow(fmt::format("SELECT TABLE_ROWS FROM information_schema.TABLES WHERE "
                                 "TABLE_SCHEMA = {} AND TABLE_NAME = {}",
                                 QuoteString(table.config.database),
                                 QuoteString(table.config.table))));
  if (!estimate || !(*estimate)[0]) return std::optional<KeyInt>();
  return ParseKeyInt(*(*estimate)[0]);
}

Result<std::optional<std::optional<std::string>>> BinlogStream::ResumeLow(
    size_t t, const std::vector<StreamPosition>& resume_from) const {
  using Rest = std::optional<std::optional<std::string>>;
  for (const StreamPosition& p : resume_from) {
    if (p.stream != kSnapshotProgressStream || p.position.empty()) continue;
    const std::optional<KeySpec>& key = tables_[t].reader->split_key();
    Result<std::optional<KeyInt>> low =
        key ? ParseSnapshotMarker(key->label, p.position)
            : Result<std::optional<KeyInt>>(Err(Status::Invalid("no key")));
    if (!low) {
      spdlog::warn(
          "{}: the snapshot's committed progress '{}' is not of the table's key now: it reads "
          "every row again",
          tables_[t].label, p.position);
      return Rest(std::optional<std::string>());
    }
    return Rest(*low ? std::optional<std::string>(KeyIntText(**low)) : std::nullopt);
  }
  return Rest();
}

// The next table of the snapshot, or the next range of a chunked one, on the snapshot's
// transaction: every table is read as of the one snapshot position.
Status BinlogStream::OpenSnapshotReader() {
  const KeyChunk chunk = snapshot_ranges_.empty() ? KeyChunk{} : snapshot_ranges_.front();
  const KeyRange range{chunk.low, chunk.high, chunk.with_nulls};
  SLUICE_ASSIGN_OR_RETURN(
      snapshot_, MysqlSplitReader::Open(tables_[snapshot_tables_.front()].reader->plan(), range, 0,
                                        std::move(snapshot_conn_)));
  snapshot_->KeepTransaction();
  return Status::OK();
}

Result<bool> BinlogStream::NextSnapshotRows(Batch& batch, RejectSink& rejects) {
  snapshot_chunk_end_ = false;
  const size_t t = snapshot_tables_.front();
  ShapeFor(batch, t);
  SLUICE_ASSIGN_OR_RETURN(bool more, snapshot_->Next(batch, rejects));
  snapshot_progress_.rows_read += static_cast<int64_t>(batch.num_rows());
  batch.snapshot = true;
  batch.source_table = tables_[t].label;
  if (more) return true;
  snapshot_conn_ = snapshot_->TakeConnection();
  snapshot_.reset();
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
  if (many_) snapshot_commit_ = SnapshotCommit{t, /*whole=*/true};
  snapshot_tables_.erase(snapshot_tables_.begin());
  if (!snapshot_tables_.empty()) {
    SLUICE_RETURN_IF_ERROR(StartSnapshotTable());
    return true;
  }
  // Every table is read: the snapshot transaction ends, and the changes after the oldest
  // position follow (a table snapshotted drops those at or before the snapshot's position).
  // Until here InTransaction() was true (but at a chunk's end), so the snapshot lands in the
  // target in one transaction per table (or per chunk) with the positions after it.
  (void)snapshot_conn_.Exec("COMMIT");
  snapshot_conn_.Close();
  in_txn_ = false;
  txn_rows_out_ = false;
  committed_ = stream_from_;
  read_to_ = stream_from_;
  file_ = committed_.file;
  SLUICE_RETURN_IF_ERROR(OpenReplication(committed_));
  return !ReachedEnd();
}

}  // namespace sluice::mysql::binlog_stream
