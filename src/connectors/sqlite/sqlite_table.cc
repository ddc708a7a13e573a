#include "connectors/sqlite/sqlite_table.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "connectors/sql_common/positions_table.h"
#include "connectors/sqlite/sqlite_types.h"

namespace sluice::sqlite {
namespace {

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string TextOf(sqlite3_stmt* stmt, int col) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, col));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt, col))) : std::string();
}

// Types an untyped column from its first non-NULL values.
Result<DataType> SampleType(Database& db, const std::string& table, const std::string& column) {
  std::string sql = fmt::format(
      "SELECT count(*) FROM (SELECT {0} AS v FROM {1} WHERE {0} IS NOT NULL LIMIT 100) "
      "WHERE typeof(v) = 'blob'",
      QuoteIdent(column), QuoteIdent(table));
  SLUICE_ASSIGN_OR_RETURN(SqlValue blobs, db.QueryValue(sql));
  return DataType::Of(blobs.i > 0 ? TypeId::kBytes : TypeId::kString);
}

}  // namespace

std::optional<size_t> TableInfo::Find(std::string_view column) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == column) return i;
  }
  for (size_t i = 0; i < columns.size(); ++i) {
    if (EqualsNoCase(columns[i].name, column)) return i;
  }
  return std::nullopt;
}

std::vector<std::string> TableInfo::ColumnNames() const {
  std::vector<std::string> names;
  for (const TableColumn& c : columns) names.push_back(c.name);
  return names;
}

std::optional<size_t> TableInfo::RowidAlias() const {
  if (!has_rowid) return std::nullopt;
  std::optional<size_t> found;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].pk == 0) continue;
    if (found) return std::nullopt;  // a composite key is not a rowid alias
    found = i;
  }
  if (found && EqualsNoCase(columns[*found].declared, "INTEGER")) return found;
  return std::nullopt;
}

std::string TableInfo::RowidExpr() const {
  if (!has_rowid) return "";
  for (const char* name : {"rowid", "_rowid_", "oid"}) {
    if (!Find(name)) return name;
  }
  return "";
}

Result<std::optional<TableInfo>> LoadTableInfo(Database& db, std::string_view name) {
  SLUICE_ASSIGN_OR_RETURN(Statement find,
                          db.Prepare("SELECT name, type, wr FROM pragma_table_list "
                                     "WHERE schema = 'main' AND name = ?1 COLLATE NOCASE"));
  SLUICE_RETURN_IF_ERROR(find.Bind(1, SqlValue::Text(std::string(name))));
  SLUICE_ASSIGN_OR_RETURN(bool found, find.Step());
  if (!found) return std::optional<TableInfo>();
  TableInfo info;
  info.name = TextOf(find.get(), 0);
  std::string kind = TextOf(find.get(), 1);
  info.is_view = kind == "view";
  // Views have no rowid to split on; virtual tables may, but we do not rely on it.
  info.has_rowid = kind == "table" && sqlite3_column_int(find.get(), 2) == 0;

  SLUICE_ASSIGN_OR_RETURN(
      Statement cols, db.Prepare("SELECT name, type, \"notnull\", pk, dflt_value IS NOT NULL FROM "
                                 "pragma_table_info(?1, 'main')"));
  SLUICE_RETURN_IF_ERROR(cols.Bind(1, SqlValue::Text(info.name)));
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(bool row, cols.Step());
    if (!row) break;
    TableColumn c;
    c.name = TextOf(cols.get(), 0);
    c.declared = TextOf(cols.get(), 1);
    c.not_null = sqlite3_column_int(cols.get(), 2) != 0;
    c.pk = sqlite3_column_int(cols.get(), 3);
    c.has_default = sqlite3_column_int(cols.get(), 4) != 0;
    info.columns.push_back(std::move(c));
  }
  for (TableColumn& c : info.columns) {
    std::optional<DataType> mapped = MapDeclaredType(c.declared);
    if (mapped) {
      c.type = *mapped;
    } else {
      SLUICE_ASSIGN_OR_RETURN(c.type, SampleType(db, info.name, c.name));
    }
  }
  return std::optional<TableInfo>(std::move(info));
}

Result<std::vector<std::string>> ListTables(Database& db) {
  SLUICE_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare("SELECT name FROM pragma_table_list WHERE schema = 'main' AND "
                 "type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND "
                 "name NOT IN (?1, ?2) ORDER BY name"));
  SLUICE_RETURN_IF_ERROR(stmt.Bind(1, SqlValue::Text(std::string(sql_common::kPositionsTable))));
  SLUICE_RETURN_IF_ERROR(stmt.Bind(2, SqlValue::Text(std::string(sql_common::kLegacyRunsTable))));
  std::vector<std::string> names;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    names.push_back(TextOf(stmt.get(), 0));
  }
  return names;
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

}  // namespace sluice::sqlite
