#include "connectors/postgres/pg_source.h"

#include <fmt/format.h>

#include "core/value_text.h"

namespace sluice::postgres {
namespace {

std::string Expand(const std::string& select, const std::string& column_sql) {
  std::string out;
  size_t start = 0;
  for (size_t at = select.find("{}"); at != std::string::npos; at = select.find("{}", start)) {
    out.append(select, start, at - start);
    out += column_sql;
    start = at + 2;
  }
  return out + select.substr(start);
}

// The wires whose values include some no sluice type holds (NaN, ±infinity).
bool HoldsSpecialValues(Wire wire) {
  return wire == Wire::kNumeric || wire == Wire::kDate || wire == Wire::kTimestamp ||
         wire == Wire::kTimestampTz;
}

}  // namespace

Status PgSource::Open(const ReadRequest& request) {
  opened_ = false;
  plan_ = ReadPlan{};
  where_.clear();
  key_ = nullptr;
  max_splits_ = std::max(1, request.max_splits);

  if (!conn_ || !conn_.Healthy()) {
    SLUICE_ASSIGN_OR_RETURN(conn_, PgConnection::Connect(config_.url, "sluice planner"));
  } else if (conn_.InTransaction()) {
    SLUICE_RETURN_IF_ERROR(conn_.Exec("ROLLBACK", "postgres source"));
  }
  if (!config_.import_snapshot.empty()) {
    plan_.snapshot = config_.import_snapshot;
  } else if (config_.snapshot) {
    SLUICE_RETURN_IF_ERROR(
        conn_.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "postgres source: snapshot"));
    SLUICE_ASSIGN_OR_RETURN(PgResult snap, conn_.Query("SELECT pg_export_snapshot()",
                                                       "postgres source: exporting a snapshot"));
    plan_.snapshot = snap.Str(0, 0);
  }
  SLUICE_RETURN_IF_ERROR(OpenTable());
  SLUICE_RETURN_IF_ERROR(ResolveColumns(request));
  if (!request.where.empty()) {
    // The newline ends a trailing "-- comment" in the user's SQL before our own conditions.
    where_ = "(" + request.where + "\n)";
    plan_.conditions.push_back(where_);
  }
  SLUICE_RETURN_IF_ERROR(ResolveWatermark(request));
  SLUICE_RETURN_IF_ERROR(ResolveSplitKey(request));
  plan_.conninfo = config_.url;
  plan_.label = table_.Label();
  plan_.special = config_.SpecialFor(request.target_type);
  plan_.limits = request.limits();
  // Plan the whole read once so that a bad `where` fails here, naming the table.
  SLUICE_RETURN_IF_ERROR(
      conn_.Exec("EXPLAIN " + plan_.select_sql + plan_.WhereClause(), Context() + ": where"));
  opened_ = true;
  return Status::OK();
}

Status PgSource::OpenTable() {
  SLUICE_ASSIGN_OR_RETURN(std::optional<PgTable> table, LoadTable(conn_, config_.table));
  if (!table) {
    SLUICE_ASSIGN_OR_RETURN(std::vector<std::string> tables,
                            ListTables(conn_, config_.table.schema));
    std::optional<std::string> near = ClosestName(config_.table.name, tables);
    return Status::NotFound("postgres source: table '{}' not found in {} ({}tables: {})",
                            config_.table_text, config_.target.Describe(),
                            near ? fmt::format("did you mean '{}'? ", *near) : "",
                            JoinNames(tables));
  }
  table_ = std::move(*table);
  return Status::OK();
}

Result<const PgColumn*> PgSource::FindColumn(const std::string& name, std::string_view role) const {
  if (std::optional<size_t> index = table_.Find(name)) return &table_.columns[*index];
  std::vector<std::string> names = table_.ColumnNames();
  std::optional<std::string> near = ClosestName(name, names);
  return Err(Status::NotFound("{}: {}column '{}' not found ({}columns: {})", Context(), role, name,
                              near ? fmt::format("did you mean '{}'? ", *near) : "",
                              JoinNames(names)));
}

