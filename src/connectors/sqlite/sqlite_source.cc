#include "connectors/sqlite/sqlite_source.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "connectors/sqlite/sqlite_codec.h"
#include "connectors/sqlite/sqlite_types.h"
#include "core/echo.h"
#include "core/value_text.h"

namespace sluice::sqlite {

Status SqliteSource::Open(const ReadRequest& request) {
  opened_ = false;
  plan_ = ReadPlan{};
  where_ = Filter{};
  key_expr_.clear();
  key_label_.clear();
  key_nullable_ = false;
  max_splits_ = std::max(1, request.max_splits);

  SLUICE_RETURN_IF_ERROR(OpenTable());
  SLUICE_RETURN_IF_ERROR(ResolveColumns(request));
  if (!request.where.empty()) {
    // The newline ends a trailing "-- comment" in the user's SQL before our own conditions.
    where_.conditions.push_back("(" + request.where + "\n)");
  }
  plan_.filter = where_;
  SLUICE_RETURN_IF_ERROR(ResolveWatermark(request));
  SLUICE_RETURN_IF_ERROR(ResolveSplitKey(request));
  plan_.key_expr = key_expr_;

  plan_.path = config_.path;
  plan_.busy_timeout_ms = config_.busy_timeout_ms;
  plan_.table = table_.name;
  plan_.zone = zone_;
  plan_.limits = request.limits();
  // Prepare the whole read once so that a bad `where` fails here, naming the table.
  Result<Statement> check = db_.Prepare(plan_.select_sql + plan_.filter.WhereClause());
  if (!check) {
    if (request.where.empty()) return check.error().WithContext("sqlite source");
    return Status::Invalid("sqlite source: table {}: where '{}' is not valid here: {}", table_.name,
                           EchoText(request.where), sqlite3_errmsg(db_.get()));
  }
  opened_ = true;
  return Status::OK();
}

Status SqliteSource::OpenTable() {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(config_.path, ec)) {
    return Status::NotFound("sqlite source: database file {} not found", config_.path);
  }
  Result<Database> db = Database::Open(config_.path, SQLITE_OPEN_READONLY, config_.busy_timeout_ms);
  if (!db) return db.error().WithContext("sqlite source");
  db_ = std::move(*db);
  Result<std::optional<TableInfo>> info = LoadTableInfo(db_, config_.table);
  if (!info) return info.error().WithContext("sqlite source");
  if (!info->has_value()) {
    SLUICE_ASSIGN_OR_RETURN(std::vector<std::string> tables, ListTables(db_));
    std::optional<std::string> near = ClosestName(config_.table, tables);
    return Status::NotFound(
        "sqlite source: table '{}' not found in {} ({}tables: {})", config_.table, config_.path,
        near ? fmt::format("did you mean '{}'? ", *near) : "", JoinNames(tables));
  }
  table_ = std::move(**info);
  return Status::OK();
}

Result<const TableColumn*> SqliteSource::FindColumn(const std::string& name,
                                                    std::string_view role) const {
  std::optional<size_t> index = table_.Find(name);
  if (index) return &table_.columns[*index];
  std::vector<std::string> names = table_.ColumnNames();
  std::optional<std::string> near = ClosestName(name, names);
  return Err(Status::NotFound(
      "sqlite source: {}column '{}' not found in table {} ({}columns: {})", role, name, table_.name,
      near ? fmt::format("did you mean '{}'? ", *near) : "", JoinNames(names)));
}

