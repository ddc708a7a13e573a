#include "connectors/mysql/mysql_sink.h"

#include <fmt/format.h>

#include "connectors/mysql/mysql_checkpoint_session.h"
#include "connectors/mysql/mysql_table.h"
#include "connectors/sql_common/checkpoint_commit.h"

namespace sluice::mysql {
namespace {
constexpr std::string_view kRole = "mysql target";

// A delete, or an update's old image: the staged row's remove flag (mysql_change_merge.h).
bool RemovesKey(RowKind kind) {
  return kind == RowKind::kDelete || kind == RowKind::kUpdateBefore;
}
}  // namespace

MysqlSink::~MysqlSink() {
  (void)Abort();
}

Result<bool> MysqlSink::Recover(const PendingRun& pending) {
  Result<Connection> conn = Connection::Open(config_.url);
  if (!conn) return Err(conn.error().WithContext(fmt::format("{}: recover", kRole)));
  // The killed run's transaction died with its connection (the server rolls it back); should
  // its process still be alive somewhere, the raised fence keeps it from ever committing.
  MysqlCheckpointSession session(*conn, fmt::format("{}: recover", kRole));
  Result<bool> found =
      sql_common::RecoverRun(session, MysqlPositionsTable(config_.database), pending, {});
  if (found) conn->Recycle();
  return found;
}

Result<std::vector<StreamPosition>> MysqlSink::CommittedPositions(const std::string& job) {
  Result<Connection> conn = Connection::Open(config_.url);
  if (!conn) return Err(conn.error().WithContext(kRole));
  MysqlCheckpointSession session(*conn, std::string(kRole));
  SLUICE_ASSIGN_OR_RETURN(
      std::vector<StreamPosition> positions,
      sql_common::ReadPositions(session, MysqlPositionsTable(config_.database), job));
  conn->Recycle();
  return positions;
}

Result<std::vector<std::string>> MysqlSink::Plan(const WriteRequest& request) {
  Result<Connection> conn = Connection::Open(config_.url);
  if (!conn) return Err(conn.error().WithContext(kRole));
  SLUICE_ASSIGN_OR_RETURN(TargetPlan plan, BuildTargetPlan(*conn, config_, request));
  std::vector<std::string> steps;
  const sql_common::PositionsTable positions = MysqlPositionsTable(config_.database);
  steps.push_back(positions.create_sql);
  steps.push_back(fmt::format("raise the fence of job {} in {} (its own transaction)",
                              request.job_name, positions.label));
  steps.push_back(plan.create_sql.empty()
                      ? fmt::format("table {} exists; columns fit", plan.Label())
                      : plan.create_sql);
  if (!plan.staging_sql.empty()) steps.push_back(plan.staging_sql);
  steps.push_back("SET autocommit = 0");
  for (const std::string& sql : config_.pre_sql) steps.push_back(sql);
  if (!plan.delete_sql.empty()) steps.push_back(plan.delete_sql);
  steps.push_back(plan.load_sql + "  -- once per batch");
  if (!plan.merge_head.empty())
    steps.push_back(plan.MergeSql(std::nullopt) + "  -- once per batch of inserts");
  if (!plan.change_delete_sql.empty()) {
    steps.push_back(plan.change_delete_sql + "  -- once per checkpoint with updates or deletes");
    steps.push_back(plan.change_insert_sql + "  -- the same checkpoint");
  }
  for (const std::string& sql : config_.post_sql) steps.push_back(sql);
  steps.push_back(
      fmt::format("UPDATE {} SET run_id = <run id> WHERE job = <job> AND stream = '' "
                  "AND fence <= <fence> -- one row, or the lease was lost",
                  positions.name));
  steps.push_back("COMMIT");
  conn->Recycle();  // read-only use: idle, reusable by the next table's check
  return steps;
}

Result<std::string> MysqlSink::Prepare(const WriteRequest& request) {
  SLUICE_RETURN_IF_ERROR(Abort());
  request_ = request;
  Result<Connection> conn = Connection::Open(config_.url, /*local_infile=*/true);
  if (!conn) return Err(conn.error().WithContext(kRole));
  conn_ = std::move(*conn);
  Status st = PrepareSession();
  if (!st.ok()) {
    (void)Abort();
    return Err(std::move(st));
  }
  return std::string();
}

Status MysqlSink::PrepareSession() {
  // A realtime run follows columns its source gained (AddColumns); after a kill between the
  // checkpoint before such a change and the ALTER, the table lacks them still.
  if (request_.realtime) SLUICE_RETURN_IF_ERROR(AddMissingColumns(request_.schema.Names()));
  SLUICE_ASSIGN_OR_RETURN(plan_, BuildTargetPlan(conn_, config_, request_));
  // DDL commits implicitly in MySQL, so it all happens before the run's transaction. The
  // positions table and the fence first: a process that lost the job creates nothing.
  {
    MysqlCheckpointSession session(conn_, fmt::format("{} {}", kRole, plan_.Label()));
    SLUICE_RETURN_IF_ERROR(sql_common::StartRun(session, MysqlPositionsTable(config_.database),
                                                request_.job_name, request_.fence));
  }
  if (!plan_.create_sql.empty()) {
    SLUICE_RETURN_IF_ERROR(conn_.Exec(plan_.create_sql)
                               .WithContext(fmt::format("{}: creating {}", kRole, plan_.Label())));
    created_table_ = true;
  }
  if (!plan_.staging_sql.empty()) {
    SLUICE_RETURN_IF_ERROR(
        conn_.Exec(plan_.staging_sql).WithContext(fmt::format("{}: staging table", kRole)));
  }
  SLUICE_RETURN_IF_ERROR(BeginTransaction());
  for (const std::string& sql : config_.pre_sql) {
    SLUICE_RETURN_IF_ERROR(conn_.Exec(sql).WithContext(fmt::format("{}: pre_sql", kRole)));
  }
  if (!plan_.delete_sql.empty()) {
    // Inside the run's transaction (DELETE, not TRUNCATE, which would commit): the old rows
    // disappear only if the new ones commit.
    SLUICE_RETURN_IF_ERROR(
        conn_.Exec(plan_.delete_sql).WithContext(fmt::format("{}: overwrite", kRole)));
  }
  loader_ = std::make_unique<Loader>(conn_, plan_, request_.mode);
  loader_->Install();
  return Status::OK();
}

Status MysqlSink::AddMissingColumns(const std::vector<std::string>& columns) {
  SLUICE_ASSIGN_OR_RETURN(std::vector<std::string> ddl,
                          AddColumnsSql(conn_, config_, request_, columns));
  for (const std::string& sql : ddl) {
    SLUICE_RETURN_IF_ERROR(
        conn_.Exec(sql).WithContext(fmt::format("{}: following the source's columns", kRole)));
  }
  return Status::OK();
}

Status MysqlSink::AddColumns(const WriteRequest& request, const std::vector<std::string>& columns) {
  if (!in_transaction_ || !loader_) {
    return Status::Internal("mysql target: AddColumns before Prepare");
  }
  // The engine checkpointed just before: the open transaction holds nothing. The ALTER commits
  // implicitly, so it runs outside it, and before the rows of the new shape.
  SLUICE_RETURN_IF_ERROR(conn_.Exec("ROLLBACK").WithContext(kRole));
  in_transaction_ = false;
  loader_.reset();
  SLUICE_RETURN_IF_ERROR(conn_.Exec("SET autocommit = 1").WithContext(kRole));
  request_ = request;
  SLUICE_RETURN_IF_ERROR(AddMissingColumns(columns));
  SLUICE_ASSIGN_OR_RETURN(plan_, BuildTargetPlan(conn_, config_, request_));
  if (!plan_.staging_sql.empty()) {
    // The session's staging table has the old columns: make it again.
    SLUICE_RETURN_IF_ERROR(conn_
                               .Exec("DROP TEMPORARY TABLE IF EXISTS " +
                                     QuoteQualified(plan_.database, std::string(kStagingTable)))
                               .WithContext(fmt::format("{}: staging table", kRole)));
    SLUICE_RETURN_IF_ERROR(
        conn_.Exec(plan_.staging_sql).WithContext(fmt::format("{}: staging table", kRole)));
  }
  SLUICE_RETURN_IF_ERROR(BeginTransaction());
  loader_ = std::make_unique<Loader>(conn_, plan_, request_.mode);
  loader_->Install();
  return Status::OK();
}

Status MysqlSink::BeginTransaction() {
  // autocommit = 0 rather than START TRANSACTION: should a pre_sql statement commit
  // implicitly (DDL), the statements after it still run in a transaction, not one by one.
  SLUICE_RETURN_IF_ERROR(conn_.Exec("SET autocommit = 0").WithContext(kRole));
  in_transaction_ = true;
  return Status::OK();
}

Result<std::unique_ptr<SinkWriter>> MysqlSink::OpenWriter() {
  if (!loader_) return Err(Status::Internal("mysql target: OpenWriter before Prepare"));
  return std::unique_ptr<SinkWriter>(new MysqlSinkWriter(*this));
}

Status MysqlSink::Checkpoint(const std::vector<StreamPosition>& positions) {
  if (request_.mode == WriteMode::kOverwrite) {
    return Status::Invalid(
        "{} {}: write_mode overwrite cannot checkpoint: the first checkpoint would commit the "
        "DELETE and leave the table holding only part of the rows; use append, upsert, replace "
        "or ignore for a run that goes on",
        kRole, plan_.Label());
  }
  SLUICE_RETURN_IF_ERROR(CommitRun(positions, /*final=*/false));
  created_table_ = false;  // it holds committed rows now: Abort must not drop it
  return Status::OK();
}

Status MysqlSink::CommitWithPositions(const std::vector<StreamPosition>& positions) {
  SLUICE_RETURN_IF_ERROR(CommitRun(positions, /*final=*/true));
  in_transaction_ = false;
  created_table_ = false;  // committed: the table is the run's result now
  loader_.reset();
  // Without a session-scoped staging table left behind, the connection is clean.
  if (plan_.staging_sql.empty() && conn_.Exec("SET autocommit = 1").ok()) {
    conn_.Recycle();
  } else {
    conn_.Close();
  }
  return Status::OK();
}

Status MysqlSink::CommitRun(const std::vector<StreamPosition>& positions, bool final) {
  if (!in_transaction_) return Status::Internal("mysql target: commit without Prepare");
  if (final) {
    for (const std::string& sql : config_.post_sql) {
      SLUICE_RETURN_IF_ERROR(conn_.Exec(sql).WithContext(fmt::format("{}: post_sql", kRole)));
    }
  }
  // Upsert merges inserts batch by batch (mysql_loader.h); a change stream stays staged until
  // here and is applied in the checkpoint's own transaction, beside the position.
  if (changes_staged_) {
    SLUICE_RETURN_IF_ERROR(loader_->MergeChanges());
    changes_staged_ = false;
  }
  MysqlCheckpointSession session(conn_, fmt::format("{} {}", kRole, plan_.Label()));
  return sql_common::CommitCheckpoint(
      session, MysqlPositionsTable(config_.database),
      sql_common::RunIdentity{request_.job_name, request_.run_id, request_.fence}, positions,
      /*begin_next=*/!final);
}

Status MysqlSink::Abort() {
  loader_.reset();
  changes_staged_ = false;
  Status st;
  if (in_transaction_ && conn_)
    st = conn_.Exec("ROLLBACK").WithContext(fmt::format("{}: rollback", kRole));
  in_transaction_ = false;
  if (created_table_) {
    // Only on a connection that just rolled back: a broken one is not worth a reconnect that
    // could hang a run already failing.
    Status dropped =
        st.ok() && conn_ ? DropCreatedTable() : Status::IoError("its connection is gone");
    if (!dropped.ok() && st.ok()) {
      st = Status::IoError(
          "{}: the failed run leaves the table {} it created ({}); drop it if "
          "it is not wanted",
          kRole, plan_.Label(), dropped.message());
    }
    created_table_ = false;
  }
  // Closing drops the temporary staging table and, should ROLLBACK have failed, makes the
  // server roll the transaction back.
  conn_.Close();
  return st;
}

Status MysqlSink::DropCreatedTable() {
  const std::string table = QuoteQualified(plan_.database, plan_.table);
  // Only while empty: another job writing to the same table may have committed rows into it
  // since this run created it.
  SLUICE_ASSIGN_OR_RETURN(std::optional<Row> row,
                          conn_.QueryRow(fmt::format("SELECT 1 FROM {} LIMIT 1", table)));
  if (row) return Status::Conflict("it holds rows another run committed");
  SLUICE_RETURN_IF_ERROR(conn_.Exec("SET autocommit = 1"));
  return conn_.Exec("DROP TABLE " + table);
}

MysqlSinkWriter::MysqlSinkWriter(MysqlSink& sink) : sink_(sink) {
  const std::vector<Field>& fields = sink.request_.schema.fields;
  for (size_t i = 0; i < fields.size(); ++i) {
    encoders_.emplace_back(fields[i].type, sink.plan_.classes[i], sink.config_.TargetZone());
  }
}

namespace {

// The written fields holding an unchanged cell in some row of `batch`.
std::vector<size_t> UnchangedFields(const Batch& batch) {
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

void MysqlSinkWriter::AppendKeepMask(const Batch& batch, size_t row, std::string& out) {
  mask_.clear();
  for (size_t c = 0; c < batch.columns.size(); ++c) {
    const Column& col = batch.columns[c];
    if (!col.has_unchanged() || !col.IsUnchanged(row)) continue;
    if (mask_.empty()) mask_.resize((batch.columns.size() + 7) / 8, 0);
    mask_[c / 8] |= static_cast<uint8_t>(1u << (c % 8));
  }
  if (mask_.empty()) {
    out += "\t\\N";
    return;
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += '\t';
  for (uint8_t b : mask_) {
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
}

Status MysqlSinkWriter::Write(const Batch& batch, RejectSink& rejects) {
  if (!sink_.plan_.keep_masks || !batch.HasUnchanged()) return WriteRows(batch, rejects);
  const std::vector<size_t> fields = UnchangedFields(batch);
  if (fields.empty()) return WriteRows(batch, rejects);
  // Rows staged before this batch go into the target first: the unchanged cells must take the
  // values as of this batch's start. Then this batch is staged, and its unchanged cells take
  // the target's values by key.
  if (sink_.changes_staged_) SLUICE_RETURN_IF_ERROR(sink_.loader_->MergeChanges());
  SLUICE_RETURN_IF_ERROR(WriteRows(batch, rejects));
  const UnchangedFill fill = UnchangedFillSql(sink_.plan_, fields);
  const std::string context = fmt::format(
      "mysql target {}: keeping the values updates left unchanged", sink_.plan_.Label());
  SLUICE_RETURN_IF_ERROR(sink_.conn_.Exec(fill.fill_sql).WithContext(context));
  SLUICE_RETURN_IF_ERROR(sink_.conn_.Exec(fill.clear_sql).WithContext(context));
  SLUICE_ASSIGN_OR_RETURN(std::optional<Row> left, sink_.conn_.QueryRow(fill.unmatched_sql));
  if (left && (*left)[0] && *(*left)[0] != "0") {
    return Status::DataError(
        "mysql target {}: {} updated row(s) left a value unchanged (the source did not send it) "
        "but the table has no row with their key to keep it from: the table is missing rows the "
        "source has; re-snapshot it (startup: initial)",
        sink_.plan_.Label(), *(*left)[0]);
  }
  return Status::OK();
}

Status MysqlSinkWriter::WriteRows(const Batch& batch, RejectSink& rejects) {
  const Schema& schema = sink_.request_.schema;
  const size_t ncols = encoders_.size();
  if (batch.columns.size() != ncols) {
    return Status::Internal("mysql target: batch has {} columns, expected {}", batch.columns.size(),
                            ncols);
  }
  for (RowKind kind : batch.row_kinds) {
    if (kind == RowKind::kInsert) continue;
    if (sink_.plan_.change_insert_sql.empty()) {
      return Status::Invalid(
          "mysql target {}: the stream has updates or deletes; applying them needs "
          "write_mode upsert and target.key",
          sink_.plan_.Label());
    }
    // From here to the checkpoint every row stays staged, so changes to one key apply in
    // source order (mysql_change_merge.h).
    sink_.changes_staged_ = true;
    break;
  }
  const bool staging = !sink_.plan_.staging_sql.empty();
  const std::string& label = sink_.plan_.Label();
  rows_.Clear();
  const size_t nrows = batch.num_rows();
  for (size_t row = 0; row < nrows; ++row) {
    const size_t start = rows_.data.size();
    size_t bad = ncols;
    for (size_t c = 0; c < ncols; ++c) {
      if (c > 0) rows_.data += '\t';
      why_.clear();
      if (!encoders_[c].Append(batch.columns[c], row, rows_.data, why_)) {
        bad = c;
        break;
      }
    }
    if (bad == ncols && sink_.changes_staged_) bad = NullKeyField(batch, row);
    if (bad < ncols) {
      rows_.data.resize(start);
      if (why_.empty())
        why_ = "NULL in a key column (target.key): a change finds its row by the key";
      SLUICE_RETURN_IF_ERROR(rejects.Reject(
          schema, batch, row, "target",
          fmt::format("mysql target {}.{}: {}", label, schema.fields[bad].name, why_)));
      continue;
    }
    if (staging) rows_.data += RemovesKey(batch.kind(row)) ? "\t1" : "\t0";
    if (sink_.plan_.keep_masks) AppendKeepMask(batch, row, rows_.data);
    rows_.data += '\n';
    rows_.ends.push_back(rows_.data.size());
    rows_.batch_rows.push_back(static_cast<uint32_t>(row));
  }
  return sink_.loader_->Load(
      rows_,
      [&](uint32_t row, const std::string& reason) {
        return rejects.Reject(schema, batch, row, "target", reason);
      },
      /*stage_only=*/sink_.changes_staged_);
}

Status MysqlSinkWriter::Truncate(const Batch& /*batch*/) {
  // The staged changes came before the TRUNCATE: the rows they would make are gone.
  if (sink_.changes_staged_) {
    SLUICE_RETURN_IF_ERROR(sink_.loader_->DiscardStaged());
    sink_.changes_staged_ = false;
  }
  return sink_.conn_.Exec(sink_.plan_.empty_sql)
      .WithContext(fmt::format("{}: emptying {}", kRole, sink_.plan_.Label()));
}

size_t MysqlSinkWriter::NullKeyField(const Batch& batch, size_t row) const {
  for (size_t field : sink_.plan_.key_fields) {
    if (batch.columns[field].IsNull(row)) return field;
  }
  return encoders_.size();
}

}  // namespace sluice::mysql