Status PgSource::ResolveColumns(const ReadRequest& request) {
  std::vector<const PgColumn*> columns;
  if (request.columns.empty()) {
    for (const PgColumn& c : table_.columns) columns.push_back(&c);
  } else {
    for (const std::string& name : request.columns) {
      SLUICE_ASSIGN_OR_RETURN(const PgColumn* c, FindColumn(name, ""));
      columns.push_back(c);
    }
  }
  if (columns.empty()) return Status::Invalid("{}: no columns to read", Context());
  std::string sql = "SELECT ";
  for (size_t i = 0; i < columns.size(); ++i) {
    const PgColumn& c = *columns[i];
    Result<ReadMapping> mapping = MapForRead(c.type, config_.unknown_as_text);
    if (!mapping) {
      return Status::Invalid("{}.{}: {}", table_.Label(), c.name, mapping.error().message());
    }
    Field field{c.name, mapping->type, !c.not_null};
    field.native_engine = "postgres";
    field.native_type = c.type.declared;
    if (config_.special == SpecialValues::kNull && c.not_null &&
        HoldsSpecialValues(mapping->wire)) {
      // NaN and ±infinity become NULL: a created column must accept them.
      field.nullable = true;
      field.null_rule = "special_values: null";
    }
    plan_.schema.fields.push_back(std::move(field));
    plan_.wires.push_back(mapping->wire);
    if (i > 0) sql += ", ";
    sql += Expand(mapping->select, QuoteIdent(c.name));
  }
  plan_.select_sql = sql + " FROM " + FromTable();
  return Status::OK();
}

// Watermark bounds are literals cast to the column's own type, so PostgreSQL compares them
// as it compares the column's values (canonical text of every sluice type is valid input).
Status PgSource::ResolveWatermark(const ReadRequest& request) {
  if (!request.incremental) return Status::OK();
  const WatermarkRange& range = *request.incremental;
  SLUICE_ASSIGN_OR_RETURN(const PgColumn* c, FindColumn(range.column, "incremental "));
  const std::string column = QuoteIdent(c->name);
  const std::string type = c->type.declared;
  if (range.low) {
    plan_.conditions.push_back(
        fmt::format("{} {} {}::{}", column, range.LowOperator(), QuoteLiteral(*range.low), type));
  }
  // An empty high means the engine has no upper bound yet (first MaxValue call).
  if (!range.high.empty()) {
    plan_.conditions.push_back(
        fmt::format("{} {} {}::{}", column, range.HighOperator(), QuoteLiteral(range.high), type));
  }
  return Status::OK();
}

Status PgSource::ResolveSplitKey(const ReadRequest& request) {
  if (!request.split_key.empty()) {
    SLUICE_ASSIGN_OR_RETURN(const PgColumn* c, FindColumn(request.split_key, "split_key "));
    if (!SplittableKey(c->type)) {
      return Status::Invalid(
          "{}: split_key {} has type {}, which cannot be split on (use an integer, numeric, "
          "text, date, timestamp or uuid column)",
          Context(), c->name, c->type.declared);
    }
    key_ = c;
  } else if (table_.primary_key.size() == 1) {
    // A single-column primary key with a splittable type; otherwise one split.
    std::optional<size_t> index = table_.Find(table_.primary_key[0]);
    if (index && SplittableKey(table_.columns[*index].type)) key_ = &table_.columns[*index];
  }
  if (key_ != nullptr) {
    plan_.key_sql = QuoteIdent(key_->name);
    plan_.key_type = key_->type.declared;
  }
  return Status::OK();
}

