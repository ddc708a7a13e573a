#include "connectors/postgres/pg_table.h"

#include <algorithm>
#include <cctype>
#include <map>

#include <fmt/format.h>

#include "connectors/sql_common/positions_table.h"

namespace sluice::postgres {
namespace {

constexpr const char* kFindTable = R"sql(
SELECT c.oid, n.nspname, c.relname, c.relkind
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND CASE WHEN $3::boolean THEN c.relname = $2 ELSE lower(c.relname) = lower($2) END
  AND CASE WHEN $1 = '' THEN n.nspname = ANY (current_schemas(false))
           WHEN $4::boolean THEN n.nspname = $1
           ELSE lower(n.nspname) = lower($1) END
ORDER BY (c.relname = $2) DESC, (n.nspname = $1) DESC,
         array_position(current_schemas(false), n.nspname)
LIMIT 1)sql";

// Domains are resolved to their base type (one level), with the domain's typmod.
constexpr const char* kColumns = R"sql(
SELECT a.attname, a.attnotnull,
       a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '',
       a.attgenerated <> '',
       bt.oid, bt.typname, bt.typtype, bt.typcategory,
       CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END,
       format_type(a.atttypid, a.atttypmod)
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum)sql";

constexpr const char* kResolveType = R"sql(
SELECT bt.oid, bt.typname, bt.typtype, bt.typcategory,
       CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE -1 END
FROM pg_type t
JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
WHERE t.oid = to_regtype($1))sql";

constexpr const char* kResolveTypeOid = R"sql(
SELECT bt.oid, bt.typname, bt.typtype, bt.typcategory,
       CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE $2::int END,
       format_type(t.oid, $2::int)
FROM pg_type t
JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
WHERE t.oid = $1::oid)sql";

constexpr const char* kPrimaryKey = R"sql(
SELECT a.attname
FROM pg_index i
CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indrelid = $1::oid AND i.indisprimary
ORDER BY k.ord)sql";

constexpr const char* kUniqueKeys = R"sql(
SELECT i.indexrelid, a.attname
FROM pg_index i
CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indrelid = $1::oid AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
ORDER BY i.indexrelid, k.ord)sql";

constexpr const char* kPartitioning = R"sql(
SELECT p.partstrat, a.attname
FROM pg_partitioned_table p
CROSS JOIN LATERAL unnest(p.partattrs::int2[]) WITH ORDINALITY AS k(attnum, ord)
LEFT JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = k.attnum
WHERE p.partrelid = $1::oid
ORDER BY k.ord)sql";

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

Result<TableName> ParseTableName(std::string_view text) {
  std::vector<std::string> parts(1);
  std::vector<bool> exact(1, false);
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      exact.back() = true;
      if (quoted && i + 1 < text.size() && text[i + 1] == '"') {
        parts.back() += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (c == '.' && !quoted) {
      parts.emplace_back();
      exact.push_back(false);
    } else {
      parts.back() += c;
    }
  }
  if (quoted || parts.size() > 2 || parts.back().empty() || parts.front().empty()) {
    return Err(Status::Invalid("'{}' is not a table name (expected table or schema.table)", text));
  }
  if (parts.size() == 1) return TableName{"", parts[0], false, exact[0]};
  return TableName{parts[0], parts[1], exact[0], exact[1]};
}

std::optional<size_t> PgTable::Find(std::string_view column) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == column) return i;
  }
  std::string want = Lower(column);
  for (size_t i = 0; i < columns.size(); ++i) {
    if (Lower(columns[i].name) == want) return i;
  }
  return std::nullopt;
}

namespace {

// A PgType from the first row of kResolveType or kResolveTypeOid (oid, typname, typtype,
// typcategory, typmod).
PgType TypeOfRow(const PgResult& r, std::string declared) {
  PgType t;
  t.oid = static_cast<uint32_t>(r.Int(0, 0));
  t.name = r.Str(0, 1);
  t.typtype = r.Text(0, 2).empty() ? 'b' : r.Text(0, 2)[0];
  t.category = r.Text(0, 3).empty() ? 'U' : r.Text(0, 3)[0];
  t.typmod = static_cast<int32_t>(r.Int(0, 4));
  t.declared = std::move(declared);
  return t;
}

}  // namespace

Result<std::optional<PgType>> ResolveTypeName(PgConnection& conn, const std::string& declared) {
  SLUICE_ASSIGN_OR_RETURN(
      PgResult r, conn.Query(kResolveType, "postgres: looking up type " + declared, {declared}));
  if (r.rows() == 0) return std::optional<PgType>();
  return std::optional<PgType>(TypeOfRow(r, declared));
}

Result<PgType> ResolveTypeOid(PgConnection& conn, uint32_t oid, int32_t typmod) {
  SLUICE_ASSIGN_OR_RETURN(
      PgResult r, conn.Query(kResolveTypeOid, fmt::format("postgres: looking up type {}", oid),
                             {std::to_string(oid), std::to_string(typmod)}));
  if (r.rows() == 0) return Err(Status::Invalid("postgres: no type with oid {}", oid));
  return TypeOfRow(r, r.Str(0, 5));
}

std::vector<std::string> PgTable::ColumnNames() const {
  std::vector<std::string> names;
  for (const PgColumn& c : columns) names.push_back(c.name);
  return names;
}

