// BinlogStream's event handling (binlog_stream.h): each event's bytes decoded and turned into
// batch rows, transaction boundaries and positions; DDL statements matched to the streamed
// tables and followed or stopped at; columns new to a table defined from the catalog.
#include "connectors/mysql/binlog_stream/binlog_stream.h"

#include <mariadb_rpl.h>

#include "connectors/mysql/binlog/control_events.h"
#include "connectors/mysql/binlog/rows_event.h"
#include "connectors/mysql/binlog/table_map.h"
#include "connectors/mysql/binlog_stream/added_defaults.h"
#include "connectors/mysql/binlog_stream/ascii_case.h"
#include "connectors/mysql/binlog_stream/ddl_statement.h"
#include "connectors/mysql/mysql_source.h"

namespace sluice::mysql::binlog_stream {
namespace {

bool IsTxnWord(std::string_view sql, std::string_view word) {
  return sql.size() == word.size() && Lower(sql) == Lower(word);
}

}  // namespace

Status BinlogStream::Handle(std::string_view bytes, Batch& batch) {
  SLUICE_ASSIGN_OR_RETURN(binlog::Event e, framer_.Frame(bytes));
  const binlog::FormatDescription& f = framer_.format();
  const binlog::EventType type = e.type();
  if (type == binlog::EventType::kHeartbeat || type == binlog::EventType::kHeartbeatV2) {
    if (!in_txn_) lag_ms_ = 0;  // the server has nothing newer
    // A stream started by GTID learns its file:offset from the first real event; with none
    // after the GTID, the heartbeat (sent once everything is sent) says where the file ends.
    if (!in_txn_ && !positioned_ && !file_.empty() && e.header.log_pos != 0) {
      ReachBoundary(BinlogPosition{file_, e.header.log_pos});
      positioned_ = true;
    }
    return Status::OK();
  }
  // startup: timestamp: the first transaction (or statement) at or after the time ends the
  // skipping; this event is its first, as nothing is open.
  if (skip_before_seconds_ >= 0 && !in_txn_ && e.header.timestamp != 0 &&
      int64_t{e.header.timestamp} >= skip_before_seconds_) {
    skip_before_seconds_ = -1;
  }
  if (e.header.timestamp != 0) {
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    lag_ms_ = std::max<int64_t>(0, now_ms - int64_t{e.header.timestamp} * 1000);
  }
  // The table maps and rows of an XA transaction being prepared wait for its XA COMMIT.
  if (HoldXaEvent(type, bytes)) return Status::OK();
  switch (type) {
    case binlog::EventType::kRotate: {
      SLUICE_ASSIGN_OR_RETURN(binlog::RotateEvent r, binlog::ParseRotate(e, f));
      file_ = std::string(r.next_file);
      // A file ends between transactions: its start is a boundary too. (Not for a stream
      // started by GTID: the server's first ROTATE names the file, but not where in it.)
      if (!in_txn_ && positioned_) ReachBoundary(BinlogPosition{file_, r.position});
      return Status::OK();
    }
    case binlog::EventType::kMariaGtid: {
      SLUICE_ASSIGN_OR_RETURN(binlog::MariaGtidEvent g, binlog::ParseMariaGtid(e));
      in_txn_ = !g.standalone();
      txn_rows_out_ = false;
      if (g.flags & binlog::MariaGtidEvent::kPreparedXa) BeginXaGroup();
      break;
    }
    case binlog::EventType::kXaPrepare:
      SLUICE_RETURN_IF_ERROR(HandleXaPrepare(e));
      break;
    case binlog::EventType::kQuery:
    case binlog::EventType::kQueryCompressed:
      SLUICE_RETURN_IF_ERROR(HandleQuery(e, bytes, batch));
      // A TRUNCATE parked for the next batch: its end is reached when it is handled there.
      if (!pending_event_.empty()) return Status::OK();
      break;
    case binlog::EventType::kXid:
      in_txn_ = false;
      txn_rows_out_ = false;
      break;
    case binlog::EventType::kTableMap: {
      SLUICE_ASSIGN_OR_RETURN(binlog::TableMap map, binlog::ParseTableMap(e, f));
      const std::optional<size_t> t = TableOf(map);
      if (!t) {
        decoders_.erase(map.table_id);
        table_of_id_.erase(map.table_id);
        break;
      }
      Table& table = tables_[*t];
      // Not before the startup time or the table's own position: a statement there that
      // changed a type was passed over, as its rows are.
      const bool before_own = table.own && e.header.log_pos != 0 && EventEnd(e) <= *table.own;
      if (skip_before_seconds_ < 0 && !before_own) {
        SLUICE_RETURN_IF_ERROR(CheckSameColumns(*t, map));
        if (map.table_id != table.last_map.table_id) {  // rarely: a copy per reopening only
          table.last_map = map;
          table.swapped_in_by.clear();
        }
      }
      table.map_seen = true;
      const size_t width = table.schema.size();
      // A new column widens the batch being filled only when it holds this table's rows; a
      // batch of another table keeps its shape (ShapeFor reshapes it for this table later).
      Batch other;
      Batch& widened = batch.num_rows() > 0 && batch.source_table != table.label ? other : batch;
      SLUICE_ASSIGN_OR_RETURN(
          binlog::RowImageDecoder d,
          table.follower.Decoder(
              map, table.label,
              [this, t](const binlog::TableMap& m, size_t i) { return DefineNewColumn(*t, m, i); },
              row_options_, table.schema, table.defs, widened));
      if (table.schema.size() != width) {
        // The table's decoders of the old shape.
        std::erase_if(decoders_, [&](const auto& d) { return table_of_id_.at(d.first) == *t; });
      }
      decoders_.insert_or_assign(map.table_id, std::move(d));
      table_of_id_.insert_or_assign(map.table_id, *t);
      break;
    }
    case binlog::EventType::kTransactionPayload:
      // Skipping it would skip its rows: refuse rather than lose them.
      return Status::Invalid(
          "a compressed transaction (MySQL binlog_transaction_compression=ON) is not read in "
          "realtime yet: set binlog_transaction_compression=OFF");
    default:
      if (binlog::IsRowsEvent(type) || binlog::IsUnsupportedRowsEvent(type)) {
        SLUICE_ASSIGN_OR_RETURN(binlog::RowsEvent rows, binlog::ParseRowsEvent(e, f, inflated_));
        auto it = decoders_.find(rows.table_id);
        if (it != decoders_.end() && skip_before_seconds_ < 0) {
          const size_t t = table_of_id_.at(rows.table_id);
          // A table whose target already holds this transaction (its position is past it).
          const std::optional<BinlogPosition>& own = tables_[t].own;
          if (own && e.header.log_pos != 0 && EventEnd(e) <= *own) {
            break;
          }
          if (!ShapeFor(batch, t)) {
            pending_event_.assign(bytes);  // another table's rows: they open the next batch
            batch_ended_ = true;
            return Status::OK();
          }
          SLUICE_RETURN_IF_ERROR(it->second.Decode(rows, batch));
          txn_rows_out_ = true;
          // For change-event targets: the table, and the event's time (whole seconds: the
          // statement's start on the server, the closest the binlog has to a commit time).
          batch.source_table = tables_[t].label;
          batch.commit_millis.resize(batch.num_rows(), int64_t{e.header.timestamp} * 1000);
        }
      }
      break;
  }
  // Outside a transaction every event's end is a boundary (after XID/COMMIT, a standalone
  // statement, the FORMAT_DESCRIPTION and GTID_LIST of a new file). log_pos 0 marks events the
  // server made up for this session (the FORMAT_DESCRIPTION it resends).
  if (!in_txn_ && e.header.log_pos != 0) {
    ReachBoundary(BinlogPosition{file_, e.header.log_pos});
    positioned_ = true;
  }
  return Status::OK();
}

Status BinlogStream::HandleQuery(const binlog::Event& e, std::string_view bytes, Batch& batch) {
  SLUICE_ASSIGN_OR_RETURN(binlog::QueryEvent q, binlog::ParseQuery(e, framer_.format(), inflated_));
  if (IsTxnWord(q.sql, "BEGIN")) {
    in_txn_ = true;
    txn_rows_out_ = false;
    return Status::OK();
  }
  if (IsTxnWord(q.sql, "COMMIT") || IsTxnWord(q.sql, "ROLLBACK")) {
    in_txn_ = false;
    txn_rows_out_ = false;
    return Status::OK();
  }
  SLUICE_ASSIGN_OR_RETURN(bool xa, HandleXaStatement(q.sql, e));
  if (xa) return Status::OK();
  if (skip_before_seconds_ >= 0) return Status::OK();  // before the startup time
  // Any other statement is DDL (or statement-logged DML, refused by binlog_format=ROW).
  if (std::optional<CreatedTableName> made = ParseCreateTable(q.sql)) {
    const std::string db = made->db.empty() ? std::string(q.schema) : made->db;
    if (!TableNamed(db, made->name)) {
      // Another table is created (CREATE TABLE ... LIKE or AS SELECT one of ours changes
      // nothing of ours). Over source.tables the engine says whether the job's patterns
      // select it.
      if (many_) created_.push_back(CreatedTable{db, made->name, db == config_.url.database});
      return Status::OK();
    }
  }
  const StatementTables changed = TablesChangedBy(q.sql);
  if (changed.scope == StatementScope::kNoTable) return Status::OK();
  const std::vector<RenamedTable> renamed = RenamedTables(q.sql);
  if (!renamed.empty())
    SLUICE_RETURN_IF_ERROR(CheckSwapsOfStreamedTables(renamed, q.sql, q.schema));
  for (size_t t = 0; t < tables_.size(); ++t) {
    const MysqlConfig& c = tables_[t].config;
    // A table named exactly (MariaDB with lower_case_table_names=0 tells `Orders` from
    // `orders`) is matched by its case: the statement is another table's otherwise.
    if (!StatementChangesTable(changed, q.sql, q.schema, c.database, c.table, c.table_exact)) {
      continue;
    }
    // A table snapshotted after this statement (its own position lies past it: a table new to
    // the job, taken up by a later start) has its effect already, as it has the rows before.
    const std::optional<BinlogPosition>& own = tables_[t].own;
    if (own && e.header.log_pos != 0 && EventEnd(e) <= *own) {
      continue;
    }
    if (changed.scope == StatementScope::kRows) {
      return Status::Invalid(
          "{}: a change of the table was written to the binlog as a statement ({}), not as "
          "rows: a session ran with binlog_format=STATEMENT or MIXED; set binlog_format=ROW "
          "for every session (SET GLOBAL binlog_format=ROW, and in the server's configuration) "
          "and re-snapshot the table",
          tables_[t].label, q.sql);
    }
    if (!renamed.empty() && SwapOf(t, renamed, q.schema, nullptr) == SwapKind::kFollowed) {
      return HandleTableSwap(t, q.sql);
    }
    if (ClassifyTableDdl(q.sql) == TableDdl::kTruncate) {
      return HandleTruncate(t, int64_t{e.header.timestamp} * 1000, bytes, batch);
    }
    return HandleTableDdl(t, q.sql);
  }
  return Status::OK();
}

Status BinlogStream::HandleTruncate(size_t t, int64_t commit_millis, std::string_view bytes,
                                    Batch& batch) {
  SLUICE_ASSIGN_OR_RETURN(bool carry, CarryTruncate(tables_[t].config.truncate, tables_[t].label));
  if (!carry) return Status::OK();
  if (batch.num_rows() > 0 || batch.truncated) {
    pending_event_.assign(bytes);  // the next batch opens with it
    batch_ended_ = true;
    return Status::OK();
  }
  ShapeFor(batch, t);
  batch.truncated = true;
  batch.truncate_commit_millis = commit_millis;
  return Status::OK();
}

Status BinlogStream::HandleTableDdl(size_t t, std::string_view sql) {
  Table& table = tables_[t];
  // Added and dropped columns are followed by the names of the next TABLE_MAP
  // (table_map_follower.h); any other change stops the stream before a row is decoded against
  // a changed shape.
  std::vector<std::string> dropped;
  std::vector<std::string> modified;
  bool changes_columns = false;
  if (ClassifyTableDdl(sql, &dropped, &changes_columns, &modified) != TableDdl::kAddDropColumns) {
    return Status::Invalid(
        "{}: the table's definition changed in the binlog ({}): only ADD COLUMN, DROP COLUMN "
        "and a MODIFY that lengthens a text column are followed; re-snapshot the table and "
        "start a new job",
        table.label, sql);
  }
  // Indexes, storage options, a comment: the columns stay where they are.
  if (!changes_columns) return Status::OK();
  if (row_metadata_ != "full") {
    return Status::Invalid(
        "{}: a column was added or dropped at the source ({}), but the server writes "
        "binlog_row_metadata={}: the binlog has no column names to follow it by; set "
        "binlog_row_metadata=FULL (SET GLOBAL binlog_row_metadata=FULL, and in the server's "
        "configuration) before changing the table, and re-snapshot the job",
        table.label, sql, row_metadata_.empty() ? "(not supported)" : Upper(row_metadata_));
  }
  // The run never saw a column the statement drops (it started after the column's last
  // TABLE_MAP, when the catalog no longer had it): Next() learns it before it goes on.
  bool unknown = false;
  for (const std::string& name : dropped) {
    bool known = false;
    for (const Field& f : table.schema.fields) known = known || Lower(f.name) == Lower(name);
    unknown = unknown || !known;
  }
  if (unknown && !table.map_seen) unknown_drops_.push_back(UnknownDrop{t, dropped});
  // What a MODIFY did shows in the next TABLE_MAP, checked against the one before the
  // statement: learned from the binlog before the start when this run read none.
  if (!modified.empty()) {
    table.modified.insert(table.modified.end(), modified.begin(), modified.end());
    table.modified_by = std::string(sql);
    if (table.last_map.columns.empty()) unknown_drops_.push_back(UnknownDrop{t, {}, true});
  }
  // A dropped column is known as dropped from this statement on, not only from the table's
  // next TABLE_MAP: a checkpoint in between must carry it (core/schema_change.h), or a run
  // restarted from there would not know the column and leave its old values in place.
  table.follower.NoteColumnDdl(table.label, table.schema, dropped);
  return Status::OK();
}

Result<std::pair<Field, binlog::ColumnDef>> BinlogStream::DefineNewColumn(
    size_t t, const binlog::TableMap& map, size_t index) {
  const binlog::TableMapColumn& column = map.columns[index];
  // As the catalog types the column now, as Open typed the others (so a batch read agrees),
  // when its binlog type still fits that; a column dropped since has only the binlog's type.
  MysqlSource catalog(tables_[t].config);
  if (catalog.Open(request_).ok()) {
    for (const Field& f : catalog.schema().fields) {
      if (Lower(f.name) != Lower(column.name)) continue;
      binlog::ColumnDef def = CatalogColumnDef(catalog.table(), f);
      if (!binlog::PlanColumn(column, def, row_options_)) continue;
      // What the ADD COLUMN gave the rows already there, for the target's own (added_defaults.h).
      Schema added{{f}};
      SLUICE_RETURN_IF_ERROR(ReadAddedDefaults(tables_[t].config, added, 0));
      return std::make_pair(std::move(added.fields[0]), def);
    }
  }
  binlog::ColumnDef def = binlog::DefaultColumnDefs(map)[index];
  return std::make_pair(Field{def.name, def.type}, def);
}

}  // namespace sluice::mysql::binlog_stream
