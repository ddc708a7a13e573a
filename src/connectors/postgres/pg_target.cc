#include "connectors/postgres/pg_target.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include <fmt/format.h>

#include "connectors/postgres/pg_relax_not_null.h"
#include "connectors/postgres/pg_table.h"
#include "connectors/postgres/pg_widen_columns.h"
#include "connectors/sql_common/added_default.h"

namespace sluice::postgres {
namespace {

bool NeedsKey(WriteMode mode) {
  return mode == WriteMode::kUpsert || mode == WriteMode::kReplace || mode == WriteMode::kIgnore;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string JoinQuoted(const std::vector<std::string>& names, std::string_view prefix = "") {
  std::string out;
  for (const std::string& n : names) {
    out += (out.empty() ? "" : ", ") + std::string(prefix) + QuoteIdent(n);
  }
  return out;
}

std::string JoinProblems(const std::vector<std::string>& problems) {
  std::string out;
  for (const std::string& p : problems) out += (out.empty() ? "" : "; ") + p;
  return out;
}

// The columns of the target as the plan sees them, whether the table exists or not.
struct Columns {
  std::vector<std::string> names;  // target spelling, one per incoming field
  std::vector<PgType> types;
  std::vector<bool> not_null;
  std::string part_name;  // the partition column's target spelling, if partitioned
  PgType part_type;
  bool part_not_null = false;
  std::vector<std::string> conflict;  // ON CONFLICT columns
  bool conflict_nullable = false;
};

// The type a created column gets: a PostgreSQL source's own type (domains, arrays, interval,
// inet, money, ... exactly) when this database has it and its values can be written into it;
// otherwise the documented mapping of the sluice type. `cache` holds the lookups by type name.
Result<PgType> CreatedColumnType(PgConnection& conn, const Field& f,
                                 std::map<std::string, std::optional<PgType>>& cache) {
  PgType mapped = CreatedPgType(f.type);
  if (f.native_engine != "postgres" || f.native_type.empty()) return mapped;
  auto it = cache.find(f.native_type);
  if (it == cache.end()) {
    SLUICE_ASSIGN_OR_RETURN(std::optional<PgType> resolved, ResolveTypeName(conn, f.native_type));
    it = cache.emplace(f.native_type, std::move(resolved)).first;
  }
  if (!it->second) return mapped;  // a type (enum, domain, extension) this database lacks
  PgType native = *it->second;
  // numeric(p,s) keeps its typmod, which the per-value checks need; the sluice type has it.
  if (native.oid == oid::kNumeric && native.typmod < 0) native.typmod = mapped.typmod;
  if (!PlanColumnWrite(f.type, native).problem.empty()) return mapped;
  return native;
}

// The new table's columns and its CREATE TABLE statement.
Result<std::string> PlanCreate(PgConnection& conn, const TargetPlan& plan, const PgConfig& config,
                               const WriteRequest& request, bool fill, Columns& cols) {
  std::set<std::string> keys;
  for (const std::string& k : request.key) keys.insert(Lower(k));
  std::map<std::string, std::optional<PgType>> resolved;
  std::string body;
  for (const Field& f : request.schema.fields) {
    const bool not_null = !f.nullable || keys.count(Lower(f.name)) > 0;
    cols.names.push_back(f.name);
    SLUICE_ASSIGN_OR_RETURN(PgType type, CreatedColumnType(conn, f, resolved));
    cols.types.push_back(std::move(type));
    cols.not_null.push_back(not_null);
    body += fmt::format("{}{} {}{}", body.empty() ? "" : ", ", QuoteIdent(f.name),
                        cols.types.back().declared, not_null ? " NOT NULL" : "");
  }
  std::vector<std::string> pk;
  for (const std::string& k : request.key) {
    pk.push_back(request.schema.fields[*request.schema.IndexOf(k)].name);
  }
  if (config.partition) {
    if (fill) {
      cols.part_name = config.partition->column;
      cols.part_type = CreatedPgType(DataType::Of(TypeId::kString));
      cols.part_not_null = true;
      body += fmt::format(", {} text NOT NULL", QuoteIdent(cols.part_name));
    } else {
      size_t i = *request.schema.IndexOf(config.partition->column);
      cols.part_name = cols.names[i];
      cols.part_type = cols.types[i];
    }
    // A primary key of a partitioned table must include the partition column.
    if (!pk.empty() && keys.count(Lower(cols.part_name)) == 0) pk.push_back(cols.part_name);
  }
  cols.conflict = pk;
  if (!pk.empty()) body += ", PRIMARY KEY (" + JoinQuoted(pk) + ")";
  std::string sql = fmt::format("CREATE TABLE {} ({})", plan.qualified, body);
  if (config.partition) sql += fmt::format(" PARTITION BY LIST ({})", QuoteIdent(cols.part_name));
  return sql;
}

// Checks an existing table against the incoming rows; every problem is listed.
Status PlanExisting(PgConnection& conn, const PgTable& table, const PgConfig& config,
                    const WriteRequest& request, bool fill, Columns& cols) {
  if (table.is_view()) {
    return Status::Conflict("postgres target {}: is a view, not a table", table.Label());
  }
  std::vector<std::string> problems;
  std::vector<bool> covered(table.columns.size(), false);
  std::vector<const Field*> written_by(table.columns.size(), nullptr);
  for (const Field& f : request.schema.fields) {
    std::optional<size_t> index = table.Find(f.name);
    if (index && written_by[*index] != nullptr) {
      // "A" and "a" into a table with only a: COPY would name the column twice.
      problems.push_back(fmt::format(
          "incoming columns '{}' and '{}' both go to column '{}' (names that differ only by "
          "case): rename one with a transform or leave one out with source.columns",
          written_by[*index]->name, f.name, table.columns[*index].name));
      continue;
    }
    if (index) written_by[*index] = &f;
    if (!index) {
      problems.push_back(fmt::format("column '{}' missing", f.name));
      cols.names.push_back(f.name);
      cols.types.push_back(PgType{});
      cols.not_null.push_back(false);
      continue;
    }
    const PgColumn& c = table.columns[*index];
    covered[*index] = true;
    cols.names.push_back(c.name);
    cols.types.push_back(c.type);
    cols.not_null.push_back(c.not_null);
    if (c.generated) {
      problems.push_back(fmt::format("column '{}' is generated and cannot be written", c.name));
      continue;
    }
    ColumnWrite w = PlanColumnWrite(f.type, c.type);
    if (!w.problem.empty()) problems.push_back(fmt::format("column '{}' is {}", c.name, w.problem));
    std::string conflict = NullRuleConflict(f, c.name, c.not_null);
    if (!conflict.empty()) problems.push_back(std::move(conflict));
  }
  if (config.partition) {
    const std::string& column = config.partition->column;
    if (table.relkind != 'p') {
      problems.push_back(
          fmt::format("it is not partitioned (partition: needs a table created "
                      "PARTITION BY LIST ({}))",
                      column));
    } else if (table.partition_strategy != 'l' || table.partition_columns.size() != 1 ||
               Lower(table.partition_columns[0]) != Lower(column)) {
      problems.push_back(fmt::format("it is not partitioned BY LIST ({})", column));
    }
    if (std::optional<size_t> p = table.Find(column)) {
      cols.part_name = table.columns[*p].name;
      cols.part_type = table.columns[*p].type;
      cols.part_not_null = table.columns[*p].not_null;
      if (fill) covered[*p] = true;
    } else {
      problems.push_back(fmt::format("partition column '{}' missing", column));
    }
  }
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const PgColumn& c = table.columns[i];
    if (!covered[i] && c.not_null && !c.has_default) {
      problems.push_back(
          fmt::format("column '{}' is NOT NULL, has no default and is not written", c.name));
    }
  }
  if (NeedsKey(request.mode)) {
    for (const std::string& k : request.key) {
      std::optional<size_t> index = table.Find(k);
      if (!index) continue;  // reported as missing above
      cols.conflict.push_back(table.columns[*index].name);
      cols.conflict_nullable |= !table.columns[*index].not_null;
    }
    if (config.partition && !cols.part_name.empty() &&
        std::find(cols.conflict.begin(), cols.conflict.end(), cols.part_name) ==
            cols.conflict.end()) {
      cols.conflict.push_back(cols.part_name);
      cols.conflict_nullable |= !cols.part_not_null;
    }
    SLUICE_ASSIGN_OR_RETURN(std::vector<std::vector<std::string>> unique,
                            UniqueKeys(conn, table.oid));
    std::set<std::string> wanted(cols.conflict.begin(), cols.conflict.end());
    bool found = false;
    for (const auto& key : unique) {
      found |= std::set<std::string>(key.begin(), key.end()) == wanted;
    }
    if (!found) {
      problems.push_back(
          fmt::format("no PRIMARY KEY or UNIQUE index on ({}), which write_mode "
                      "{} needs to find existing rows",
                      JoinQuoted(cols.conflict), WriteModeName(request.mode)));
    }
  }
  if (!problems.empty()) {
    return Status::Conflict("postgres target {}: {}", table.Label(), JoinProblems(problems));
  }
  return Status::OK();
}

std::string MergeSql(const TargetPlan& plan, const Columns& cols, WriteMode mode) {
  std::vector<std::string> names = cols.names;
  if (plan.fill_value) names.push_back(cols.part_name);
  const std::string list = JoinQuoted(names);
  const std::string conflict = JoinQuoted(cols.conflict);
  const std::string stage = QualifiedName("pg_temp", kStagingTable);
  const std::string row = QuoteIdent(kRowColumn);
  if (mode == WriteMode::kIgnore) {
    return fmt::format(
        "INSERT INTO {} ({}) SELECT {} FROM {} ORDER BY {} ON CONFLICT ({}) DO "
        "NOTHING",
        plan.dest, list, list, stage, row, conflict);
  }
  std::string select = fmt::format("SELECT DISTINCT ON ({}) {} FROM {} ORDER BY {}, {} DESC",
                                   conflict, list, stage, conflict, row);
  if (cols.conflict_nullable) {
    // Rows with a NULL key never conflict: each is inserted, none folded by DISTINCT ON.
    std::string all_set;
    std::string any_null;
    for (const std::string& k : cols.conflict) {
      all_set += (all_set.empty() ? "" : " AND ") + QuoteIdent(k) + " IS NOT NULL";
      any_null += (any_null.empty() ? "" : " OR ") + QuoteIdent(k) + " IS NULL";
    }
    select = fmt::format(
        "SELECT {} FROM (SELECT DISTINCT ON ({}) {} FROM {} WHERE {} ORDER BY {}, {} DESC) s "
        "UNION ALL SELECT {} FROM {} WHERE {}",
        list, conflict, list, stage, all_set, conflict, row, list, stage, any_null);
  }
  std::string updates;
  for (const std::string& n : names) {
    if (std::find(cols.conflict.begin(), cols.conflict.end(), n) != cols.conflict.end()) continue;
    updates += fmt::format("{}{} = EXCLUDED.{}", updates.empty() ? "" : ", ", QuoteIdent(n),
                           QuoteIdent(n));
  }
  return fmt::format("INSERT INTO {} ({}) {} ON CONFLICT ({}) {}", plan.dest, list, select,
                     conflict, updates.empty() ? "DO NOTHING" : "DO UPDATE SET " + updates);
}

// Change streams into upsert/replace: the staged order value's low bit marks a row that
// removes its key (a delete, or an update's old image; see StagedOrder in pg_sink_writer.cc).
// Per key only the last staged row counts: if it removes, the key's row is deleted; otherwise
// it is upserted. An update in place stages old then new image, so the new one wins; an
// update that moves a key deletes the old key and upserts the new one.
// The DELETE sorts only the key and the row number (the last staged row per key); the upsert
// sorts whole rows. Keys whose last row removes them go; the others are upserted.
std::string ChangeDeleteSql(const TargetPlan& plan, const Columns& cols) {
  const std::string conflict = JoinQuoted(cols.conflict);
  const std::string row = QuoteIdent(kRowColumn);
  std::string match;
  for (const std::string& k : cols.conflict) {
    match +=
        fmt::format("{}t.{} = s.{}", match.empty() ? "" : " AND ", QuoteIdent(k), QuoteIdent(k));
  }
  return fmt::format(
      "DELETE FROM {} t USING (SELECT DISTINCT ON ({}) {}, {} FROM {} ORDER BY {}, {} DESC) s "
      "WHERE ({}) AND (s.{} & 1) = 1",
      plan.dest, conflict, conflict, row, QualifiedName("pg_temp", kStagingTable), conflict, row,
      match, row);
}

std::string ChangeMergeSql(const TargetPlan& plan, const Columns& cols) {
  std::vector<std::string> names = cols.names;
  if (plan.fill_value) names.push_back(cols.part_name);
  const std::string list = JoinQuoted(names);
  const std::string conflict = JoinQuoted(cols.conflict);
  const std::string stage = QualifiedName("pg_temp", kStagingTable);
  const std::string row = QuoteIdent(kRowColumn);
  std::string updates;
  for (const std::string& n : names) {
    if (std::find(cols.conflict.begin(), cols.conflict.end(), n) != cols.conflict.end()) continue;
    updates += fmt::format("{}{} = EXCLUDED.{}", updates.empty() ? "" : ", ", QuoteIdent(n),
                           QuoteIdent(n));
  }
  const std::string last =
      fmt::format("SELECT DISTINCT ON ({}) {}, {} FROM {} ORDER BY {}, {} DESC", conflict, list,
                  row, stage, conflict, row);
  return fmt::format(
      "INSERT INTO {} ({}) SELECT {} FROM ({}) s WHERE (s.{} & 1) = 0 ON CONFLICT ({}) {}",
      plan.dest, list, list, last, row, conflict,
      updates.empty() ? "DO NOTHING" : "DO UPDATE SET " + updates);
}

// The run's partition: the existing table <table>_p_<value> (which must be a partition of the
// target) or the statement that creates it.
Status PlanPartition(PgConnection& conn, const PgConfig& config, std::optional<uint32_t> parent,
                     TargetPlan& plan) {
  const std::string child = PartitionTableName(plan.table, config.partition->value);
  plan.dest = QualifiedName(plan.schema, child);
  SLUICE_ASSIGN_OR_RETURN(std::optional<uint32_t> existing, FindRelation(conn, plan.schema, child));
  if (existing) {
    SLUICE_ASSIGN_OR_RETURN(
        PgResult r, conn.Query("SELECT 1 FROM pg_inherits WHERE inhrelid = $1::oid AND "
                               "inhparent = $2::oid",
                               "postgres target: partition",
                               {std::to_string(*existing), std::to_string(parent.value_or(0))}));
    if (r.rows() == 0) {
      return Status::Conflict(
          "postgres target {}: table {}.{} exists but is not a partition of "
          "it",
          plan.label, plan.schema, child);
    }
    return Status::OK();
  }
  plan.ddl.push_back(fmt::format("CREATE TABLE {} PARTITION OF {} FOR VALUES IN ({})", plan.dest,
                                 plan.qualified, QuoteLiteral(config.partition->value)));
  return Status::OK();
}

}  // namespace

Result<std::vector<std::string>> AddColumnsSql(PgConnection& conn, const PgConfig& config,
                                               const WriteRequest& request,
                                               const std::vector<std::string>& columns) {
  SLUICE_ASSIGN_OR_RETURN(std::optional<PgTable> table, LoadTable(conn, config.table));
  std::vector<std::string> ddl;
  if (!table) return ddl;  // Prepare creates it with every column
  std::map<std::string, std::optional<PgType>> resolved;
  for (const std::string& name : columns) {
    const std::optional<size_t> index = request.schema.IndexOf(name);
    if (!index || table->Find(name)) continue;
    const Field& f = request.schema.fields[*index];
    SLUICE_ASSIGN_OR_RETURN(PgType type, CreatedColumnType(conn, f, resolved));
    // Nullable whatever the source says: the rows already in the table may have no value. They
    // get what the source gave its own existing rows, if that was a constant.
    SLUICE_ASSIGN_OR_RETURN(
        std::string fill,
        sql_common::AddedDefaultClause(f, "postgres target " + table->Label(),
                                       [](std::string_view v) { return QuoteLiteral(v); }));
    ddl.push_back(fmt::format("ALTER TABLE {} ADD COLUMN IF NOT EXISTS {} {}{}", table->Qualified(),
                              QuoteIdent(f.name), type.declared, fill));
  }
  // Columns dropped at the source take NULL from now on: a NOT NULL one must accept it.
  SLUICE_ASSIGN_OR_RETURN(
      std::vector<std::string> relax,
      RelaxNotNullSql(*table, request, config.partition ? config.partition->column : ""));
  ddl.insert(ddl.end(), relax.begin(), relax.end());
  // Columns the source lengthened take its longer values.
  const std::vector<std::string> lengthen = WidenColumnsSql(*table, request);
  ddl.insert(ddl.end(), lengthen.begin(), lengthen.end());
  return ddl;
}

std::string TargetPlan::CopySql() const {
  return fmt::format("COPY {} ({}) FROM STDIN (FORMAT {})", copy_table, JoinQuoted(copy_columns),
                     binary ? "binary" : "text");
}

UnchangedFill UnchangedFillSql(const TargetPlan& plan, const std::vector<size_t>& columns) {
  const std::string stage = QualifiedName("pg_temp", kStagingTable);
  const std::string keep = QuoteIdent(kKeepColumn);
  std::string sets;
  for (size_t c : columns) {
    const std::string name = QuoteIdent(plan.column_names[c]);
    sets += fmt::format("{} = CASE WHEN get_bit(s.{}, {}) = 1 THEN t.{} ELSE s.{} END, ", name,
                        keep, c, name, name);
  }
  std::string match;
  for (const std::string& k : plan.key) {
    match += fmt::format(" AND t.{} = s.{}", QuoteIdent(k), QuoteIdent(k));
  }
  UnchangedFill fill;
  // Every mask covers all written columns (CopyEncoder), so get_bit never reads past it.
  fill.update_sql = fmt::format("UPDATE {} s SET {}{} = NULL FROM {} t WHERE s.{} IS NOT NULL{}",
                                stage, sets, keep, plan.dest, keep, match);
  fill.unmatched_sql = fmt::format("SELECT count(*) FROM {} WHERE {} IS NOT NULL", stage, keep);
  return fill;
}

std::string PartitionTableName(const std::string& table, const std::string& value) {
  std::string name = table + "_p_";
  for (char c : value) {
    name += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_';
  }
  if (name.size() > 63) {
    size_t cut = 63;
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
    name.resize(cut);
  }
  return name;
}

// PostgreSQL cuts longer names to max_identifier_length bytes (63) without an error: two long
// names would become one table (or column), and the next run would not find the name it
// created. Refused instead, naming the name and the limit.
Status CheckNameLengths(PgConnection& conn, const PgConfig& config, const WriteRequest& request,
                        bool creates) {
  const size_t longest_column =
      creates ? std::max_element(
                    request.schema.fields.begin(), request.schema.fields.end(),
                    [](const Field& a, const Field& b) { return a.name.size() < b.name.size(); })
                    ->name.size()
              : 0;
  if (std::max({config.table.name.size(), config.table.schema.size(), longest_column}) <= 63) {
    return Status::OK();  // within every server's limit (NAMEDATALEN is at least 64)
  }
  SLUICE_ASSIGN_OR_RETURN(PgResult r,
                          conn.Query("SELECT current_setting('max_identifier_length')::int",
                                     "postgres: reading max_identifier_length"));
  const size_t limit = static_cast<size_t>(r.Int(0, 0));
  auto refuse = [&](std::string_view what, const std::string& name) {
    return Status::Invalid(
        "postgres target: {} name '{}' is {} bytes, and PostgreSQL keeps only the first {} "
        "(max_identifier_length): names that begin alike would become one {}. Shorten it "
        "(target.table or a route for a table, a transform for a column)",
        what, name, name.size(), limit, what);
  };
  if (config.table.name.size() > limit) return refuse("table", config.table.name);
  if (config.table.schema.size() > limit) return refuse("schema", config.table.schema);
  if (creates) {
    for (const Field& f : request.schema.fields) {
      if (f.name.size() > limit) return refuse("column", f.name);
    }
  }
  return Status::OK();
}

Result<TargetPlan> BuildTargetPlan(PgConnection& conn, const PgConfig& config,
                                   const WriteRequest& request) {
  if (request.schema.fields.empty()) {
    return Err(Status::Invalid("postgres target: no columns to write"));
  }
  if (NeedsKey(request.mode) && request.key.empty()) {
    return Err(Status::Invalid("postgres target: write_mode {} needs target.key",
                               WriteModeName(request.mode)));
  }
  for (const std::string& k : request.key) {
    if (!request.schema.IndexOf(k)) {
      return Err(
          Status::Invalid("postgres target: key column '{}' is not among the incoming "
                          "columns ({})",
                          k, request.schema.ToString()));
    }
  }
  SLUICE_ASSIGN_OR_RETURN(std::optional<PgTable> table, LoadTable(conn, config.table));
  SLUICE_RETURN_IF_ERROR(CheckNameLengths(conn, config, request, !table.has_value()));
  TargetPlan plan;
  if (table) {
    plan.schema = table->schema;
    plan.table = table->name;
  } else {
    if (config.create_table == CreateTable::kNever) {
      SLUICE_ASSIGN_OR_RETURN(std::vector<std::string> tables,
                              ListTables(conn, config.table.schema));
      std::optional<std::string> near = ClosestName(config.table.name, tables);
      return Err(Status::NotFound(
          "postgres target: table '{}' not found in {} and create_table is never ({}tables: {})",
          config.table_text, config.target.Describe(),
          near ? fmt::format("did you mean '{}'? ", *near) : "", JoinNames(tables)));
    }
    plan.table = config.table.name;
    if (config.table.schema.empty()) {
      SLUICE_ASSIGN_OR_RETURN(plan.schema, CurrentSchema(conn));
    } else {
      plan.schema = config.table.schema;
    }
  }
  plan.qualified = QualifiedName(plan.schema, plan.table);
  plan.label = plan.schema + "." + plan.table;

  const bool fill =
      config.partition && !request.schema.IndexOf(config.partition->column).has_value();
  Columns cols;
  if (table) {
    SLUICE_RETURN_IF_ERROR(PlanExisting(conn, *table, config, request, fill, cols));
  } else {
    SLUICE_ASSIGN_OR_RETURN(std::string create,
                            PlanCreate(conn, plan, config, request, fill, cols));
    plan.ddl.push_back(std::move(create));
  }
  plan.dest = plan.qualified;
  if (config.partition) {
    SLUICE_RETURN_IF_ERROR(PlanPartition(
        conn, config, table ? std::optional<uint32_t>(table->oid) : std::nullopt, plan));
  }

  plan.binary = true;
  for (size_t i = 0; i < request.schema.fields.size(); ++i) {
    plan.writes.push_back(PlanColumnWrite(request.schema.fields[i].type, cols.types[i]));
    plan.binary &= plan.writes.back().binary;
    plan.copy_columns.push_back(cols.names[i]);
  }
  if (fill) {
    plan.fill_value = config.partition->value;
    plan.fill_type = cols.part_type.declared;
    plan.copy_columns.push_back(cols.part_name);
  }

  switch (request.mode) {
    case WriteMode::kAppend:
      plan.copy_table = plan.dest;
      break;
    case WriteMode::kOverwrite:
      plan.truncate_sql = "TRUNCATE " + plan.dest;
      plan.copy_table = plan.dest;
      break;
    case WriteMode::kUpsert:
    case WriteMode::kReplace:
    case WriteMode::kIgnore: {
      // The staging table has the target's column types, so a value the target cannot take
      // fails at COPY (and its row is rejected), not in the final INSERT. A row that removes
      // its key (a delete, an update's old image) may carry only the key: a PostgreSQL source
      // without REPLICA IDENTITY FULL sends nothing else. So a NOT NULL column outside the key
      // is NOT NULL only in the rows that are written (StagedOrder's low bit 0).
      std::string body;
      std::string checks;
      const bool change_capable = request.mode != WriteMode::kIgnore && !cols.conflict_nullable;
      const bool keep = change_capable && request.realtime;
      const std::string keep_check = fmt::format(" OR {} IS NOT NULL", QuoteIdent(kKeepColumn));
      plan.column_names = cols.names;
      plan.key = cols.conflict;
      for (size_t i = 0; i < cols.names.size(); ++i) {
        const std::string name = QuoteIdent(cols.names[i]);
        const bool in_key = std::find(cols.conflict.begin(), cols.conflict.end(), cols.names[i]) !=
                            cols.conflict.end();
        body += fmt::format("{}{} {}{}", body.empty() ? "" : ", ", name, cols.types[i].declared,
                            cols.not_null[i] && in_key ? " NOT NULL" : "");
        if (cols.not_null[i] && !in_key) {
          // An unchanged cell (its row has a keep mask) is NULL until UnchangedFillSql.
          checks += fmt::format(", CHECK ({} IS NOT NULL OR ({} & 1) = 1{})", name,
                                QuoteIdent(kRowColumn), keep ? keep_check : "");
        }
      }
      if (fill) body += fmt::format(", {} {}", QuoteIdent(cols.part_name), plan.fill_type);
      body += fmt::format(", {} bigint", QuoteIdent(kRowColumn));
      if (keep) body += fmt::format(", {} bytea", QuoteIdent(kKeepColumn));
      body += checks;
      plan.copy_table = QualifiedName("pg_temp", kStagingTable);
      plan.staging_ddl =
          fmt::format("CREATE TEMP TABLE {} ({}) ON COMMIT DROP", QuoteIdent(kStagingTable), body);
      plan.copy_columns.push_back(kRowColumn);
      if (keep) plan.copy_columns.push_back(kKeepColumn);
      plan.keep_masks = keep;
      plan.merge_sql = MergeSql(plan, cols, request.mode);
      if (change_capable) {
        plan.change_delete_sql = ChangeDeleteSql(plan, cols);
        plan.change_merge_sql = ChangeMergeSql(plan, cols);
      }
      break;
    }
  }
  return plan;
}

}  // namespace sluice::postgres
