#include "connectors/postgres/pg_split_reader.h"

#include <fmt/format.h>

namespace sluice::postgres {

std::string ReadPlan::WhereClause(const std::string& extra) const {
  std::string out;
  for (const std::string& c : conditions) out += (out.empty() ? " WHERE " : " AND ") + c;
  if (!extra.empty()) out += (out.empty() ? " WHERE " : " AND ") + extra;
  return out;
}

Result<std::unique_ptr<PgSplitReader>> PgSplitReader::Open(const ReadPlan& plan,
                                                           const KeyRange& range, int split_index) {
  std::unique_ptr<PgSplitReader> reader(new PgSplitReader(plan, split_index));
  const std::string context = fmt::format("postgres source {}", plan.label);
  Result<PgConnection> conn = PgConnection::Connect(plan.conninfo, "sluice reader");
  if (!conn) return Err(conn.error());
  reader->conn_ = std::move(*conn);
  if (!plan.snapshot.empty()) {
    SLUICE_RETURN_IF_ERROR(reader->conn_.Exec(
        fmt::format("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT {}",
                    QuoteLiteral(plan.snapshot)),
        context + ": importing the snapshot"));
  }
  std::string split = plan.key_sql.empty() ? "" : range.Condition(plan.key_sql, plan.key_type);
  std::string sql = fmt::format("COPY ({}{}) TO STDOUT (FORMAT binary)", plan.select_sql,
                                plan.WhereClause(split));
  auto busy = reader->conn_.Busy();
  PgResult started(PQexec(reader->conn_.get(), sql.c_str()));
  if (!started || started.status() != PGRES_COPY_OUT) {
    return Err(reader->conn_.Explain(ResultError(started.get(), reader->conn_.get(), context)));
  }
  reader->copying_ = true;
  return reader;
}

PgSplitReader::~PgSplitReader() {
  if (copying_ && conn_) {
    // Stopped early (an error elsewhere, a cancel): ask the server to stop sending rather
    // than let it stream the rest of the split into a closing socket.
    if (PGcancel* cancel = PQgetCancel(conn_.get())) {
      char err[256];
      PQcancel(cancel, err, sizeof(err));
      PQfreeCancel(cancel);
    }
  }
  if (done_) conn_.Recycle();
}

Status PgSplitReader::Finish() {
  copying_ = false;
  done_ = true;
  auto busy = conn_.Busy();
  PgResult final_result(PQgetResult(conn_.get()));
  const std::string context = fmt::format("postgres source {}", plan_.label);
  if (!final_result || final_result.status() != PGRES_COMMAND_OK) {
    return conn_.Explain(ResultError(final_result.get(), conn_.get(), context));
  }
  while (PGresult* extra = PQgetResult(conn_.get())) PQclear(extra);
  if (!plan_.snapshot.empty()) SLUICE_RETURN_IF_ERROR(conn_.Exec("COMMIT", context));
  return Status::OK();
}

Result<bool> PgSplitReader::Next(Batch& batch, RejectSink& rejects) {
  if (done_) return false;
  batch.split_index = split_index_;
  keep_.clear();
  bool any_rejected = false;
  bool more = true;
  while (!plan_.limits.Full(batch)) {
    char* buffer = nullptr;
    int len = 0;
    {
      // Per row: a server that sends no row for the stall timeout is stalled.
      auto busy = conn_.Busy();
      len = PQgetCopyData(conn_.get(), &buffer, /*async=*/0);
    }
    if (len == -1) {  // the COPY is complete
      SLUICE_RETURN_IF_ERROR(Finish());
      more = false;
      break;
    }
    if (len < 0) {
      copying_ = false;
      return Err(conn_.Explain(ResultError(
          nullptr, conn_.get(), fmt::format("postgres source {}: reading", plan_.label))));
    }
    Result<CopyDecoder::RowResult> row = decoder_.Decode(buffer, static_cast<size_t>(len), batch);
    PQfreemem(buffer);
    if (!row) return Err(row.error().WithContext(fmt::format("table {}", plan_.label)));
    if (*row == CopyDecoder::RowResult::kEnd) continue;  // the end result follows
    keep_.resize(batch.num_rows(), 1);
    if (*row == CopyDecoder::RowResult::kBadValue) {
      const size_t index = batch.num_rows() - 1;
      keep_[index] = 0;
      any_rejected = true;
      SLUICE_RETURN_IF_ERROR(rejects.Reject(
          plan_.schema, batch, index, "source",
          fmt::format("postgres source {}.{}: {} cannot be carried by type {} (special_values: "
                      "null reads it as NULL)",
                      plan_.label, plan_.schema.fields[decoder_.bad_column()].name,
                      decoder_.reason(),
                      TypeName(plan_.schema.fields[decoder_.bad_column()].type))));
    }
  }
  if (any_rejected) batch.Filter(keep_);
  size_t column = 0;
  std::string reason;
  if (const int64_t n = decoder_.TakeSubstituted(column, reason); n > 0) {
    rejects.NoteSubstituted(
        "special_values: null", n,
        fmt::format("{}.{}: {}", plan_.label, plan_.schema.fields[column].name, reason));
  }
  return more;
}

}  // namespace sluice::postgres