Result<std::optional<PgTable>> LoadTable(PgConnection& conn, const TableName& name) {
  SLUICE_ASSIGN_OR_RETURN(PgResult found,
                          conn.Query(kFindTable, "postgres: looking up the table",
                                     {name.schema, name.name, name.name_exact ? "true" : "false",
                                      name.schema_exact ? "true" : "false"}));
  if (found.rows() == 0) return std::optional<PgTable>();
  PgTable table;
  table.oid = static_cast<uint32_t>(found.Int(0, 0));
  table.schema = found.Str(0, 1);
  table.name = found.Str(0, 2);
  table.relkind = found.Text(0, 3).empty() ? 'r' : found.Text(0, 3)[0];
  const std::string oid_text = std::to_string(table.oid);

  SLUICE_ASSIGN_OR_RETURN(PgResult cols,
                          conn.Query(kColumns, "postgres: reading the columns", {oid_text}));
  for (int r = 0; r < cols.rows(); ++r) {
    PgColumn c;
    c.name = cols.Str(r, 0);
    c.not_null = cols.Bool(r, 1);
    c.has_default = cols.Bool(r, 2);
    c.generated = cols.Bool(r, 3);
    c.type.oid = static_cast<uint32_t>(cols.Int(r, 4));
    c.type.name = cols.Str(r, 5);
    c.type.typtype = cols.Text(r, 6).empty() ? 'b' : cols.Text(r, 6)[0];
    c.type.category = cols.Text(r, 7).empty() ? 'U' : cols.Text(r, 7)[0];
    c.type.typmod = static_cast<int32_t>(cols.Int(r, 8));
    c.type.declared = cols.Str(r, 9);
    table.columns.push_back(std::move(c));
  }
  SLUICE_ASSIGN_OR_RETURN(PgResult pk,
                          conn.Query(kPrimaryKey, "postgres: reading the primary key", {oid_text}));
  for (int r = 0; r < pk.rows(); ++r) table.primary_key.push_back(pk.Str(r, 0));
  if (table.relkind == 'p') {
    SLUICE_ASSIGN_OR_RETURN(
        PgResult part, conn.Query(kPartitioning, "postgres: reading the partitioning", {oid_text}));
    for (int r = 0; r < part.rows(); ++r) {
      table.partition_strategy = part.Text(r, 0).empty() ? 0 : part.Text(r, 0)[0];
      table.partition_columns.push_back(part.Str(r, 1));  // "" for an expression
    }
  }
  return std::optional<PgTable>(std::move(table));
}

Result<std::vector<std::vector<std::string>>> UniqueKeys(PgConnection& conn, uint32_t table_oid) {
  SLUICE_ASSIGN_OR_RETURN(PgResult r, conn.Query(kUniqueKeys, "postgres: reading unique keys",
                                                 {std::to_string(table_oid)}));
  std::map<std::string, std::vector<std::string>> by_index;
  std::vector<std::string> order;
  for (int i = 0; i < r.rows(); ++i) {
    std::string index = r.Str(i, 0);
    if (!by_index.count(index)) order.push_back(index);
    by_index[index].push_back(r.Str(i, 1));
  }
  std::vector<std::vector<std::string>> keys;
  for (const std::string& index : order) keys.push_back(by_index[index]);
  return keys;
}

Result<std::vector<std::string>> ListTables(PgConnection& conn, const std::string& schema) {
  SLUICE_ASSIGN_OR_RETURN(
      PgResult r,
      conn.Query("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                 "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition "
                 "AND c.relname NOT IN ($2, $3) AND CASE WHEN $1 = '' THEN n.nspname = ANY "
                 "(current_schemas(false)) ELSE n.nspname = $1 END ORDER BY 1",
                 "postgres: listing tables",
                 {schema, std::string(sql_common::kPositionsTable),
                  std::string(sql_common::kLegacyRunsTable)}));
  std::vector<std::string> names;
  for (int i = 0; i < r.rows(); ++i) names.push_back(r.Str(i, 0));
  return names;
}

Result<std::string> CurrentSchema(PgConnection& conn) {
  SLUICE_ASSIGN_OR_RETURN(PgResult r,
                          conn.Query("SELECT current_schema()", "postgres: current schema"));
  if (r.rows() == 0 || r.IsNull(0, 0)) {
    return Err(
        Status::Invalid("postgres at {}: no schema to create tables in (search_path "
                        "is empty); qualify the table as schema.table",
                        conn.target().Describe()));
  }
  return r.Str(0, 0);
}

Result<std::optional<uint32_t>> FindRelation(PgConnection& conn, const std::string& schema,
                                             const std::string& name) {
  SLUICE_ASSIGN_OR_RETURN(PgResult r,
                          conn.Query("SELECT to_regclass($1)::oid", "postgres: looking up a table",
                                     {QualifiedName(schema, name)}));
  if (r.rows() == 0 || r.IsNull(0, 0)) return std::optional<uint32_t>();
  return std::optional<uint32_t>(static_cast<uint32_t>(r.Int(0, 0)));
}

std::string JoinNames(const std::vector<std::string>& names, size_t max) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < max; ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  if (names.size() > max) out += ", ...";
  if (names.empty()) out = "none";
  return out;
}

}  // namespace sluice::postgres
