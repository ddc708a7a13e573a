#include "connectors/mysql/mysql_relax_not_null.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace sluice::mysql {
namespace {

bool Lists(const std::vector<std::string>& names, const std::string& name) {
  return std::any_of(names.begin(), names.end(), [&](const std::string& n) {
    return std::equal(n.begin(), n.end(), name.begin(), name.end(), [](char a, char b) {
      return std::tolower(static_cast<unsigned char>(a)) ==
             std::tolower(static_cast<unsigned char>(b));
    });
  });
}

// Whether the run writes NULL into target column `c`: the source dropped it (the rows carry it,
// NULL), or the rows do not name it at all and it has no default to fill in.
bool TakesNull(const MysqlColumn& c, const WriteRequest& request) {
  const std::optional<size_t> field = request.schema.IndexOf(c.name);
  if (field) return request.schema.fields[*field].dropped_at_source;
  return !c.has_default;
}

// The column as the catalog defines it, but NULL. COLUMN_DEFAULT is an SQL expression in
// MariaDB 10.2.7+ ('text' quoted, NULL as NULL, functions as written) and restated as such;
// MySQL gives the bare value, quoted here as a string (MySQL converts it to the column's type).
Result<std::string> ModifySql(Connection& conn, const MysqlTable& table, const std::string& name) {
  SLUICE_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      conn.QueryRow(fmt::format(
          "SELECT COLUMN_TYPE, CHARACTER_SET_NAME, COLLATION_NAME, COLUMN_DEFAULT, "
          "COLUMN_COMMENT, VERSION() LIKE '%MariaDB%' FROM information_schema.COLUMNS WHERE "
          "TABLE_SCHEMA = {} AND TABLE_NAME = {} AND COLUMN_NAME = {}",
          QuoteString(table.database), QuoteString(table.name), QuoteString(name))));
  if (!row) {
    return Err(Status::NotFound("mysql target {}: column {} is gone from the catalog",
                                table.Label(), name));
  }
  const Row& r = *row;
  std::string sql =
      fmt::format("ALTER TABLE {} MODIFY {} {}", QuoteQualified(table.database, table.name),
                  QuoteIdent(name), r[0].value_or(""));
  if (r[1]) sql += " CHARACTER SET " + *r[1];
  if (r[2]) sql += " COLLATE " + *r[2];
  sql += " NULL";
  const bool mariadb = r[5].value_or("0") == "1";
  if (r[3] && !(mariadb && *r[3] == "NULL")) {
    sql += " DEFAULT " + (mariadb ? *r[3] : QuoteString(*r[3]));
  }
  if (r[4] && !r[4]->empty()) sql += " COMMENT " + QuoteString(*r[4]);
  return sql;
}

}  // namespace

Result<std::vector<std::string>> RelaxNotNullSql(Connection& conn, const MysqlTable& table,
                                                 const WriteRequest& request,
                                                 std::string_view filled) {
  std::vector<std::string> ddl;
  for (const MysqlColumn& c : table.columns) {
    if (c.nullable || c.auto_increment || Lists({std::string(filled)}, c.name) ||
        !TakesNull(c, request)) {
      continue;
    }
    if (c.pk > 0 || Lists(table.primary_key, c.name) || Lists(request.key, c.name)) {
      return Err(Status::Invalid(
          "mysql target {}: column {} was dropped at the source but is part of the target's "
          "key, which cannot take NULL: the changes from the drop on cannot be applied; "
          "re-snapshot the table into a new target (startup: initial) with a key of the "
          "remaining columns",
          table.Label(), c.name));
    }
    SLUICE_ASSIGN_OR_RETURN(std::string sql, ModifySql(conn, table, c.name));
    ddl.push_back(std::move(sql));
  }
  return ddl;
}

}  // namespace sluice::mysql
