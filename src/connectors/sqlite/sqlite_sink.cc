#include "connectors/sqlite/sqlite_sink.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "connectors/sql_common/added_default.h"
#include "connectors/sql_common/checkpoint_commit.h"
#include "connectors/sqlite/sqlite_checkpoint_session.h"
#include "connectors/sqlite/sqlite_dropped_columns.h"
#include "connectors/sqlite/sqlite_table.h"

namespace sluice::sqlite {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool NeedsKey(WriteMode mode) {
  return mode == WriteMode::kUpsert || mode == WriteMode::kReplace || mode == WriteMode::kIgnore;
}

std::string CreateTableSql(const std::string& table, const WriteRequest& request) {
  std::set<std::string> keys;
  for (const std::string& k : request.key) keys.insert(Lower(k));
  std::string sql = "CREATE TABLE " + QuoteIdent(table) + " (";
  for (size_t i = 0; i < request.schema.fields.size(); ++i) {
    const Field& f = request.schema.fields[i];
    if (i > 0) sql += ", ";
    sql += QuoteIdent(f.name);
    std::string declared = DeclaredTypeFor(f.type);
    if (!declared.empty()) sql += " " + declared;
    // SQLite lets primary-key columns of rowid tables hold NULL unless told otherwise.
    if (!f.nullable || keys.count(Lower(f.name)) > 0) sql += " NOT NULL";
  }
  if (!request.key.empty()) {
    sql += ", PRIMARY KEY (";
    for (size_t i = 0; i < request.key.size(); ++i) {
      sql += (i > 0 ? ", " : "") + QuoteIdent(request.key[i]);
    }
    sql += ")";
  }
  return sql + ")";
}

std::string InsertSql(const std::string& table, const std::vector<std::string>& columns,
                      const WriteRequest& request) {
  std::string cols;
  std::string params;
  for (size_t i = 0; i < columns.size(); ++i) {
    cols += (i > 0 ? ", " : "") + QuoteIdent(columns[i]);
    params += fmt::format("{}?{}", i > 0 ? ", " : "", i + 1);
  }
  const char* verb = request.mode == WriteMode::kReplace ? "INSERT OR REPLACE" : "INSERT";
  std::string sql =
      fmt::format("{} INTO {} ({}) VALUES ({})", verb, QuoteIdent(table), cols, params);
  if (request.mode != WriteMode::kUpsert && request.mode != WriteMode::kIgnore) return sql;
  // ON CONFLICT (key) rather than INSERT OR IGNORE: only a key collision keeps the old row;
  // a NOT NULL or CHECK violation still rejects the row instead of dropping it silently.
  std::set<std::string> keys;
  std::string key_list;
  for (size_t i = 0; i < request.key.size(); ++i) {
    keys.insert(Lower(request.key[i]));
    key_list += (i > 0 ? ", " : "") + QuoteIdent(request.key[i]);
  }
  std::string updates;
  if (request.mode == WriteMode::kUpsert) {
    for (const std::string& c : columns) {
      if (keys.count(Lower(c)) > 0) continue;
      updates += fmt::format("{}{} = excluded.{}", updates.empty() ? "" : ", ", QuoteIdent(c),
                             QuoteIdent(c));
    }
  }
  if (updates.empty()) return sql + fmt::format(" ON CONFLICT ({}) DO NOTHING", key_list);
  return sql + fmt::format(" ON CONFLICT ({}) DO UPDATE SET {}", key_list, updates);
}

Status ValidateRequest(const WriteRequest& request) {
  if (request.schema.fields.empty()) return Status::Invalid("sqlite target: no columns to write");
  if (NeedsKey(request.mode) && request.key.empty()) {
    return Status::Invalid("sqlite target: write_mode {} needs target.key",
                           WriteModeName(request.mode));
  }
  for (const std::string& k : request.key) {
    if (!request.schema.IndexOf(k)) {
      return Status::Invalid(
          "sqlite target: key column '{}' is not among the incoming columns ({})", k,
          request.schema.ToString());
    }
  }
  return Status::OK();
}

}  // namespace