Result<std::optional<std::string>> PgSource::MaxValue(const std::string& column) {
  if (!opened_) return Err(Status::Internal("postgres source: MaxValue before Open"));
  SLUICE_ASSIGN_OR_RETURN(const PgColumn* c, FindColumn(column, "incremental "));
  Result<ReadMapping> mapping = MapForRead(c->type, config_.unknown_as_text);
  if (!mapping)
    return Err(Status::Invalid("{}.{}: {}", table_.Label(), c->name, mapping.error().message()));
  std::string sql =
      fmt::format("SELECT max({}) FROM {}{}", Expand(mapping->select, QuoteIdent(c->name)),
                  FromTable(), where_.empty() ? "" : " WHERE " + where_);
  SLUICE_ASSIGN_OR_RETURN(PgResult r, conn_.QueryBinary(sql, Context() + ": max(" + c->name + ")"));
  if (r.rows() == 0 || r.IsNull(0, 0)) return std::optional<std::string>();
  Column value(mapping->type);
  std::string why;
  if (!CopyDecoder::DecodeValue(mapping->wire, PQgetvalue(r.get(), 0, 0),
                                PQgetlength(r.get(), 0, 0), value, why)) {
    return Err(Status::DataError("{}: max({}) is {}, which cannot be a watermark", Context(),
                                 c->name, why));
  }
  std::string text;
  FormatValue(value, 0, text);
  return std::optional<std::string>(std::move(text));
}

Result<std::optional<int64_t>> PgSource::TableRows() {
  // Leaf partitions hold the rows of a partitioned table; a plain table is its own leaf.
  SLUICE_ASSIGN_OR_RETURN(
      PgResult r,
      conn_.Query("SELECT sum(c.reltuples)::bigint, min(c.reltuples) FROM pg_class c WHERE "
                  "(c.oid = $1::oid AND c.relkind <> 'p') OR c.oid IN (SELECT relid FROM "
                  "pg_partition_tree($1::oid) WHERE isleaf)",
                  Context() + ": statistics", {std::to_string(table_.oid)}));
  if (r.rows() == 0 || r.IsNull(0, 0) || r.Text(0, 1).starts_with("-")) {
    return std::optional<int64_t>();  // a view, or never analyzed
  }
  return std::optional<int64_t>(r.Int(0, 0));
}

Result<std::optional<int64_t>> PgSource::EstimateRows() {
  if (!opened_ || !plan_.conditions.empty()) return std::optional<int64_t>();
  return TableRows();
}

Result<std::vector<Split>> PgSource::PlanSplits() {
  if (!opened_) return Err(Status::Internal("postgres source: PlanSplits before Open"));
  SplitQuery query;
  query.from = FromTable();
  query.conditions = plan_.WhereClause();
  query.key_sql = plan_.key_sql;
  query.key_label = key_ != nullptr ? key_->name : "";
  query.key_type = plan_.key_type;
  query.key_nullable = key_ != nullptr && !key_->not_null;
  query.can_sample = !table_.is_view() && table_.relkind != 'f';
  SLUICE_ASSIGN_OR_RETURN(std::optional<int64_t> rows, TableRows());
  if (!rows && key_ != nullptr && max_splits_ > 1) {
    // Never analyzed: count, so that a big table is sampled rather than sorted whole.
    SLUICE_ASSIGN_OR_RETURN(PgResult count,
                            conn_.Query("SELECT count(*) FROM " + query.from + query.conditions,
                                        Context() + ": counting rows"));
    rows = count.Int(0, 0);
  }
  query.estimated_rows = rows;
  std::vector<PlannedRange> ranges;
  if (key_ == nullptr) {
    SLUICE_ASSIGN_OR_RETURN(ranges, PlanKeyRanges(conn_, query, 1));
  } else {
    Result<std::vector<PlannedRange>> planned = PlanKeyRanges(conn_, query, max_splits_);
    if (!planned) return Err(planned.error().WithContext(Context()));
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

Result<std::unique_ptr<SplitReader>> PgSource::OpenSplit(const Split& split) {
  if (!opened_) return Err(Status::Internal("postgres source: OpenSplit before Open"));
  SLUICE_ASSIGN_OR_RETURN(KeyRange range, KeyRange::Decode(split.payload));
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<PgSplitReader> reader,
                          PgSplitReader::Open(plan_, range, split.index));
  return std::unique_ptr<SplitReader>(std::move(reader));
}

}  // namespace sluice::postgres
