#include "connectors/postgres/pg_sink_writer.h"

#include <fmt/format.h>

namespace sluice::postgres {
namespace {

constexpr const char* kSavepoint = "SAVEPOINT sluice_chunk";
constexpr const char* kRelease = "RELEASE SAVEPOINT sluice_chunk";
constexpr const char* kRollback =
    "ROLLBACK TO SAVEPOINT sluice_chunk; RELEASE SAVEPOINT sluice_chunk";

// Errors that belong to the rows sent, not to the target: bisecting finds the rows.
bool RowLevel(const std::string& state) {
  return state.starts_with("22") || state.starts_with("23") || state == "54000";
}

}  // namespace

namespace {

// The staging table's order value of a row: twice its number in the run, plus one when the row
// removes its key (a delete, or an update's old image), which change_merge_sql reads back.
// Doubling keeps the order of the row numbers.
int64_t StagedOrder(const Batch& batch, size_t row, int64_t row_base) {
  const RowKind kind = batch.kind(row);
  const bool removes = kind == RowKind::kDelete || kind == RowKind::kUpdateBefore;
  return (row_base + static_cast<int64_t>(row)) * 2 + (removes ? 1 : 0);
}

}  // namespace

PgSinkWriter::PgSinkWriter(PgConnection& conn, const TargetPlan& plan, const Schema& schema,
                           std::optional<std::string> fill, size_t buffer_bytes,
                           StagedKinds* staged)
    : conn_(conn),
      plan_(plan),
      schema_(schema),
      encoder_(plan.writes, plan.binary),
      buffer_bytes_(buffer_bytes),
      copy_sql_(plan.CopySql()),
      staged_(staged) {
  if (fill) encoder_.SetConstant(std::move(*fill));
  encoder_.SetRowNumbers(!plan.staging_ddl.empty());
  encoder_.SetKeepMasks(plan.keep_masks);
  buffer_.reserve(buffer_bytes_ + 64 * 1024);
}

Status PgSinkWriter::StartCopy() {
  // The release of the previous chunk's savepoint rides along with this chunk's statements.
  std::string sql = fmt::format("{}{}; {}", release_pending_ ? std::string(kRelease) + "; " : "",
                                kSavepoint, copy_sql_);
  release_pending_ = false;
  auto busy = conn_.Busy();
  PgResult r(PQexec(conn_.get(), sql.c_str()));
  if (!r || r.status() != PGRES_COPY_IN) {
    return conn_.Explain(ResultError(r.get(), conn_.get(), "postgres target " + plan_.label));
  }
  copying_ = true;
  chunk_bytes_ = 0;
  buffer_.clear();
  encoder_.Header(buffer_);
  return Status::OK();
}

Status PgSinkWriter::Send() {
  if (buffer_.empty()) return Status::OK();
  auto busy = conn_.Busy();
  if (PQputCopyData(conn_.get(), buffer_.data(), static_cast<int>(buffer_.size())) != 1) {
    return conn_.Explain(
        ResultError(nullptr, conn_.get(), "postgres target " + plan_.label + ": sending rows"));
  }
  chunk_bytes_ += buffer_.size();
  buffer_.clear();
  return Status::OK();
}

Status PgSinkWriter::AbortCopy(Status cause) {
  if (copying_) {
    copying_ = false;
    auto busy = conn_.Busy();
    PQputCopyEnd(conn_.get(), "sluice: the run stopped");
    while (PGresult* r = PQgetResult(conn_.get())) PQclear(r);
  }
  return cause;
}

Status PgSinkWriter::EndCopy(bool& ok, std::string& why) {
  encoder_.Trailer(buffer_);
  Status sent = Send();
  if (!sent.ok()) return AbortCopy(sent);
  copying_ = false;
  auto busy = conn_.Busy();
  if (PQputCopyEnd(conn_.get(), nullptr) != 1) {
    return conn_.Explain(
        ResultError(nullptr, conn_.get(), "postgres target " + plan_.label + ": ending COPY"));
  }
  PgResult r(PQgetResult(conn_.get()));
  while (PGresult* extra = PQgetResult(conn_.get())) PQclear(extra);
  if (r && r.status() == PGRES_COMMAND_OK) {
    ok = true;
    release_pending_ = true;
    return Status::OK();
  }
  const std::string state = SqlState(r.get());
  if (!RowLevel(state)) {
    return conn_.Explain(ResultError(r.get(), conn_.get(), "postgres target " + plan_.label));
  }
  ok = false;
  why = ResultMessage(r.get(), conn_.get());
  return conn_.Exec(kRollback, "postgres target " + plan_.label);
}

Status PgSinkWriter::Write(const Batch& batch, RejectSink& rejects) {
  return Append(batch, nullptr, rejects);
}

Status PgSinkWriter::WriteAndTake(std::unique_ptr<Batch>& batch, RejectSink& rejects) {
  return Append(*batch, &batch, rejects);
}

namespace {

// The written columns holding an unchanged cell in some row of `batch`.
std::vector<size_t> UnchangedColumns(const Batch& batch) {
  std::vector<size_t> out;
  for (size_t c = 0; c < batch.columns.size(); ++c) {
    const Column& col = batch.columns[c];
    if (!col.has_unchanged()) continue;
    for (size_t row = 0; row < col.size(); ++row) {
      if (col.IsUnchanged(row)) {
        out.push_back(c);
        break;
      }
    }
  }
  return out;
}

}  // namespace

Status MergeStaged(PgConnection& conn, const TargetPlan& plan, StagedKinds& staged,
                   const std::string& context, bool empty_stage) {
  if (plan.merge_sql.empty()) return Status::OK();
  if (staged.changes && staged.removes) {
    SLUICE_RETURN_IF_ERROR(
        conn.Exec(plan.change_delete_sql, context + ": deleting the staged removals"));
  }
  const std::string& merge = staged.changes ? plan.change_merge_sql : plan.merge_sql;
  SLUICE_RETURN_IF_ERROR(conn.Exec(merge, context + ": merging the staged rows"));
  staged = {};
  if (!empty_stage) return Status::OK();
  return conn.Exec("TRUNCATE " + QualifiedName("pg_temp", kStagingTable),
                   context + ": emptying the staging table");
}

Status PgSinkWriter::Append(const Batch& batch, std::unique_ptr<Batch>* owned,
                            RejectSink& rejects) {
  if (batch.columns.size() != plan_.writes.size()) {
    return Status::Internal("postgres target: batch has {} columns, expected {}",
                            batch.columns.size(), plan_.writes.size());
  }
  if (plan_.keep_masks && batch.HasUnchanged()) {
    const std::vector<size_t> columns = UnchangedColumns(batch);
    if (!columns.empty()) return AppendKeepingValues(batch, owned, rejects, columns);
  }
  return AppendRows(batch, owned, rejects);
}

Status PgSinkWriter::AppendKeepingValues(const Batch& batch, std::unique_ptr<Batch>* owned,
                                         RejectSink& rejects, const std::vector<size_t>& columns) {
  const std::string context = "postgres target " + plan_.label;
  // Rows staged before this batch go into the target first: the unchanged cells must take
  // the values as of this batch's start.
  if (copying_) SLUICE_RETURN_IF_ERROR(EndChunk(rejects));
  SLUICE_RETURN_IF_ERROR(MergeStaged(conn_, plan_, *staged_, context, /*empty_stage=*/true));
  SLUICE_RETURN_IF_ERROR(AppendRows(batch, owned, rejects));
  if (copying_) SLUICE_RETURN_IF_ERROR(EndChunk(rejects));
  const UnchangedFill fill = UnchangedFillSql(plan_, columns);
  SLUICE_RETURN_IF_ERROR(
      conn_.Exec(fill.update_sql, context + ": keeping the values updates left unchanged"));
  SLUICE_ASSIGN_OR_RETURN(PgResult left, conn_.Query(fill.unmatched_sql, context));
  const int64_t unmatched = left.Int(0, 0);
  if (unmatched > 0) {
    return Status::DataError(
        "{}: {} updated row(s) left a value unchanged (the source did not send it) but the "
        "target has no row with their key to keep it from: the target is missing rows the "
        "source has; re-snapshot the table (startup: initial)",
        context, unmatched);
  }
  return Status::OK();
}

Status PgSinkWriter::AppendRows(const Batch& batch, std::unique_ptr<Batch>* owned,
                                RejectSink& rejects) {
  for (RowKind kind : batch.row_kinds) {
    if (kind == RowKind::kInsert) continue;
    if (plan_.change_merge_sql.empty()) {
      return Status::Invalid(
          "postgres target {}: the stream has updates or deletes; applying them needs "
          "write_mode upsert (or replace) and a target.key whose columns are NOT NULL",
          plan_.label);
    }
    staged_->changes = true;
    if (kind != RowKind::kUpdateAfter) staged_->removes = true;
    if (staged_->removes) break;
  }
  rejects_ = &rejects;
  const size_t rows = batch.num_rows();
  if (rows == 0) return Status::OK();
  if (!copying_) SLUICE_RETURN_IF_ERROR(StartCopy());
  Pending& p = pending_.emplace_back();
  p.row_base = row_base_;
  row_base_ += static_cast<int64_t>(rows);
  std::string bad;
  size_t bad_column = 0;
  for (size_t row = 0; row < rows; ++row) {
    if (!encoder_.AppendRow(batch, row, StagedOrder(batch, row, p.row_base), buffer_, bad_column,
                            bad)) {
      Status st = rejects.Reject(schema_, batch, row, "target",
                                 fmt::format("postgres target {}.{}: {}", plan_.label,
                                             schema_.fields[bad_column].name, bad));
      if (!st.ok()) return AbortCopy(st);
      continue;
    }
    p.rows.push_back(static_cast<uint32_t>(row));
    if (buffer_.size() >= buffer_bytes_) {
      Status sent = Send();
      if (!sent.ok()) return AbortCopy(sent);
    }
  }
  // Kept until the chunk is through, in case its rows must be copied again one by one: moved
  // out of a batch the caller gave away (its vectors change hands), copied otherwise.
  if (owned != nullptr) {
    p.batch = std::move(**owned);
    owned->reset();
  } else {
    p.batch = batch;
  }
  if (chunk_bytes_ + buffer_.size() >= kChunkBytes) return EndChunk(rejects);
  return Status::OK();
}

Status PgSinkWriter::EndChunk(RejectSink& rejects) {
  bool ok = false;
  std::string why;
  SLUICE_RETURN_IF_ERROR(EndCopy(ok, why));
  if (!ok) {
    std::vector<RowRef> refs;
    for (uint32_t b = 0; b < pending_.size(); ++b) {
      for (uint32_t row : pending_[b].rows) refs.emplace_back(b, row);
    }
    if (refs.size() == 1) {
      const Pending& p = pending_[refs[0].first];
      SLUICE_RETURN_IF_ERROR(
          rejects.Reject(schema_, p.batch, refs[0].second, "target",
                         fmt::format("postgres target {}: {}", plan_.label, why)));
    } else {
      SLUICE_RETURN_IF_ERROR(Bisect(refs, 0, refs.size(), rejects));
    }
  }
  pending_.clear();
  return Status::OK();
}

Status PgSinkWriter::CopyRows(const std::vector<RowRef>& refs, size_t lo, size_t hi, bool& ok,
                              std::string& why) {
  SLUICE_RETURN_IF_ERROR(StartCopy());
  std::string bad;
  size_t bad_column = 0;
  for (size_t i = lo; i < hi; ++i) {
    const Pending& p = pending_[refs[i].first];
    const uint32_t row = refs[i].second;
    if (!encoder_.AppendRow(p.batch, row, StagedOrder(p.batch, row, p.row_base), buffer_,
                            bad_column, bad)) {
      return AbortCopy(
          Status::Internal("postgres target: row {} encoded once but not twice: {}", row, bad));
    }
    if (buffer_.size() >= buffer_bytes_) {
      Status sent = Send();
      if (!sent.ok()) return AbortCopy(sent);
    }
  }
  return EndCopy(ok, why);
}

Status PgSinkWriter::Bisect(const std::vector<RowRef>& refs, size_t lo, size_t hi,
                            RejectSink& rejects) {
  const size_t mid = lo + (hi - lo) / 2;
  for (auto [a, b] : {std::pair{lo, mid}, std::pair{mid, hi}}) {
    if (a == b) continue;
    bool ok = false;
    std::string why;
    SLUICE_RETURN_IF_ERROR(CopyRows(refs, a, b, ok, why));
    if (ok) continue;
    if (b - a == 1) {
      const Pending& p = pending_[refs[a].first];
      SLUICE_RETURN_IF_ERROR(
          rejects.Reject(schema_, p.batch, refs[a].second, "target",
                         fmt::format("postgres target {}: {}", plan_.label, why)));
      continue;
    }
    SLUICE_RETURN_IF_ERROR(Bisect(refs, a, b, rejects));
  }
  return Status::OK();
}

Status PgSinkWriter::Truncate(const Batch& /*batch*/) {
  const std::string context = "postgres target " + plan_.label;
  if (copying_) {
    // The open chunk's rows are gone at the source: its COPY is cut off and rolled back to
    // the chunk's savepoint (the rows of earlier chunks stay until the TRUNCATE below).
    (void)AbortCopy(Status::OK());
    SLUICE_RETURN_IF_ERROR(conn_.Exec(kRollback, context));
  }
  pending_.clear();
  if (!plan_.staging_ddl.empty()) {
    SLUICE_RETURN_IF_ERROR(conn_.Exec("TRUNCATE " + QualifiedName("pg_temp", kStagingTable),
                                      context + ": emptying the staged rows"));
    if (staged_ != nullptr) *staged_ = {};
  }
  // TRUNCATE, as the source did: transactional in PostgreSQL, committed by the checkpoint.
  return conn_.Exec("TRUNCATE " + plan_.dest, context + ": emptying the table");
}

Status PgSinkWriter::Finish() {
  if (copying_) {
    // The last chunk: its bad rows go to the RejectSink the batches came with (the engine
    // passes one RejectSink to every Write() and keeps it until after Finish()).
    if (rejects_ == nullptr) return AbortCopy(Status::Internal("postgres target: no RejectSink"));
    SLUICE_RETURN_IF_ERROR(EndChunk(*rejects_));
  }
  if (!release_pending_) return Status::OK();
  release_pending_ = false;
  return conn_.Exec(kRelease, "postgres target " + plan_.label);
}

}  // namespace sluice::postgres