SqliteSink::~SqliteSink() {
  (void)Abort();
}

Result<SqliteSink::TargetPlan> SqliteSink::BuildPlan(Database* db,
                                                     const WriteRequest& request) const {
  SLUICE_RETURN_IF_ERROR(ValidateRequest(request));
  std::optional<TableInfo> table;
  if (db != nullptr) {
    Result<std::optional<TableInfo>> loaded = LoadTableInfo(*db, config_.table);
    if (!loaded) return Err(loaded.error().WithContext("sqlite target"));
    table = std::move(*loaded);
  }
  TargetPlan plan;
  std::vector<std::string> columns;
  if (!table) {
    if (config_.create_table == CreateTable::kNever) {
      return Err(
          Status::NotFound("sqlite target: table '{}' not found in {} and create_table is never",
                           config_.table, config_.path));
    }
    plan.table = config_.table;
    plan.create_sql = CreateTableSql(config_.table, request);
    for (const Field& f : request.schema.fields) {
      columns.push_back(f.name);
      plan.affinities.push_back(AffinityOf(DeclaredTypeFor(f.type)));
    }
  } else {
    if (table->is_view) {
      return Err(Status::Conflict("sqlite target: {} is a view, not a table", table->name));
    }
    plan.table = table->name;
    // Every problem at once, before anything is written.
    std::vector<std::string> problems;
    for (const Field& f : request.schema.fields) {
      std::optional<size_t> index = table->Find(f.name);
      if (!index) {
        problems.push_back(fmt::format("column '{}' missing", f.name));
        continue;
      }
      const TableColumn& c = table->columns[*index];
      std::string why = CheckWritable(f.type, c.declared);
      if (!why.empty()) problems.push_back(fmt::format("column '{}' is {}", c.name, why));
      why = NullRuleConflict(f, c.name, c.not_null);
      if (!why.empty()) problems.push_back(std::move(why));
      columns.push_back(c.name);
      plan.affinities.push_back(AffinityOf(c.declared));
    }
    if (!problems.empty()) {
      std::string list;
      for (const std::string& p : problems) list += (list.empty() ? "" : "; ") + p;
      return Err(Status::Conflict("sqlite target: target table {} in {}: {}", table->name,
                                  config_.path, list));
    }
    if (NeedsKey(request.mode)) {
      SLUICE_RETURN_IF_ERROR(CheckUniqueKey(*db, table->name, request.key));
    }
  }
  plan.insert_sql = InsertSql(plan.table, columns, request);
  if (request.mode == WriteMode::kUpsert || request.mode == WriteMode::kReplace) {
    std::string where;
    for (size_t k = 0; k < request.key.size(); ++k) {
      size_t field = columns.size();
      for (size_t i = 0; i < columns.size(); ++i) {
        if (Lower(request.schema.fields[i].name) == Lower(request.key[k])) field = i;
      }
      if (field == columns.size()) {
        return Err(
            Status::Invalid("sqlite target {}: key column '{}' is not among the columns "
                            "written",
                            plan.table, request.key[k]));
      }
      plan.key_fields.push_back(field);
      where += fmt::format("{}{} = ?{}", k > 0 ? " AND " : "", QuoteIdent(columns[field]), k + 1);
    }
    plan.delete_sql = fmt::format("DELETE FROM {} WHERE {}", QuoteIdent(plan.table), where);
  }
  plan.columns = columns;
  return plan;
}

