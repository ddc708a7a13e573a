// PgReplicationStream's message handling (pg_replication_stream.h): replication frames and
// pgoutput messages into batch rows, transaction boundaries and positions; streamed
// transactions held until their commit and replayed; Relation messages followed by name.
#include "connectors/postgres/replication_stream/pg_replication_stream.h"

#include <algorithm>
#include <string>
#include <variant>

#include "connectors/postgres/pg_table.h"
#include "connectors/postgres/replication/replication_frames.h"
#include "connectors/postgres/replication_stream/added_defaults.h"

namespace sluice::postgres::replication_stream {
namespace {

namespace r = ::sluice::postgres::replication;

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The table a change (Insert, Update, Delete) is of; 0 for other messages.
uint32_t RelationOid(const r::PgOutputMessage& message) {
  uint32_t oid = 0;
  std::visit(
      [&](const auto& m) {
        if constexpr (requires { m.relation_oid; }) oid = m.relation_oid;
      },
      message);
  return oid;
}

}  // namespace

Status PgReplicationStream::Handle(std::string_view bytes, Batch& batch) {
  SLUICE_ASSIGN_OR_RETURN(r::ReplicationFrame frame, r::DecodeReplicationFrame(bytes));
  if (const auto* k = std::get_if<r::PrimaryKeepalive>(&frame)) {
    // Nothing is open: everything before the server's WAL end was sent and seen.
    if (Quiet() && !paused_) {
      if (k->wal_end > committed_) committed_ = k->wal_end;
      lag_ms_ = 0;  // caught up: the server has nothing newer for us
    }
    if (k->reply_requested) return SendStatus(acked_, false);
    return Status::OK();
  }
  const auto& data = std::get<r::XLogData>(frame);
  Status st = HandleMessage(data.payload, batch);
  if (st.ok()) return st;
  // pgoutput leaves the start of a transaction's inner messages (Relation, ...) unset.
  if (data.wal_start != Lsn{}) {
    return st.WithContext(
        fmt::format("{} at WAL {}", config_.Describe(), data.wal_start.ToString()));
  }
  if (in_txn_) {
    return st.WithContext(fmt::format("{} in the transaction that commits at WAL {}",
                                      config_.Describe(), txn_final_.ToString()));
  }
  return st.WithContext(config_.Describe());
}

Status PgReplicationStream::HandleMessage(std::string_view bytes, Batch& batch) {
  SLUICE_ASSIGN_OR_RETURN(r::PgOutputMessage message, decoder_.Decode(bytes));
  return HandleDecoded(message, bytes, batch);
}

Status PgReplicationStream::HandleDecoded(const r::PgOutputMessage& message, std::string_view bytes,
                                          Batch& batch) {
  // A transaction that commits at or after a cut snapshot's point is in the snapshot that
  // reads the rest: the stream stops before it and goes on with it after the read.
  const auto reaches_pause = [&](Lsn commit) {
    if (!pause_at_ || paused_ || commit < *pause_at_ || Replaying()) return false;
    paused_ = true;
    deferred_.assign(bytes);
    return true;
  };
  if (const auto* b = std::get_if<r::BeginMessage>(&message)) {
    if (reaches_pause(b->final_lsn)) return Status::OK();
    if (end_ && b->final_lsn >= *end_ && !Replaying()) {
      past_end_ = true;  // committed after the catch-up's start: not this run's
      return Status::OK();
    }
    in_txn_ = true;
    txn_rows_ = false;
    // Already in the target: a restart asked for transactions after committed_.
    skip_txn_ = b->final_lsn < committed_;
    txn_final_ = b->final_lsn;
    txn_commit_ms_ = b->commit_time_us / 1000;
  } else if (const auto* c = std::get_if<r::CommitMessage>(&message)) {
    in_txn_ = false;
    if (!skip_txn_ && c->end_lsn > committed_) committed_ = c->end_lsn;
    lag_ms_ = std::max<int64_t>(0, NowMillis() - c->commit_time_us / 1000);
  } else if (const auto* rel = std::get_if<r::RelationMessage>(&message)) {
    relations_.Apply(*rel);
    if (const std::optional<size_t> t = TableOf(rel->oid)) {
      SLUICE_RETURN_IF_ERROR(RefuseRenamedTable(*rel, *t));
      SLUICE_ASSIGN_OR_RETURN(const r::CachedRelation* cached, relations_.Get(rel->oid));
      SLUICE_RETURN_IF_ERROR(PlanRelation(*cached, *t, batch));
    }
  } else if (const auto* t = std::get_if<r::TypeMessage>(&message)) {
    relations_.Apply(*t);
  } else if (const auto* tr = std::get_if<r::TruncateMessage>(&message)) {
    const bool ours = std::any_of(tr->relation_oids.begin(), tr->relation_oids.end(),
                                  [&](uint32_t oid) { return TableOf(oid).has_value(); });
    if (!ours) return Status::OK();
    if (decoder_.in_stream()) return held_.Add(stream_xid_, tr->xid, bytes);
    if (skip_txn_) return Status::OK();
    SLUICE_RETURN_IF_ERROR(QueueTruncates(*tr, txn_final_));
    TakeTruncates(batch);
  } else if (const auto* s = std::get_if<r::StreamStartMessage>(&message)) {
    stream_xid_ = s->xid;
  } else if (const auto* sc = std::get_if<r::StreamCommitMessage>(&message)) {
    if (reaches_pause(sc->commit_lsn)) return Status::OK();
    if (end_ && sc->commit_lsn >= *end_) {
      past_end_ = true;  // committed after the catch-up's start: not this run's
      return Status::OK();
    }
    SLUICE_ASSIGN_OR_RETURN(replay_, held_.Take(sc->xid));
    replay_end_ = sc->end_lsn;
    replay_commit_ = sc->commit_lsn;
    txn_commit_ms_ = sc->commit_time_us / 1000;
    lag_ms_ = std::max<int64_t>(0, NowMillis() - txn_commit_ms_);
    if (sc->commit_lsn < committed_) replay_.clear();  // already in the target
    if (replay_.empty()) {
      if (sc->end_lsn > committed_) committed_ = sc->end_lsn;
    } else {
      in_txn_ = true;
      txn_rows_ = false;
    }
  } else if (const auto* sa = std::get_if<r::StreamAbortMessage>(&message)) {
    held_.Abort(sa->xid, sa->subxid);
  } else if (std::holds_alternative<r::InsertMessage>(message) ||
             std::holds_alternative<r::UpdateMessage>(message) ||
             std::holds_alternative<r::DeleteMessage>(message)) {
    uint32_t oid = 0;
    uint32_t xid = 0;
    std::visit(
        [&](const auto& m) {
          if constexpr (requires { m.relation_oid; }) {
            oid = m.relation_oid;
            xid = m.xid;
          }
        },
        message);
    if (!TableOf(oid)) return RefusePartitionOfJobTable(oid);
    if (decoder_.in_stream()) return held_.Add(stream_xid_, xid, bytes);
    if (!skip_txn_) return RouteChange(message, bytes, batch);
  }
  return Status::OK();
}

// A change of one of our tables, outside a streamed transaction: dropped when that table's
// target already holds its transaction, parked when the batch holds another table's rows.
Status PgReplicationStream::RouteChange(const r::PgOutputMessage& message, std::string_view bytes,
                                        Batch& batch) {
  const std::optional<size_t> t = TableOf(RelationOid(message));
  if (!t || Drops(*t, txn_final_)) return Status::OK();
  if (!ShapeFor(batch, *t)) {
    pending_.assign(bytes);
    batch_ended_ = true;
    return Status::OK();
  }
  return AppendChange(message, *t, batch);
}

Status PgReplicationStream::ReplayOne(Batch& batch) {
  // A change parked by the last batch (another table's) comes first.
  HeldChange change;
  bool got = true;
  if (replay_parked_) {
    change = std::move(*replay_parked_);
    replay_parked_.reset();
  } else {
    SLUICE_ASSIGN_OR_RETURN(got, replay_.Next(change));
  }
  if (got) {
    SLUICE_ASSIGN_OR_RETURN(r::PgOutputMessage message,
                            r::DecodePgOutputMessage(change.message, /*in_stream=*/true));
    const std::optional<size_t> t = TableOf(RelationOid(message));
    if (const auto* tr = std::get_if<r::TruncateMessage>(&message)) {
      SLUICE_RETURN_IF_ERROR(QueueTruncates(*tr, replay_commit_));
      TakeTruncates(batch);
    } else if (t && !Drops(*t, replay_commit_)) {
      if (!ShapeFor(batch, *t)) {
        replay_parked_ = std::move(change);  // another table's rows: they open the next batch
        batch_ended_ = true;
        return Status::OK();
      }
      SLUICE_RETURN_IF_ERROR(AppendChange(message, *t, batch));
    }
  }
  if (!got || !Replaying()) {
    // A TRUNCATE still queued for the next batch belongs to the transaction: it ends there.
    if (truncates_.empty()) {
      FinishReplay();
    } else {
      replay_finish_pending_ = true;
    }
  }
  return Status::OK();
}

void PgReplicationStream::FinishReplay() {
  replay_.clear();
  replay_finish_pending_ = false;
  in_txn_ = false;
  if (replay_end_ > committed_) committed_ = replay_end_;
}

Status PgReplicationStream::QueueTruncates(const r::TruncateMessage& truncate, Lsn commit_lsn) {
  for (uint32_t oid : truncate.relation_oids) {
    const std::optional<size_t> t = TableOf(oid);
    if (!t || Drops(*t, commit_lsn)) continue;
    SLUICE_ASSIGN_OR_RETURN(bool carry,
                            CarryTruncate(options_.truncate, tables_[*t].table.Label()));
    if (carry) truncates_.push_back(*t);
  }
  return Status::OK();
}

void PgReplicationStream::TakeTruncates(Batch& batch) {
  while (!truncates_.empty()) {
    if (batch.num_rows() > 0 || batch.truncated) {
      batch_ended_ = true;  // the next batch opens with it
      return;
    }
    ShapeFor(batch, truncates_.front());
    truncates_.pop_front();
    batch.truncated = true;
    batch.truncate_commit_millis = txn_commit_ms_;
    txn_rows_ = true;  // a change of the open transaction is handed out
  }
}

Status PgReplicationStream::PlanRelation(const r::CachedRelation& relation, size_t t,
                                         Batch& batch) {
  // Types the decoder does not know by oid (enums, domains, user types) as the catalog has
  // them, so the stream types a column as the snapshot did.
  const r::TypeResolver resolve = [this](uint32_t oid, int32_t typmod) {
    return ResolveTypeOid(conn_, oid, typmod);
  };
  SLUICE_ASSIGN_OR_RETURN(r::TuplePlan plan,
                          r::PlanTuple(relation, resolve, config_.unknown_as_text));
  Table& table = tables_[t];
  // By name (relation_follower.h): added columns widen the table's schema, and the batch when
  // it holds this table's rows (a batch of another table keeps its shape; ShapeFor reshapes it
  // for this table later).
  const size_t width = table.schema.size();
  Batch other;
  Batch& widened =
      batch.num_rows() > 0 && batch.source_table != table.table.Label() ? other : batch;
  const auto exists_now = [&](const std::string& column) {
    Result<PgResult> r = conn_.Query(
        "SELECT 1 FROM pg_attribute WHERE attrelid = $1::oid AND attname = $2 AND attnum > 0 "
        "AND NOT attisdropped",
        "postgres source: is the column still in the table",
        {std::to_string(table.table.oid), column});
    // Unknown: taken as dropped (NULL from here on), as a column the metadata lacks always was.
    return r.has_value() && r->rows() == 1;
  };
  SLUICE_ASSIGN_OR_RETURN(table.plan, table.follower.Plan(plan, table.table.Label(), table.schema,
                                                          widened, exists_now));
  FollowReplicaIdentity(relation, table, width);
  table.key_in_relation.reset();
  for (size_t i = 0; i < relation.columns.size(); ++i) {
    if (relation.columns[i].name == table.chunk_key) table.key_in_relation = i;
  }
  if (table.schema.size() != width) {
    // What the ADD COLUMN gave the rows already there, for the target's own (added_defaults.h).
    SLUICE_RETURN_IF_ERROR(ReadAddedDefaults(conn_, table.table.oid, table.schema, width));
    // The batch's rows from before the ADD hold that default at the source too.
    for (size_t c = width; &widened == &batch && c < batch.columns.size(); ++c) {
      FillAddedDefault(table.table.Label(), table.schema.fields[c], batch.columns[c]);
    }
  }
  return Status::OK();
}

Status PgReplicationStream::AppendChange(const r::PgOutputMessage& message, size_t t,
                                         Batch& batch) {
  if (!tables_[t].plan) {
    return Status::Internal("{}: a change before the table's Relation message",
                            tables_[t].table.Label());
  }
  // A cut snapshot's rest is not read yet: only the keys below it are in the target, and the
  // rest is read later as of a point after these changes (pg_replication_stream.h).
  const bool filtered = tables_[t].rest_pending && tables_[t].rest_low.has_value();
  if (const auto* ins = std::get_if<r::InsertMessage>(&message)) {
    if (filtered) {
      SLUICE_ASSIGN_OR_RETURN(bool held, KeyBelowRest(ins->new_tuple, t));
      if (!held) return Status::OK();
    }
    txn_rows_ = true;
    return AppendRow(ins->new_tuple, RowKind::kInsert, t, batch);
  }
  if (const auto* del = std::get_if<r::DeleteMessage>(&message)) {
    if (filtered) {
      SLUICE_ASSIGN_OR_RETURN(bool held, KeyBelowRest(del->old_tuple, t));
      if (!held) return Status::OK();
    }
    txn_rows_ = true;
    return AppendRow(del->old_tuple, RowKind::kDelete, t, batch);
  }
  const auto& up = std::get<r::UpdateMessage>(message);
  r::TupleData after = up.new_tuple;
  if (up.old_kind == r::OldTupleKind::kOld) {
    // REPLICA IDENTITY FULL sends the whole old row: an unchanged TOASTed value is there.
    for (size_t i = 0; i < after.size() && i < up.old_tuple.size(); ++i) {
      if (after[i].kind == r::TupleValueKind::kUnchanged) after[i] = up.old_tuple[i];
    }
  }
  if (filtered) {
    // Without an old tuple the key did not change. A key moved across the rest's low is half
    // held: the row leaves (a delete of the old key) or comes (an insert of the new one).
    SLUICE_ASSIGN_OR_RETURN(bool after_held, KeyBelowRest(after, t));
    bool before_held = after_held;
    if (up.old_kind != r::OldTupleKind::kNone) {
      SLUICE_ASSIGN_OR_RETURN(before_held, KeyBelowRest(up.old_tuple, t));
    }
    if (!before_held && !after_held) return Status::OK();
    txn_rows_ = true;
    if (!before_held) return AppendRow(after, RowKind::kInsert, t, batch);
    if (!after_held) return AppendRow(up.old_tuple, RowKind::kDelete, t, batch);
  }
  txn_rows_ = true;
  if (up.old_kind != r::OldTupleKind::kNone) {
    SLUICE_RETURN_IF_ERROR(AppendRow(up.old_tuple, RowKind::kUpdateBefore, t, batch));
  }
  return AppendRow(after, RowKind::kUpdateAfter, t, batch);
}

Result<bool> PgReplicationStream::KeyBelowRest(const r::TupleData& tuple, size_t t) const {
  const Table& table = tables_[t];
  const std::optional<size_t> at = table.key_in_relation;
  const r::TupleValue* value = at && *at < tuple.size() ? &tuple[*at] : nullptr;
  std::optional<KeyInt> key;
  if (value && value->kind == r::TupleValueKind::kText) key = ParseKeyInt(value->bytes);
  if (!key) {
    return Err(Status::Internal("{}: a change without a readable {} (the snapshot's key)",
                                table.table.Label(), table.chunk_key));
  }
  return *key < *table.rest_low;
}

Status PgReplicationStream::AppendRow(const r::TupleData& tuple, RowKind kind, size_t t,
                                      Batch& batch) {
  const PgTable& table = tables_[t].table;
  SLUICE_ASSIGN_OR_RETURN(const r::TupleData* mapped, tables_[t].follower.Map(tuple));
  // As the snapshot's batch reader decides (PgConfig::SpecialFor).
  SLUICE_ASSIGN_OR_RETURN(r::AppendedRow row,
                          r::AppendTuple(*mapped, *tables_[t].plan, kind,
                                         config_.SpecialFor(request_.target_type), batch));
  if (row.bad) {
    return Status::DataError(
        "{}: a change does not decode ({}): nothing is skipped{}", table.Label(), row.reason,
        row.special
            ? "; the target's types cannot hold it: set the source's special_values: \"null\" "
              "to read such values as NULL"
            : "");
  }
  if (batch.commit_millis.size() + 1 < batch.num_rows()) {
    batch.commit_millis.resize(batch.num_rows() - 1, txn_commit_ms_);
  }
  batch.commit_millis.push_back(txn_commit_ms_);
  return Status::OK();
}

}  // namespace sluice::postgres::replication_stream