Status SqliteSource::ResolveColumns(const ReadRequest& request) {
  std::vector<const TableColumn*> selected;
  if (request.columns.empty()) {
    for (const TableColumn& c : table_.columns) selected.push_back(&c);
  } else {
    for (const std::string& name : request.columns) {
      SLUICE_ASSIGN_OR_RETURN(const TableColumn* c, FindColumn(name, ""));
      selected.push_back(c);
    }
  }
  std::optional<size_t> alias = table_.RowidAlias();
  std::string sql = "SELECT ";
  for (size_t i = 0; i < selected.size(); ++i) {
    const TableColumn& c = *selected[i];
    bool is_alias = alias && &table_.columns[*alias] == &c;
    plan_.schema.fields.push_back(Field{c.name, c.type, !c.not_null && !is_alias});
    if (i > 0) sql += ", ";
    sql += QuoteIdent(c.name);
  }
  // An id after the columns, to say which row a reject is.
  std::string id_expr;
  if (alias) {
    plan_.id_label = table_.columns[*alias].name;
    id_expr = QuoteIdent(plan_.id_label);
  } else if (!table_.RowidExpr().empty()) {
    plan_.id_label = "rowid";
    id_expr = table_.RowidExpr();
  } else {
    for (const TableColumn& c : table_.columns) {
      if (c.pk == 1) {
        plan_.id_label = c.name;
        id_expr = QuoteIdent(c.name);
      }
    }
  }
  if (!id_expr.empty()) sql += (selected.empty() ? "" : ", ") + id_expr;
  if (selected.empty() && id_expr.empty()) sql += "1";
  plan_.select_sql = sql + " FROM " + QuoteIdent(table_.name);
  return Status::OK();
}

// Watermark bounds are bound in the column's own storage form (integers as INTEGER, dates as
// canonical text), so SQLite compares them as it compares the column's values.
Status SqliteSource::ResolveWatermark(const ReadRequest& request) {
  if (!request.incremental) return Status::OK();
  const WatermarkRange& range = *request.incremental;
  SLUICE_ASSIGN_OR_RETURN(const TableColumn* c, FindColumn(range.column, "incremental "));
  Affinity affinity = AffinityOf(c->declared);
  std::string column = QuoteIdent(c->name);
  auto bind = [&](const std::string& text, const char* param, const char* op) -> Status {
    Result<SqlValue> value = StorageValue(c->type, affinity, text, zone_);
    if (!value) {
      return value.error().WithContext(
          fmt::format("sqlite source: watermark of {}.{}", table_.name, c->name));
    }
    plan_.filter.conditions.push_back(fmt::format("{} {} {}", column, op, param));
    plan_.filter.params.emplace_back(param, std::move(*value));
    return Status::OK();
  };
  if (range.low) SLUICE_RETURN_IF_ERROR(bind(*range.low, ":sluice_wm_low", range.LowOperator()));
  // An empty high means the engine has no upper bound yet (first MaxValue call).
  if (!range.high.empty()) {
    SLUICE_RETURN_IF_ERROR(bind(range.high, ":sluice_wm_high", range.HighOperator()));
  }
  return Status::OK();
}

Status SqliteSource::ResolveSplitKey(const ReadRequest& request) {
  if (!request.split_key.empty()) {
    SLUICE_ASSIGN_OR_RETURN(const TableColumn* c, FindColumn(request.split_key, "split_key "));
    key_expr_ = QuoteIdent(c->name);
    key_label_ = c->name;
    std::optional<size_t> alias = table_.RowidAlias();
    key_nullable_ = !c->not_null && !(alias && &table_.columns[*alias] == c);
    return Status::OK();
  }
  if (std::optional<size_t> alias = table_.RowidAlias()) {
    key_label_ = table_.columns[*alias].name;
    key_expr_ = QuoteIdent(key_label_);
  } else if (!table_.RowidExpr().empty()) {
    key_label_ = "rowid";
    key_expr_ = table_.RowidExpr();
  } else {
    // WITHOUT ROWID tables: a single-column primary key is just as good.
    const TableColumn* pk = nullptr;
    int pk_columns = 0;
    for (const TableColumn& c : table_.columns) {
      if (c.pk > 0) {
        ++pk_columns;
        pk = &c;
      }
    }
    if (pk_columns != 1) return Status::OK();  // no usable key: one split
    key_label_ = pk->name;
    key_expr_ = QuoteIdent(pk->name);
    key_nullable_ = !pk->not_null && !table_.has_rowid;
  }
  return Status::OK();
}