// upsert/replace/ignore decide by the key; without a PRIMARY KEY or UNIQUE index on exactly
// those columns SQLite would not see a conflict and would duplicate rows instead.
Status SqliteSink::CheckUniqueKey(Database& db, const std::string& table,
                                  const std::vector<std::string>& key) const {
  std::set<std::string> wanted;
  for (const std::string& k : key) wanted.insert(Lower(k));
  SLUICE_ASSIGN_OR_RETURN(std::optional<TableInfo> info, LoadTableInfo(db, table));
  if (info && key.size() == 1) {
    std::optional<size_t> alias = info->RowidAlias();
    if (alias && Lower(info->columns[*alias].name) == *wanted.begin()) return Status::OK();
  }
  SLUICE_ASSIGN_OR_RETURN(
      Statement indexes,
      db.Prepare("SELECT il.name, ii.name FROM pragma_index_list(?1) AS il "
                 "JOIN pragma_index_info(il.name) AS ii WHERE il.\"unique\" AND il.partial = 0 "
                 "ORDER BY il.name"));
  SLUICE_RETURN_IF_ERROR(indexes.Bind(1, SqlValue::Text(table)));
  std::map<std::string, std::set<std::string>> unique;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(bool row, indexes.Step());
    if (!row) break;
    SqlValue index = ColumnValue(indexes.get(), 0);
    SqlValue column = ColumnValue(indexes.get(), 1);
    unique[index.s].insert(Lower(column.s));
  }
  for (const auto& [name, columns] : unique) {
    if (columns == wanted) return Status::OK();
  }
  std::string key_list;
  for (const std::string& k : key) key_list += (key_list.empty() ? "" : ", ") + k;
  return Status::Conflict(
      "sqlite target: table {} has no PRIMARY KEY or UNIQUE index on ({}), which write_mode "
      "upsert/replace/ignore needs to find existing rows",
      table, key_list);
}

Result<std::vector<std::string>> SqliteSink::Plan(const WriteRequest& request) {
  std::vector<std::string> steps;
  Database db;
  std::error_code ec;
  const bool exists = std::filesystem::is_regular_file(config_.path, ec);
  if (exists) {
    Result<Database> opened =
        Database::Open(config_.path, SQLITE_OPEN_READONLY, config_.busy_timeout_ms);
    if (!opened) return Err(opened.error().WithContext("sqlite target"));
    db = std::move(*opened);
  } else {
    steps.push_back(fmt::format("create database file {}", config_.path));
  }
  SLUICE_ASSIGN_OR_RETURN(TargetPlan plan, BuildPlan(exists ? &db : nullptr, request));
  if (exists && plan.create_sql.empty()) {
    // Preparing compiles the statement against the schema without running it.
    Result<Statement> insert = db.Prepare(plan.insert_sql);
    if (!insert) return Err(insert.error().WithContext("sqlite target"));
  }
  const sql_common::PositionsTable positions = SqlitePositionsTable();
  steps.push_back("PRAGMA journal_mode=WAL");
  steps.push_back(positions.create_sql);
  steps.push_back(fmt::format("raise the fence of job {} in {} (its own transaction)",
                              request.job_name, positions.label));
  steps.push_back("BEGIN IMMEDIATE");
  steps.push_back(plan.create_sql.empty()
                      ? fmt::format("table {} exists; columns match", plan.table)
                      : plan.create_sql);
  for (const std::string& sql : config_.pre_sql) steps.push_back(sql);
  if (request.mode == WriteMode::kOverwrite)
    steps.push_back("DELETE FROM " + QuoteIdent(plan.table));
  steps.push_back(plan.insert_sql);
  for (const std::string& sql : config_.post_sql) steps.push_back(sql);
  steps.push_back(
      fmt::format("UPDATE {} SET run_id = <run id> WHERE job = <job> AND stream = '' "
                  "AND fence <= <fence> -- one row, or the lease was lost",
                  positions.name));
  steps.push_back("COMMIT");
  return steps;
}

