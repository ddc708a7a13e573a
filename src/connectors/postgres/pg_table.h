// What sluice needs to know about one PostgreSQL table, view or partitioned table: its
// columns and their types (from the catalog), its primary key, unique keys and partitioning.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/suggest.h"

#include "connectors/postgres/pg_connection.h"
#include "connectors/postgres/pg_types.h"

namespace sluice::postgres {

// A table name as written in a job file: `orders`, `shop.orders`, `"My Table"`.
struct TableName {
  std::string schema;  // empty: the first schema of the search_path that has it
  std::string name;
  // Quoted in the job file: matched exactly, as PostgreSQL matches a quoted name; an unquoted
  // name is also found ignoring case. Multi-table jobs quote every name they fill in, so
  // "Same" and "same" stay two tables.
  bool schema_exact = false;
  bool name_exact = false;
};
// Splits on the dot outside double quotes; quoted parts keep their case and dots.
Result<TableName> ParseTableName(std::string_view text);

struct PgColumn {
  std::string name;
  PgType type;
  bool not_null = false;
  bool has_default = false;  // a default, an identity or a generated value
  bool generated = false;    // GENERATED ALWAYS AS (...) STORED: cannot be written
};

struct PgTable {
  uint32_t oid = 0;
  std::string schema;
  std::string name;
  char relkind = 'r';  // r table, p partitioned table, v view, m materialized view, f foreign
  std::vector<PgColumn> columns;
  std::vector<std::string> primary_key;
  // Partitioned tables: the strategy ('l' list, 'r' range, 'h' hash) and key columns.
  char partition_strategy = 0;
  std::vector<std::string> partition_columns;

  std::string Qualified() const { return QualifiedName(schema, name); }
  std::string Label() const { return schema + "." + name; }  // for messages
  bool is_view() const { return relkind == 'v' || relkind == 'm'; }
  // Exact match first, then ignoring case (unquoted SQL names are folded to lower case).
  std::optional<size_t> Find(std::string_view column) const;
  std::vector<std::string> ColumnNames() const;
};

// Looks `name` up: the exact name first, then ignoring case. nullopt when there is none.
Result<std::optional<PgTable>> LoadTable(PgConnection& conn, const TableName& name);

// The table's unique constraints and indexes usable as an ON CONFLICT target (no predicate,
// no expressions), each as its column names.
Result<std::vector<std::vector<std::string>>> UniqueKeys(PgConnection& conn, uint32_t table_oid);

// The type a type name such as "numeric(10,2)", "mood" or "integer[]" stands for in this
// database, as the catalog would describe a column of it (domains resolved to their base
// type, typmod -1 unless a domain sets one); nullopt when the database has no such type.
Result<std::optional<PgType>> ResolveTypeName(PgConnection& conn, const std::string& declared);
// The PgType of a column of type `oid` with `typmod` (pg_attribute's atttypid and atttypmod),
// as a table's columns are read: a domain as its base type with the domain's typmod. For a
// change stream's types the decoder does not know by oid (enums, domains, user types).
Result<PgType> ResolveTypeOid(PgConnection& conn, uint32_t oid, int32_t typmod);

// Tables and views of `schema` (or of the search_path when empty), sorted, for messages.
Result<std::vector<std::string>> ListTables(PgConnection& conn, const std::string& schema);

// The name of the schema unqualified names are created in (current_schema()).
Result<std::string> CurrentSchema(PgConnection& conn);

// Whether `schema`.`name` exists (a table of any kind), and its oid.
Result<std::optional<uint32_t>> FindRelation(PgConnection& conn, const std::string& schema,
                                             const std::string& name);

using ::sluice::ClosestName;  // core/suggest.h
// "a, b, c" (at most `max` names, then "...").
std::string JoinNames(const std::vector<std::string>& names, size_t max = 30);

}  // namespace sluice::postgres