Result<int64_t> SqliteSource::Count(const Filter& filter) {
  std::string sql = "SELECT count(*) FROM " + QuoteIdent(table_.name) + filter.WhereClause();
  SLUICE_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(sql));
  SLUICE_RETURN_IF_ERROR(filter.BindTo(stmt));
  SLUICE_ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? sqlite3_column_int64(stmt.get(), 0) : 0;
}

Result<std::optional<std::string>> SqliteSource::MaxValue(const std::string& column) {
  if (!opened_) return Err(Status::Internal("sqlite source: MaxValue before Open"));
  SLUICE_ASSIGN_OR_RETURN(const TableColumn* c, FindColumn(column, "incremental "));
  std::string sql = fmt::format("SELECT max({}) FROM {}{}", QuoteIdent(c->name),
                                QuoteIdent(table_.name), where_.WhereClause());
  SLUICE_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(sql));
  SLUICE_RETURN_IF_ERROR(where_.BindTo(stmt));
  SLUICE_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row || sqlite3_column_type(stmt.get(), 0) == SQLITE_NULL) {
    return std::optional<std::string>();
  }
  CellDecoder decoder(c->type, zone_);
  Cell cell;
  std::string why;
  if (!decoder.Decode(stmt.get(), 0, cell, why)) {
    return Err(Status::DataError("sqlite source: max({}.{}): {}", table_.name, c->name, why));
  }
  Column value(c->type);
  cell.AppendTo(value);
  std::string text;
  FormatValue(value, 0, text);
  return std::optional<std::string>(std::move(text));
}

std::vector<std::string> SqliteSource::PrimaryKey() const {
  std::vector<const TableColumn*> key;
  for (const TableColumn& c : table_.columns) {
    if (c.pk > 0) key.push_back(&c);
  }
  std::sort(key.begin(), key.end(),
            [](const TableColumn* a, const TableColumn* b) { return a->pk < b->pk; });
  std::vector<std::string> names;
  for (const TableColumn* c : key) names.push_back(c->name);
  return names;
}

Result<std::optional<int64_t>> SqliteSource::EstimateRows() {
  if (!opened_) return std::optional<int64_t>();
  SLUICE_ASSIGN_OR_RETURN(int64_t rows, Count(plan_.filter));
  return std::optional<int64_t>(rows);
}

Result<std::vector<Split>> SqliteSource::PlanSplits() {
  if (!opened_) return Err(Status::Internal("sqlite source: PlanSplits before Open"));
  std::vector<PlannedRange> ranges;
  if (key_expr_.empty() || max_splits_ <= 1) {
    SLUICE_ASSIGN_OR_RETURN(int64_t rows, Count(plan_.filter));
    PlannedRange all;
    all.range.with_nulls = true;
    all.rows = rows;
    all.description = "all rows";
    ranges.push_back(std::move(all));
  } else {
    Result<std::vector<PlannedRange>> planned =
        PlanKeyRanges(db_, QuoteIdent(table_.name), plan_.filter, key_expr_, key_label_,
                      key_nullable_, max_splits_);
    if (!planned) return Err(planned.error().WithContext("sqlite source: planning splits"));
    ranges = std::move(*planned);
  }
  std::vector<Split> splits;
  for (size_t i = 0; i < ranges.size(); ++i) {
    Split s;
    s.index = static_cast<int>(i);
    s.description = ranges[i].description;
    s.payload = ranges.size() == 1 ? std::string() : ranges[i].range.Encode();
    s.estimated_rows = ranges[i].rows;
    splits.push_back(std::move(s));
  }
  return splits;
}

Result<std::unique_ptr<SplitReader>> SqliteSource::OpenSplit(const Split& split) {
  if (!opened_) return Err(Status::Internal("sqlite source: OpenSplit before Open"));
  SLUICE_ASSIGN_OR_RETURN(KeyRange range, KeyRange::Decode(split.payload));
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<SqliteSplitReader> reader,
                          SqliteSplitReader::Open(plan_, range, split.index));
  return std::unique_ptr<SplitReader>(std::move(reader));
}

}  // namespace sluice::sqlite