Result<std::string> SqliteSink::Prepare(const WriteRequest& request) {
  SLUICE_RETURN_IF_ERROR(Abort());
  SLUICE_RETURN_IF_ERROR(ValidateRequest(request));
  request_ = request;
  std::filesystem::path parent = std::filesystem::path(config_.path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) {
    return Err(Status::IoError("sqlite target: cannot create directory {}: {}", parent.string(),
                               ec.message()));
  }
  Result<Database> db = Database::Open(config_.path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                       config_.busy_timeout_ms);
  if (!db) return Err(db.error().WithContext("sqlite target"));
  db_ = std::move(*db);
  // WAL: readers keep reading while the run writes, and COMMIT needs no exclusive lock. The
  // mode is stored in the file. synchronous=FULL makes COMMIT durable (NORMAL would not be, in
  // WAL mode); it costs one fsync per run. A larger cache helps big single transactions.
  Status st = db_.Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-65536")
                  .WithContext("sqlite target");
  // A realtime run follows columns its source gained (AddColumns); after a kill between the
  // checkpoint before such a change and the ALTER, the table lacks them still.
  if (st.ok() && request.realtime) st = AddMissingColumns(request.schema.Names());
  if (st.ok()) {
    // A target that does not fit is refused before anything is written to the file.
    Result<TargetPlan> probe = BuildPlan(&db_, request);
    if (!probe) st = probe.error();
  }
  if (st.ok()) {
    // The positions table and the fence in a transaction of their own, committed before the
    // run's: a raised fence must hold even if this run fails.
    SqliteCheckpointSession session(db_, "sqlite target " + config_.path);
    st = sql_common::StartRun(session, SqlitePositionsTable(), request.job_name, request.fence);
  }
  if (st.ok()) st = db_.Exec("BEGIN IMMEDIATE").WithContext("sqlite target");
  if (!st.ok()) {
    db_ = Database();
    return Err(std::move(st));
  }
  Result<TargetPlan> plan = BuildPlan(&db_, request);
  if (!plan) st = plan.error();
  if (st.ok()) st = PrepareInTransaction(*plan);
  if (!st.ok()) {
    (void)Abort();
    return Err(std::move(st));
  }
  return std::string();
}

Status SqliteSink::PrepareInTransaction(const TargetPlan& plan) {
  plan_ = plan;
  if (!plan.create_sql.empty()) {
    SLUICE_RETURN_IF_ERROR(db_.Exec(plan.create_sql).WithContext("sqlite target"));
  }
  for (const std::string& sql : config_.pre_sql) {
    SLUICE_RETURN_IF_ERROR(db_.Exec(sql).WithContext("sqlite target: pre_sql"));
  }
  if (request_.mode == WriteMode::kOverwrite) {
    // Inside the run's transaction: the old rows disappear only if the new ones commit.
    SLUICE_RETURN_IF_ERROR(
        db_.Exec("DELETE FROM " + QuoteIdent(plan.table)).WithContext("sqlite target"));
  }
  return PrepareStatements();
}

Status SqliteSink::PrepareStatements() {
  Result<Statement> insert = db_.Prepare(plan_.insert_sql);
  if (!insert) return insert.error().WithContext("sqlite target");
  insert_ = std::move(*insert);
  delete_ = Statement();
  if (!plan_.delete_sql.empty()) {
    Result<Statement> erase = db_.Prepare(plan_.delete_sql);
    if (!erase) return erase.error().WithContext("sqlite target");
    delete_ = std::move(*erase);
  }
  return Status::OK();
}

