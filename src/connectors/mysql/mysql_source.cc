#include "connectors/mysql/mysql_source.h"

#include <charconv>

#include <fmt/format.h>

#include "connectors/mysql/mysql_decoder.h"
#include "connectors/mysql/mysql_literal.h"
#include "core/value_text.h"

namespace sluice::mysql {
namespace {
constexpr std::string_view kRole = "mysql source";

// The kinds whose values can be zero dates ('0000-00-00', '2024-00-10').
bool ReadsZeroDates(ReadKind kind) {
  return kind == ReadKind::kDate || kind == ReadKind::kDateTime || kind == ReadKind::kDateTimeTz ||
         kind == ReadKind::kTimestampTz;
}
}  // namespace

Status MysqlSource::Open(const ReadRequest& request) {
  opened_ = false;
  plan_ = ReadPlan{};
  where_.clear();
  key_.reset();
  counted_rows_.reset();
  {
    std::lock_guard<std::mutex> lock(snapshot_mu_);
    snapshot_conns_.clear();
  }
  max_splits_ = std::max(1, request.max_splits);

  if (!conn_) {
    Result<Connection> conn = Connection::Open(config_.url);
    if (!conn) return conn.error().WithContext(kRole);
    conn_ = std::move(*conn);
  }
  Result<std::optional<MysqlTable>> table =
      LoadTable(conn_, config_.database, config_.table, config_.table_exact);
  if (!table) return table.error().WithContext(kRole);
  if (!table->has_value()) return TableNotFound(conn_, kRole, config_.database, config_.table);
  table_ = std::move(**table);

  SLUICE_RETURN_IF_ERROR(ResolveColumns(request));
  if (!request.where.empty()) {
    // The newline ends a trailing "-- comment" in the user's SQL before our own conditions.
    where_.push_back("(" + request.where + "\n)");
  }
  plan_.conditions = where_;
  SLUICE_RETURN_IF_ERROR(ResolveWatermark(request));
  SLUICE_RETURN_IF_ERROR(ResolveSplitKey(request));

  plan_.url = config_.url;
  plan_.table_label = table_.Label();
  plan_.zero_date = config_.zero_date;
  plan_.zone = config_.time_zone ? *config_.time_zone : TimeZone::Utc();
  plan_.limits = request.limits();
  // Prepare the whole read once (LIMIT 0 reads nothing) so that a bad `where` fails here.
  Status check = conn_.Exec(plan_.select_sql + WhereClause(plan_.conditions) + " LIMIT 0");
  if (!check.ok()) {
    return check.WithContext(fmt::format("{}: table {}: where", kRole, table_.Label()));
  }
  opened_ = true;
  return Status::OK();
}

Result<const MysqlColumn*> MysqlSource::FindColumn(const std::string& name,
                                                   std::string_view role) const {
  std::optional<size_t> index = table_.Find(name);
  if (index) return &table_.columns[*index];
  return Err(ColumnNotFound(table_, kRole, role, name));
}

Result<ColumnMapping> MysqlSource::Map(const MysqlColumn& column) const {
  MapOptions options{config_.tinyint1_as_bool, config_.time_zone.has_value()};
  Result<ColumnMapping> mapping = MapColumn(column, table_.Label(), options);
  if (!mapping) return Err(mapping.error().WithContext(kRole));
  return mapping;
}

Status MysqlSource::ResolveColumns(const ReadRequest& request) {
  std::vector<const MysqlColumn*> selected;
  if (request.columns.empty()) {
    for (const MysqlColumn& c : table_.columns) selected.push_back(&c);
  } else {
    for (const std::string& name : request.columns) {
      SLUICE_ASSIGN_OR_RETURN(const MysqlColumn* c, FindColumn(name, ""));
      selected.push_back(c);
    }
  }
  std::string sql = "SELECT ";
  for (size_t i = 0; i < selected.size(); ++i) {
    SLUICE_ASSIGN_OR_RETURN(ColumnMapping m, Map(*selected[i]));
    Field field{selected[i]->name, m.type, selected[i]->nullable};
    if (config_.zero_date == ZeroDate::kNull && !field.nullable && ReadsZeroDates(m.kind)) {
      // The rule makes NULLs of a NOT NULL column: a created column must accept them.
      field.nullable = true;
      field.null_rule = "zero_date: null";
    }
    plan_.schema.fields.push_back(std::move(field));
    plan_.kinds.push_back(m.kind);
    if (i > 0) sql += ", ";
    sql += m.select_expr;
  }
  if (selected.empty()) sql += "1";
  plan_.select_sql = sql + " FROM " + From();
  return Status::OK();
}

Status MysqlSource::ResolveWatermark(const ReadRequest& request) {
  if (!request.incremental) return Status::OK();
  const WatermarkRange& range = *request.incremental;
  SLUICE_ASSIGN_OR_RETURN(const MysqlColumn* c, FindColumn(range.column, "incremental "));
  SLUICE_ASSIGN_OR_RETURN(ColumnMapping m, Map(*c));
  const TimeZone zone = config_.time_zone ? *config_.time_zone : TimeZone::Utc();
  auto add = [&](const std::string& text, const char* op) -> Status {
    Result<std::string> literal = LiteralFromCanonical(m.kind, m.type, text, zone);
    if (!literal) {
      return literal.error().WithContext(
          fmt::format("{}: watermark of {}.{}", kRole, table_.Label(), c->name));
    }
    plan_.conditions.push_back(fmt::format("{} {} {}", QuoteIdent(c->name), op, *literal));
    return Status::OK();
  };
  if (range.low) SLUICE_RETURN_IF_ERROR(add(*range.low, range.LowOperator()));
  // An empty high means the engine has no upper bound yet (first MaxValue call).
  if (!range.high.empty()) SLUICE_RETURN_IF_ERROR(add(range.high, range.HighOperator()));
  return Status::OK();
}

Status MysqlSource::ResolveSplitKey(const ReadRequest& request) {
  const MysqlColumn* key = nullptr;
  if (!request.split_key.empty()) {
    SLUICE_ASSIGN_OR_RETURN(key, FindColumn(request.split_key, "split_key "));
    SLUICE_ASSIGN_OR_RETURN(ColumnMapping m, Map(*key));
    if (!IsSplittable(m.kind)) {
      return Status::Invalid(
          "{}: split_key {}.{} is {}; parallel reads need an integer, decimal, string, binary "
          "or date/time key",
          kRole, table_.Label(), key->name, key->column_type);
    }
  } else if (!table_.primary_key.empty()) {
    // The first primary-key column: its index gives the key order cheaply.
    key = &table_.columns[*table_.Find(table_.primary_key.front())];
  }
  if (key == nullptr) return Status::OK();  // no usable key: one split
  SLUICE_ASSIGN_OR_RETURN(ColumnMapping m, Map(*key));
  if (!IsSplittable(m.kind)) return Status::OK();
  key_ = KeySpec{QuoteIdent(key->name), key->name, m.kind, key->nullable};
  plan_.key_sql = key_->sql;
  return Status::OK();
}

Result<std::optional<std::string>> MysqlSource::MaxValue(const std::string& column) {
  if (!opened_) return Err(Status::Internal("mysql source: MaxValue before Open"));
  SLUICE_ASSIGN_OR_RETURN(const MysqlColumn* c, FindColumn(column, "incremental "));
  SLUICE_ASSIGN_OR_RETURN(ColumnMapping m, Map(*c));
  Result<std::optional<Row>> row = conn_.QueryRow(
      fmt::format("SELECT MAX({}) FROM {}{}", m.select_expr, From(), WhereClause(where_)));
  if (!row) return Err(row.error().WithContext(fmt::format("{}: max({})", kRole, c->name)));
  if (!*row || !(**row)[0]) return std::optional<std::string>();
  const std::string& text = *(**row)[0];
  ValueDecoder decoder(m.kind, config_.zero_date,
                       config_.time_zone ? *config_.time_zone : TimeZone::Utc());
  Cell cell;
  std::string why;
  if (!decoder.Decode(text.data(), text.size(), cell, why)) {
    return Err(Status::DataError("{}: max({}.{}): {}", kRole, table_.Label(), c->name, why));
  }
  if (cell.null) return std::optional<std::string>();
  Column value(m.type);
  cell.AppendTo(value);
  std::string out;
  FormatValue(value, 0, out);
  return std::optional<std::string>(std::move(out));
}

Result<std::optional<int64_t>> MysqlSource::EstimateRows() {
  if (!opened_) return std::optional<int64_t>();
  if (counted_rows_) return counted_rows_;
  SLUICE_ASSIGN_OR_RETURN(std::optional<Row> row,
                          conn_.QueryRow(fmt::format("SELECT COUNT(*) FROM {}{}", From(),
                                                     WhereClause(plan_.conditions))));
  int64_t rows = 0;
  if (row && (*row)[0])
    std::from_chars((*row)[0]->data(), (*row)[0]->data() + (*row)[0]->size(), rows);
  counted_rows_ = rows;
  return counted_rows_;
}

Result<std::vector<Split>> MysqlSource::PlanSplits() {
  if (!opened_) return Err(Status::Internal("mysql source: PlanSplits before Open"));
  std::vector<PlannedRange> ranges;
  if (!key_ || max_splits_ <= 1) {
    PlannedRange all;
    all.range.with_nulls = true;
    all.description = "all rows";
    ranges.push_back(std::move(all));
  } else {
    int64_t total = 0;
    Result<std::vector<PlannedRange>> planned =
        PlanKeyRanges(conn_, From(), plan_.conditions, *key_, max_splits_, total);
    if (!planned) return Err(planned.error().WithContext("mysql source: planning splits"));
    ranges = std::move(*planned);
    counted_rows_ = total;
  }
  std::vector<Split> splits;
  for (size_t i = 0; i < ranges.size(); ++i) {
    Split s;
    s.index = static_cast<int>(i);
    s.description = ranges[i].description;
    s.payload = ranges.size() == 1 ? std::string() : ranges[i].range.Encode();
    if (ranges.size() > 1) s.estimated_rows = ranges[i].rows;
    splits.push_back(std::move(s));
  }
  if (config_.snapshot && splits.size() > 1) SLUICE_RETURN_IF_ERROR(OpenSnapshot(splits.size()));
  return splits;
}

Status MysqlSource::OpenSnapshot(size_t splits) {
  std::map<int, Connection> conns;
  // Writers to the table wait while the lock is held, so every transaction started under it
  // sees the same committed state of the table. The lock is held for a few milliseconds.
  Status st = conn_.Exec("LOCK TABLES " + From() + " READ");
  if (!st.ok()) {
    return st.WithContext(
        fmt::format("{}: snapshot: LOCK TABLES {} READ (needs the LOCK TABLES "
                    "privilege; or set snapshot: false)",
                    kRole, table_.Label()));
  }
  for (size_t i = 0; i < splits && st.ok(); ++i) {
    Result<Connection> conn = Connection::Open(config_.url);
    if (!conn) {
      st = conn.error();
      break;
    }
    st = conn->Exec("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    if (st.ok()) st = conn->Exec("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
    if (st.ok()) conns.emplace(static_cast<int>(i), std::move(*conn));
  }
  Status unlocked = conn_.Exec("UNLOCK TABLES");
  if (!st.ok()) return st.WithContext(fmt::format("{}: snapshot", kRole));
  if (!unlocked.ok()) return unlocked.WithContext(fmt::format("{}: snapshot", kRole));
  std::lock_guard<std::mutex> lock(snapshot_mu_);
  snapshot_conns_ = std::move(conns);
  return Status::OK();
}

Result<std::unique_ptr<SplitReader>> MysqlSource::OpenSplit(const Split& split) {
  if (!opened_) return Err(Status::Internal("mysql source: OpenSplit before Open"));
  SLUICE_ASSIGN_OR_RETURN(KeyRange range, KeyRange::Decode(split.payload));
  Connection conn;
  {
    std::lock_guard<std::mutex> lock(snapshot_mu_);
    auto it = snapshot_conns_.find(split.index);
    if (it != snapshot_conns_.end()) {
      conn = std::move(it->second);
      snapshot_conns_.erase(it);
    }
  }
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<MysqlSplitReader> reader,
                          MysqlSplitReader::Open(plan_, range, split.index, std::move(conn)));
  return std::unique_ptr<SplitReader>(std::move(reader));
}

}  // namespace sluice::mysql
