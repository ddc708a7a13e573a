#include "connectors/sqlite/sqlite_split_reader.h"

#include <fmt/format.h>

namespace sluice::sqlite {

Result<std::unique_ptr<SqliteSplitReader>> SqliteSplitReader::Open(const ReadPlan& plan,
                                                                   const KeyRange& range,
                                                                   int split_index) {
  std::unique_ptr<SqliteSplitReader> reader(new SqliteSplitReader());
  reader->table_ = plan.table;
  reader->id_label_ = plan.id_label;
  reader->limits_ = plan.limits;
  reader->split_index_ = split_index;
  SLUICE_ASSIGN_OR_RETURN(reader->db_,
                          Database::Open(plan.path, SQLITE_OPEN_READONLY, plan.busy_timeout_ms));

  Filter filter = plan.filter;
  if (!plan.key_expr.empty()) range.AddTo(plan.key_expr, filter);
  std::string sql = plan.select_sql + filter.WhereClause();
  Result<Statement> stmt = reader->db_.Prepare(sql);
  if (!stmt) return Err(stmt.error().WithContext("sqlite source"));
  reader->stmt_ = std::move(*stmt);
  SLUICE_RETURN_IF_ERROR(filter.BindTo(reader->stmt_));

  for (const Field& f : plan.schema.fields) {
    reader->decoders_.emplace_back(f.type, plan.zone);
    reader->reject_schema_.fields.push_back(Field{f.name, DataType::Of(TypeId::kString), true});
  }
  reader->cells_.resize(plan.schema.size());
  reader->reject_batch_ = Batch(reader->reject_schema_);
  return reader;
}

Result<bool> SqliteSplitReader::Next(Batch& batch, RejectSink& rejects) {
  batch.split_index = split_index_;
  if (done_) return false;
  const size_t ncols = decoders_.size();
  if (batch.columns.size() != ncols) {
    return Err(Status::Internal("sqlite source: batch has {} columns, the read selects {}",
                                batch.columns.size(), ncols));
  }
  sqlite3_stmt* stmt = stmt_.get();
  while (!limits_.Full(batch)) {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) {
      done_ = true;
      stmt_.Reset();  // ends the read transaction now rather than when the reader is dropped
      return false;
    }
    if (rc != SQLITE_ROW) {
      return Err(SqliteError(db_.get(), rc, fmt::format("sqlite source: reading {}", table_)));
    }
    size_t bad = ncols;
    for (size_t c = 0; c < ncols; ++c) {
      if (!decoders_[c].Decode(stmt, static_cast<int>(c), cells_[c], why_)) {
        bad = c;
        break;
      }
    }
    if (bad < ncols) {
      SLUICE_RETURN_IF_ERROR(RejectRow(rejects, bad, why_));
      continue;
    }
    for (size_t c = 0; c < ncols; ++c) cells_[c].AppendTo(batch.columns[c]);
    if (ncols == 0) ++batch.row_count_without_columns;
  }
  return true;
}

Status SqliteSplitReader::RejectRow(RejectSink& rejects, size_t column, const std::string& why) {
  sqlite3_stmt* stmt = stmt_.get();
  reject_batch_.Clear();
  for (size_t c = 0; c < reject_batch_.columns.size(); ++c) {
    int col = static_cast<int>(c);
    Column& out = reject_batch_.columns[c];
    switch (sqlite3_column_type(stmt, col)) {
      case SQLITE_NULL:
        out.AppendNull();
        break;
      case SQLITE_BLOB:
        out.AppendBytes(ColumnValue(stmt, col).ToSqlLiteral());
        break;
      default: {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, col));
        out.AppendBytes(std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt, col))));
      }
    }
  }
  std::string reason = fmt::format("{}.{}: {}", table_, reject_schema_.fields[column].name, why);
  if (!id_label_.empty()) {
    // The id is selected after the columns.
    int id_col = static_cast<int>(reject_batch_.columns.size());
    reason += fmt::format(" ({} {})", id_label_, ColumnValue(stmt, id_col).ToSqlLiteral());
  }
  return rejects.Reject(reject_schema_, reject_batch_, 0, "source", reason);
}

}  // namespace sluice::sqlite