Status SqliteSink::AddMissingColumns(const std::vector<std::string>& columns) {
  Result<std::optional<TableInfo>> table = LoadTableInfo(db_, config_.table);
  if (!table) return table.error().WithContext("sqlite target");
  if (!table->has_value()) return Status::OK();  // Prepare creates it with every column
  for (const std::string& name : columns) {
    const std::optional<size_t> index = request_.schema.IndexOf(name);
    if (!index || (*table)->Find(name)) continue;
    const Field& f = request_.schema.fields[*index];
    const std::string declared = DeclaredTypeFor(f.type);
    // Nullable whatever the source says: the rows already in the table may have no value. They
    // get what the source gave its own existing rows, if that was a constant.
    SLUICE_ASSIGN_OR_RETURN(std::string fill, sql_common::AddedDefaultClause(
                                                  f, "sqlite target " + (*table)->name,
                                                  [](std::string_view v) { return QuoteText(v); }));
    SLUICE_RETURN_IF_ERROR(db_.Exec("ALTER TABLE " + QuoteIdent((*table)->name) + " ADD COLUMN " +
                                    QuoteIdent(f.name) + (declared.empty() ? "" : " " + declared) +
                                    fill)
                               .WithContext("sqlite target: a column the source gained"));
  }
  return CheckDroppedColumnsTakeNull(**table, request_);
}

Status SqliteSink::AddColumns(const WriteRequest& request,
                              const std::vector<std::string>& columns) {
  if (!insert_) return Status::Internal("sqlite target: AddColumns before Prepare");
  insert_ = Statement();
  delete_ = Statement();
  request_ = request;
  SLUICE_RETURN_IF_ERROR(AddMissingColumns(columns));
  SLUICE_ASSIGN_OR_RETURN(plan_, BuildPlan(&db_, request_));
  return PrepareStatements();
}

Result<std::unique_ptr<SinkWriter>> SqliteSink::OpenWriter() {
  if (!insert_) return Err(Status::Internal("sqlite target: OpenWriter before Prepare"));
  return std::unique_ptr<SinkWriter>(new SqliteSinkWriter(*this));
}

Status SqliteSink::Checkpoint(const std::vector<StreamPosition>& positions) {
  if (request_.mode == WriteMode::kOverwrite) {
    return Status::Invalid(
        "sqlite target {}: write_mode overwrite cannot checkpoint: the first checkpoint would "
        "commit the DELETE and leave the table holding only part of the rows; use append, "
        "upsert, replace or ignore for a run that goes on",
        plan_.table);
  }
  // The next transaction begins at once (BEGIN IMMEDIATE): the run keeps SQLite's one write
  // lock from checkpoint to checkpoint, releasing it only for the instant between them.
  return CommitRun(positions, /*final=*/false);
}

Status SqliteSink::CommitWithPositions(const std::vector<StreamPosition>& positions) {
  insert_ = Statement();
  delete_ = Statement();
  SLUICE_RETURN_IF_ERROR(CommitRun(positions, /*final=*/true));
  db_ = Database();
  return Status::OK();
}

Status SqliteSink::CommitRun(const std::vector<StreamPosition>& positions, bool final) {
  if (!db_.InTransaction()) return Status::Internal("sqlite target: commit without Prepare");
  if (final) {
    for (const std::string& sql : config_.post_sql) {
      SLUICE_RETURN_IF_ERROR(db_.Exec(sql).WithContext("sqlite target: post_sql"));
    }
  }
  SqliteCheckpointSession session(db_,
                                  fmt::format("sqlite target {} in {}", plan_.table, config_.path));
  return sql_common::CommitCheckpoint(
      session, SqlitePositionsTable(),
      sql_common::RunIdentity{request_.job_name, request_.run_id, request_.fence}, positions,
      /*begin_next=*/!final);
}

Status SqliteSink::Abort() {
  insert_ = Statement();
  Status st;
  if (db_.InTransaction()) st = db_.Exec("ROLLBACK").WithContext("sqlite target: rollback");
  db_ = Database();
  return st;
}

Result<bool> SqliteSink::Recover(const PendingRun& pending) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(config_.path, ec)) return false;
  // Read-write, so that SQLite can roll back what an interrupted transaction left, and so
  // that the fence can be raised.
  Result<Database> db =
      Database::Open(config_.path, SQLITE_OPEN_READWRITE, config_.busy_timeout_ms);
  if (!db) return Err(db.error().WithContext("sqlite target: recover"));
  SqliteCheckpointSession session(*db, "sqlite target " + config_.path + ": recover");
  return sql_common::RecoverRun(session, SqlitePositionsTable(), pending, {});
}

