// BinlogFilesStream's event handling (binlog_files_stream.h): each event of the files turned
// into batch rows, transaction boundaries and DDL decisions.
#include "connectors/mysql/binlog/control_events.h"
#include "connectors/mysql/binlog/rows_event.h"
#include "connectors/mysql/binlog/table_map.h"
#include "connectors/mysql/binlog_files/binlog_files_stream.h"
#include "connectors/mysql/binlog_stream/ascii_case.h"
#include "connectors/mysql/binlog_stream/ddl_statement.h"

namespace sluice::mysql::binlog_files {
namespace {

using binlog_stream::Lower;

bool IsTxnWord(std::string_view sql, std::string_view word) {
  return sql.size() == word.size() && Lower(sql) == Lower(word);
}

}  // namespace

Status BinlogFilesStream::Handle(const binlog::Event& e, Batch& batch) {
  Status st = [&]() -> Status {
    switch (e.type()) {
      case binlog::EventType::kMariaGtid: {
        SLUICE_ASSIGN_OR_RETURN(binlog::MariaGtidEvent g, binlog::ParseMariaGtid(e));
        if (!g.standalone()) {
          in_txn_ = true;
          txn_start_ = FilePosition{file_index_, reader_->event_offset()};
        }
        xa_prepare_group_ = (g.flags & binlog::MariaGtidEvent::kPreparedXa) != 0;
        return Status::OK();
      }
      case binlog::EventType::kQuery:
      case binlog::EventType::kQueryCompressed:
        return HandleQuery(e, batch);
      case binlog::EventType::kXid:
        in_txn_ = false;
        txn_rows_ = false;
        return Status::OK();
      case binlog::EventType::kTableMap:
        return HandleTableMap(e, batch);
      case binlog::EventType::kTransactionPayload: {
        if (payload_) return Status::DataError("a TRANSACTION_PAYLOAD inside another");
        SLUICE_ASSIGN_OR_RETURN(binlog::TransactionPayload payload,
                                binlog::ParseTransactionPayload(e));
        SLUICE_ASSIGN_OR_RETURN(binlog::PayloadEvents inner,
                                binlog::PayloadEvents::Open(payload, payload_buffer_));
        payload_.emplace(std::move(inner));
        return Status::OK();
      }
      default:
        if (binlog::IsRowsEvent(e.type()) || binlog::IsUnsupportedRowsEvent(e.type())) {
          return HandleRows(e, batch);
        }
        return Status::OK();
    }
  }();
  if (st.ok()) return st;
  return Locate(st, e);
}

Status BinlogFilesStream::HandleQuery(const binlog::Event& e, Batch& batch) {
  SLUICE_ASSIGN_OR_RETURN(binlog::QueryEvent q,
                          binlog::ParseQuery(e, reader_->framer().format(), inflated_));
  if (IsTxnWord(q.sql, "BEGIN")) {
    if (!in_txn_) txn_start_ = FilePosition{file_index_, reader_->event_offset()};
    in_txn_ = true;
    return Status::OK();
  }
  if (IsTxnWord(q.sql, "COMMIT") || IsTxnWord(q.sql, "ROLLBACK")) {
    in_txn_ = false;
    txn_rows_ = false;
    return Status::OK();
  }
  // Any other statement is DDL, or a change written as a statement.
  const binlog_stream::StatementTables changed = binlog_stream::TablesChangedBy(q.sql);
  for (size_t t = 0; t < tables_.size(); ++t) {
    const Table& table = tables_[t];
    if (!binlog_stream::StatementChangesTable(changed, q.sql, q.schema, table.database, table.name,
                                              table.exact)) {
      continue;
    }
    // DDL before the TABLE_MAP the schema comes from (CREATE TABLE, an ALTER before the first
    // rows) is already in the schema. A change written as a statement never is: its rows are
    // not in the files, wherever it is.
    const bool rows = changed.scope == binlog_stream::StatementScope::kRows;
    if (!rows && FilePosition{file_index_, reader_->event_offset()} < table.first_map) continue;
    if (rows) {
      return Status::Invalid(
          "{}: a change of the table was written to the binlog as a statement ({}), not as "
          "rows (the session ran with binlog_format=STATEMENT or MIXED): its rows are not in "
          "the files",
          table.label, q.sql);
    }
    if (binlog_stream::ClassifyTableDdl(q.sql) == binlog_stream::TableDdl::kTruncate) {
      return HandleTruncate(t, e, batch);
    }
    return HandleTableDdl(t, q.sql);
  }
  return Status::OK();
}

Status BinlogFilesStream::HandleTruncate(size_t t, const binlog::Event& e, Batch& batch) {
  SLUICE_ASSIGN_OR_RETURN(bool carry, CarryTruncate(config_.truncate, tables_[t].label));
  if (!carry) return Status::OK();
  if (batch.num_rows() > 0 || batch.truncated) {
    // The next batch opens with it (its end is placed there).
    pending_ = PendingEvent{e.header, std::string(e.bytes),
                            static_cast<size_t>(e.body.data() - e.bytes.data()), e.body.size()};
    batch_ended_ = true;
    return Status::OK();
  }
  ShapeFor(batch, t);
  batch.truncated = true;
  batch.truncate_commit_millis = int64_t{e.header.timestamp} * 1000;
  return Status::OK();
}

Status BinlogFilesStream::HandleTableDdl(size_t t, std::string_view sql) {
  Table& table = tables_[t];
  std::vector<std::string> dropped;
  std::vector<std::string> modified;  // MODIFY, CHANGE: followed by the live stream only
  if (binlog_stream::ClassifyTableDdl(sql, &dropped, nullptr, &modified) !=
          binlog_stream::TableDdl::kAddDropColumns ||
      !modified.empty()) {
    return Status::Invalid(
        "{}: the table's definition changed in the binlog ({}): only ADD COLUMN and DROP "
        "COLUMN are followed",
        table.label, sql);
  }
  // Offline there is no catalog to ask which value an added column gave the rows already
  // there: a statement that gives one stops the stream (a false alarm stops a job, a miss would
  // leave wrong NULLs).
  if (binlog_stream::AddedColumnsFillExistingRows(sql)) {
    return Status::Invalid(
        "{}: a column was added with a value for the rows already there ({}): DEFAULT, NOT "
        "NULL, AUTO_INCREMENT or a generated column fill rows the binlog never shows, and "
        "offline there is no server to read them from; load the table again from a snapshot "
        "taken after the ALTER",
        table.label, sql);
  }
  table.follower.NoteColumnDdl(table.label, table.schema, dropped);
  return Status::OK();
}

Status BinlogFilesStream::HandleTableMap(const binlog::Event& e, Batch& batch) {
  SLUICE_ASSIGN_OR_RETURN(binlog::TableMap map,
                          binlog::ParseTableMap(e, reader_->framer().format()));
  const std::optional<size_t> t = TableOf(map.schema, map.table);
  if (!t) {
    decoders_.erase(map.table_id);
    table_of_id_.erase(map.table_id);
    return Status::OK();
  }
  Table& table = tables_[*t];
  if (!map.has_names && config_.unnamed_columns == UnnamedColumns::kRefuse) {
    return Status::Invalid(
        "table {}: the binlog has no column names for it (binlog_row_metadata=MINIMAL): set "
        "unnamed_columns: positional to read its columns by position",
        table.label);
  }
  const size_t width = table.schema.size();
  // A new column widens the batch being filled only when it holds this table's rows.
  Batch other;
  Batch& widened = batch.num_rows() > 0 && batch.source_table != table.label ? other : batch;
  auto define = [](const binlog::TableMap& m,
                   size_t i) -> Result<std::pair<Field, binlog::ColumnDef>> {
    binlog::ColumnDef def = binlog::DefaultColumnDefs(m)[i];
    return std::make_pair(Field{def.name, def.type}, def);
  };
  SLUICE_ASSIGN_OR_RETURN(binlog::RowImageDecoder d,
                          table.follower.Decoder(map, table.label, define, row_options_,
                                                 table.schema, table.defs, widened));
  if (table.schema.size() != width) {
    std::erase_if(decoders_, [&](const auto& entry) { return table_of_id_.at(entry.first) == *t; });
  }
  decoders_.insert_or_assign(map.table_id, std::move(d));
  table_of_id_.insert_or_assign(map.table_id, *t);
  return Status::OK();
}

Status BinlogFilesStream::HandleRows(const binlog::Event& e, Batch& batch) {
  SLUICE_ASSIGN_OR_RETURN(binlog::RowsEvent rows,
                          binlog::ParseRowsEvent(e, reader_->framer().format(), inflated_));
  auto it = decoders_.find(rows.table_id);
  if (it == decoders_.end()) return Status::OK();
  const size_t t = table_of_id_.at(rows.table_id);
  // A table whose target already holds this transaction (its own position is past it).
  const std::optional<FilePosition>& own = tables_[t].own;
  if (own && FilePosition{file_index_, reader_->next_offset()} <= *own) return Status::OK();
  if (xa_prepare_group_) {
    // Written at XA PREPARE: whether they ever committed is told later (XA COMMIT or XA
    // ROLLBACK). Applied now, a rolled-back transaction would reach the target.
    return Status::Invalid(
        "{}: rows of an XA transaction, written at its XA PREPARE: reading XA transactions from "
        "binlog files is not supported (a live source holds them until their XA COMMIT); read "
        "these changes from the server (source.url without binlog_files)",
        tables_[t].label);
  }
  if (!ShapeFor(batch, t)) {
    // Another table's rows: they open the next batch.
    PendingEvent p{e.header, std::string(e.bytes),
                   static_cast<size_t>(e.body.data() - e.bytes.data()), e.body.size()};
    pending_ = std::move(p);
    batch_ended_ = true;
    return Status::OK();
  }
  const size_t before = batch.num_rows();
  SLUICE_RETURN_IF_ERROR(it->second.Decode(rows, batch));
  batch.source_table = tables_[t].label;
  batch.commit_millis.resize(batch.num_rows(), int64_t{e.header.timestamp} * 1000);
  if (in_txn_ && batch.num_rows() > before) txn_rows_ = true;
  return Status::OK();
}

}  // namespace sluice::mysql::binlog_files
