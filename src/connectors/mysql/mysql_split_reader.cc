#include "connectors/mysql/mysql_split_reader.h"

#include <fmt/format.h>

namespace sluice::mysql {

Result<std::unique_ptr<MysqlSplitReader>> MysqlSplitReader::Open(const ReadPlan& plan,
                                                                 const KeyRange& range,
                                                                 int split_index, Connection conn) {
  std::unique_ptr<MysqlSplitReader> reader(new MysqlSplitReader());
  reader->table_ = plan.table_label;
  reader->limits_ = plan.limits;
  reader->split_index_ = split_index;
  if (!conn) {
    Result<Connection> opened = Connection::Open(plan.url);
    if (!opened) return Err(opened.error().WithContext("mysql source"));
    conn = std::move(*opened);
    reader->own_connection_ = true;
  }
  reader->conn_ = std::move(conn);

  std::vector<std::string> conditions = plan.conditions;
  if (!plan.key_sql.empty()) {
    std::string bounds = range.Condition(plan.key_sql);
    if (!bounds.empty()) conditions.push_back(std::move(bounds));
  }
  const std::string sql = plan.select_sql + WhereClause(conditions);
  MYSQL* m = reader->conn_.get();
  auto busy = reader->conn_.Busy();
  if (mysql_real_query(m, sql.data(), sql.size()) != 0) {
    return Err(reader->conn_.LastError(fmt::format("mysql source: reading {}", plan.table_label)));
  }
  reader->result_ = mysql_use_result(m);
  if (reader->result_ == nullptr) {
    return Err(reader->conn_.LastError(fmt::format("mysql source: reading {}", plan.table_label)));
  }
  for (size_t i = 0; i < plan.schema.size(); ++i) {
    reader->decoders_.emplace_back(plan.kinds[i], plan.zero_date, plan.zone);
    reader->reject_schema_.fields.push_back(
        Field{plan.schema.fields[i].name, DataType::Of(TypeId::kString), true});
  }
  reader->cells_.resize(plan.schema.size());
  reader->reject_batch_ = Batch(reader->reject_schema_);
  return reader;
}

MysqlSplitReader::~MysqlSplitReader() {
  if (result_ != nullptr && !done_) {
    // Freeing an unfinished streamed result would read (and drop) every remaining row first;
    // cutting the connection makes that fail at once instead.
    mariadb_cancel(conn_.get());
  }
  Finish();
  // A snapshot connection (handed in) ends with its reader; one of our own that read to the
  // end is idle and can serve the next table.
  if (done_ && own_connection_) conn_.Recycle();
}

void MysqlSplitReader::Finish() {
  if (result_ != nullptr) mysql_free_result(result_);
  result_ = nullptr;
}

Result<bool> MysqlSplitReader::Next(Batch& batch, RejectSink& rejects) {
  Result<bool> more = NextRows(batch, rejects);
  ReportSubstituted(rejects);
  return more;
}

void MysqlSplitReader::ReportSubstituted(RejectSink& rejects) {
  std::string first;
  for (size_t c = 0; c < decoders_.size(); ++c) {
    if (const int64_t n = decoders_[c].TakeSubstituted(first); n > 0) {
      rejects.NoteSubstituted(
          "zero_date: null", n,
          fmt::format("{}.{}: '{}'", table_, reject_schema_.fields[c].name, first));
    }
  }
}

Result<bool> MysqlSplitReader::NextRows(Batch& batch, RejectSink& rejects) {
  batch.split_index = split_index_;
  if (done_) return false;
  const size_t ncols = decoders_.size();
  if (batch.columns.size() != ncols) {
    return Err(Status::Internal("mysql source: batch has {} columns, the read selects {}",
                                batch.columns.size(), ncols));
  }
  while (!limits_.Full(batch)) {
    MYSQL_ROW row = nullptr;
    {
      // Per row: a server that sends no row for the stall timeout is stalled.
      auto busy = conn_.Busy();
      row = mysql_fetch_row(result_);
    }
    if (row == nullptr) {
      if (mysql_errno(conn_.get()) != 0) {
        return Err(conn_.LastError(fmt::format("mysql source: reading {}", table_)));
      }
      done_ = true;
      Finish();
      // Ends a snapshot transaction, if any, now rather than when the reader is dropped.
      if (!keep_transaction_) (void)conn_.Exec("COMMIT");
      return false;
    }
    const unsigned long* lengths = mysql_fetch_lengths(result_);
    size_t bad = ncols;
    for (size_t c = 0; c < ncols; ++c) {
      if (!decoders_[c].Decode(row[c], lengths[c], cells_[c], why_)) {
        bad = c;
        break;
      }
    }
    if (bad < ncols) {
      SLUICE_RETURN_IF_ERROR(RejectRow(rejects, row, lengths, bad, why_));
      continue;
    }
    for (size_t c = 0; c < ncols; ++c) cells_[c].AppendTo(batch.columns[c]);
    if (ncols == 0) ++batch.row_count_without_columns;
  }
  return true;
}

Status MysqlSplitReader::RejectRow(RejectSink& rejects, MYSQL_ROW row, const unsigned long* lengths,
                                   size_t column, const std::string& why) {
  reject_batch_.Clear();
  for (size_t c = 0; c < reject_batch_.columns.size(); ++c) {
    if (row[c] == nullptr) {
      reject_batch_.columns[c].AppendNull();
    } else {
      reject_batch_.columns[c].AppendBytes(std::string_view(row[c], lengths[c]));
    }
  }
  return rejects.Reject(reject_schema_, reject_batch_, 0, "source",
                        fmt::format("{}.{}: {}", table_, reject_schema_.fields[column].name, why));
}

}  // namespace sluice::mysql