Result<std::vector<StreamPosition>> SqliteSink::CommittedPositions(const std::string& job) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(config_.path, ec)) return std::vector<StreamPosition>();
  Result<Database> db = Database::Open(config_.path, SQLITE_OPEN_READONLY, config_.busy_timeout_ms);
  if (!db) return Err(db.error().WithContext("sqlite target"));
  SqliteCheckpointSession session(*db, "sqlite target " + config_.path);
  return sql_common::ReadPositions(session, SqlitePositionsTable(), job);
}

SqliteSinkWriter::SqliteSinkWriter(SqliteSink& sink) : sink_(sink) {
  const std::vector<Field>& fields = sink.request_.schema.fields;
  for (size_t i = 0; i < fields.size(); ++i) {
    encoders_.emplace_back(fields[i].type, sink.plan_.affinities[i]);
    all_fields_.push_back(i);
  }
}

Status SqliteSinkWriter::Write(const Batch& batch, RejectSink& rejects) {
  const size_t ncols = encoders_.size();
  if (batch.columns.size() != ncols) {
    return Status::Internal("sqlite target: batch has {} columns, expected {}",
                            batch.columns.size(), ncols);
  }
  sqlite3_stmt* insert = sink_.insert_.get();
  sqlite3_stmt* erase = sink_.delete_.get();
  const size_t rows = batch.num_rows();
  const bool changes = !batch.row_kinds.empty();
  for (size_t row = 0; row < rows; ++row) {
    const RowKind kind = changes ? batch.row_kinds[row] : RowKind::kInsert;
    if (kind == RowKind::kUpdateAfter && batch.HasUnchanged() && erase != nullptr) {
      SLUICE_RETURN_IF_ERROR(ApplyKeepingValues(batch, row, rejects));
      continue;
    }
    if (kind == RowKind::kInsert || kind == RowKind::kUpdateAfter) {
      SLUICE_RETURN_IF_ERROR(Apply(insert, batch, row, all_fields_, rejects));
      continue;
    }
    if (erase == nullptr) {
      return Status::Invalid(
          "sqlite target {}: the stream has updates or deletes; applying them needs "
          "write_mode upsert (or replace) and target.key",
          sink_.plan_.table);
    }
    if (kind == RowKind::kUpdateBefore && row + 1 < rows &&
        batch.row_kinds[row + 1] == RowKind::kUpdateAfter && SameKey(batch, row, row + 1)) {
      continue;  // an update in place: the after image's upsert is all it takes
    }
    SLUICE_RETURN_IF_ERROR(Apply(erase, batch, row, sink_.plan_.key_fields, rejects));
  }
  return Status::OK();
}

bool SqliteSinkWriter::SameKey(const Batch& batch, size_t a, size_t b) const {
  for (size_t field : sink_.plan_.key_fields) {
    const Column& col = batch.columns[field];
    if (col.IsNull(a) != col.IsNull(b)) return false;
    if (col.IsNull(a)) continue;
    if (col.is_var() ? col.GetView(a) != col.GetView(b) : col.GetInt(a) != col.GetInt(b)) {
      return false;
    }
  }
  return true;
}

