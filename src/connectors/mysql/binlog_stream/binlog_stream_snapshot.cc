// BinlogStream's initial snapshot (binlog_stream.h, startup: initial): every table without a
// position read in one consistent snapshot transaction, as one source transaction, then the
// changes after the snapshot's binlog position.
#include "connectors/mysql/binlog_stream/binlog_stream.h"

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
  return OpenSnapshotReader();
}

// The next table of the snapshot, on the snapshot's transaction: every table is read as of
// the one snapshot position.
Status BinlogStream::OpenSnapshotReader() {
  SLUICE_ASSIGN_OR_RETURN(snapshot_,
                          MysqlSplitReader::Open(tables_[snapshot_tables_.front()].reader->plan(),
                                                 KeyRange{}, 0, std::move(snapshot_conn_)));
  snapshot_->KeepTransaction();
  return Status::OK();
}

Result<bool> BinlogStream::NextSnapshotRows(Batch& batch, RejectSink& rejects) {
  const size_t t = snapshot_tables_.front();
  ShapeFor(batch, t);
  SLUICE_ASSIGN_OR_RETURN(bool more, snapshot_->Next(batch, rejects));
  batch.snapshot = true;
  batch.source_table = tables_[t].label;
  if (more) return true;
  snapshot_conn_ = snapshot_->TakeConnection();
  snapshot_.reset();
  snapshot_tables_.erase(snapshot_tables_.begin());
  if (!snapshot_tables_.empty()) {
    SLUICE_RETURN_IF_ERROR(OpenSnapshotReader());
    return true;
  }
  // Every table is read: the snapshot transaction ends, and the changes after the oldest
  // position follow (a table snapshotted drops those at or before the snapshot's position).
  // Until here InTransaction() was true, so the whole snapshot lands in the target in one
  // transaction per table with the positions after it.
  (void)snapshot_conn_.Exec("COMMIT");
  snapshot_conn_.Close();
  in_txn_ = false;
  txn_rows_out_ = false;
  committed_ = stream_from_;
  file_ = committed_.file;
  SLUICE_RETURN_IF_ERROR(OpenReplication(committed_));
  return !ReachedEnd();
}

}  // namespace sluice::mysql::binlog_stream
