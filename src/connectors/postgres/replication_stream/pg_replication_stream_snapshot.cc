// PgReplicationStream's initial snapshot (pg_replication_stream.h, startup: initial): every
// table without a position read inside the slot's exported snapshot, then the changes after
// the slot's position.
#include "connectors/postgres/replication_stream/pg_replication_stream.h"

#include "connectors/postgres/pg_source.h"

namespace sluice::postgres::replication_stream {

Status PgReplicationStream::StartSnapshot(const std::string& snapshot_name,
                                          std::vector<size_t> tables) {
  snapshot_name_ = snapshot_name;
  snapshot_tables_ = std::move(tables);
  committed_ = Lsn{};
  return OpenSnapshotReader();
}

// The next table of the snapshot: every table is read inside the one exported snapshot (it
// stays valid while the exporting connection runs no other command).
Status PgReplicationStream::OpenSnapshotReader() {
  PgConfig snapshot_config = tables_[snapshot_tables_.front()].config;
  snapshot_config.import_snapshot = snapshot_name_;
  auto source = std::make_unique<PgSource>(std::move(snapshot_config));
  ReadRequest one = request_;
  one.max_splits = 1;
  SLUICE_RETURN_IF_ERROR(source->Open(one));
  SLUICE_ASSIGN_OR_RETURN(std::vector<Split> splits, source->PlanSplits());
  if (splits.size() != 1) {
    return Status::Internal("{}: the snapshot read planned {} splits", config_.Describe(),
                            splits.size());
  }
  SLUICE_ASSIGN_OR_RETURN(snapshot_reader_, source->OpenSplit(splits[0]));
  snapshot_source_ = std::move(source);
  return Status::OK();
}

Result<bool> PgReplicationStream::NextSnapshot(Batch& batch, RejectSink& rejects) {
  const size_t t = snapshot_tables_.front();
  ShapeFor(batch, t);
  SLUICE_ASSIGN_OR_RETURN(bool more, snapshot_reader_->Next(batch, rejects));
  batch.snapshot = true;
  batch.source_table = tables_[t].table.Label();
  if (more) return true;
  snapshot_reader_.reset();
  snapshot_source_.reset();
  if (many_) snapshot_commit_ = SnapshotCommit{t, /*whole=*/true};
  snapshot_tables_.erase(snapshot_tables_.begin());
  if (!snapshot_tables_.empty()) {
    SLUICE_RETURN_IF_ERROR(OpenSnapshotReader());
    return true;
  }
  // The snapshot is read (its transactions ended): the replication connection may be used,
  // and the stream takes over from the oldest position (a snapshotted table drops what
  // committed before its snapshot).
  snapshot_rpl_ = ReplicationConnection();  // a temporary slot goes with its connection
  last_row_commit_ = stream_from_;
  SLUICE_RETURN_IF_ERROR(StartStreaming(stream_from_));
  return true;
}

}  // namespace sluice::postgres::replication_stream