Status SqliteSinkWriter::ApplyKeepingValues(const Batch& batch, size_t row, RejectSink& rejects) {
  const SqliteSink::TargetPlan& plan = sink_.plan_;
  std::string mask(batch.columns.size(), '0');
  bool any = false;
  for (size_t c = 0; c < batch.columns.size(); ++c) {
    if (batch.columns[c].IsUnchanged(row)) mask[c] = '1', any = true;
  }
  if (!any) return Apply(sink_.insert_.get(), batch, row, all_fields_, rejects);
  auto it = keeping_updates_.find(mask);
  if (it == keeping_updates_.end()) {
    KeepingUpdate update;
    std::string sets;
    for (size_t c = 0; c < mask.size(); ++c) {
      if (mask[c] == '1') continue;
      if (std::find(plan.key_fields.begin(), plan.key_fields.end(), c) != plan.key_fields.end()) {
        continue;
      }
      update.fields.push_back(c);
      sets += fmt::format("{}{} = ?{}", sets.empty() ? "" : ", ", QuoteIdent(plan.columns[c]),
                          update.fields.size());
    }
    std::string where;
    for (size_t field : plan.key_fields) {
      update.fields.push_back(field);
      where += fmt::format("{}{} = ?{}", where.empty() ? "" : " AND ",
                           QuoteIdent(plan.columns[field]), update.fields.size());
    }
    // Only the key changed nothing else: setting the key to itself keeps the statement valid.
    if (sets.empty()) sets = fmt::format("{0} = {0}", QuoteIdent(plan.columns[plan.key_fields[0]]));
    Result<Statement> prepared = sink_.db_.Prepare(
        fmt::format("UPDATE {} SET {} WHERE {}", QuoteIdent(plan.table), sets, where));
    if (!prepared) return prepared.error().WithContext("sqlite target");
    update.statement = std::move(*prepared);
    it = keeping_updates_.emplace(mask, std::move(update)).first;
  }
  SLUICE_RETURN_IF_ERROR(Apply(it->second.statement.get(), batch, row, it->second.fields, rejects));
  if (sqlite3_changes(sink_.db_.get()) == 0) {
    return Status::DataError(
        "sqlite target {}: an update left a value unchanged (the source did not send it) but "
        "the table has no row with its key to keep it from: the table is missing rows the "
        "source has; re-snapshot it (startup: initial)",
        plan.table);
  }
  return Status::OK();
}

Status SqliteSinkWriter::Apply(sqlite3_stmt* stmt, const Batch& batch, size_t row,
                               const std::vector<size_t>& fields, RejectSink& rejects) {
  const Schema& schema = sink_.request_.schema;
  const std::string& table = sink_.plan_.table;
  sqlite3* db = sink_.db_.get();
  SqlRef value;
  Status bad;
  size_t field = 0;
  for (size_t c = 0; c < fields.size() && bad.ok(); ++c) {
    field = fields[c];
    bad = encoders_[field].Encode(batch.columns[field], row, value);
    if (bad.ok()) bad = CellEncoder::Bind(stmt, static_cast<int>(c) + 1, value);
  }
  if (!bad.ok()) {
    if (bad.code() != StatusCode::kDataError) return bad;
    return rejects.Reject(
        schema, batch, row, "target",
        fmt::format("sqlite target {}.{}: {}", table, schema.fields[field].name, bad.message()));
  }
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_DONE) {
    sqlite3_reset(stmt);
    return Status::OK();
  }
  std::string message = sqlite3_errmsg(db);
  Status failure = SqliteError(
      db, rc,
      fmt::format("sqlite target {}: {}", table, stmt == sink_.delete_.get() ? "delete" : "write"));
  sqlite3_reset(stmt);
  int primary = rc & 0xff;
  if (primary == SQLITE_CONSTRAINT || primary == SQLITE_MISMATCH || primary == SQLITE_TOOBIG) {
    // SQLite undid just this statement; the run's transaction goes on.
    return rejects.Reject(schema, batch, row, "target",
                          fmt::format("sqlite target {}: {}", table, message));
  }
  return failure;
}

Status SqliteSinkWriter::Truncate(const Batch& /*batch*/) {
  return sink_.db_.Exec("DELETE FROM " + QuoteIdent(sink_.plan_.table))
      .WithContext("sqlite target " + sink_.config_.path + ": emptying " + sink_.plan_.table);
}

}  // namespace sluice::sqlite
