#include "connectors/mysql/mysql_catalog.h"

#include <charconv>

#include "connectors/mysql/mysql_connection.h"
#include "connectors/mysql/mysql_table.h"
#include "connectors/mysql/mysql_url.h"
#include "connectors/sql_common/positions_table.h"

namespace sluice::mysql {

Result<std::vector<CatalogTable>> ListMysqlTables(const Options& options) {
  Result<MysqlUrl> url = ParseMysqlUrl(options.GetString("url"));
  if (!url) return Err(options.ErrorAt("url", url.error().message()));
  SLUICE_ASSIGN_OR_RETURN(Connection conn, Connection::Open(*url));
  SLUICE_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      conn.Query(fmt::format(
          "SELECT table_schema, table_name, COALESCE(table_rows, -1), table_type = 'VIEW' "
          // A system-versioned table reads as its current rows, like any other.
          "FROM information_schema.tables WHERE table_type IN ('BASE TABLE', 'VIEW', "
          "'SYSTEM VERSIONED') "
          "AND table_schema NOT IN ('mysql', 'sys', 'information_schema', "
          "'performance_schema') AND table_name NOT IN ('{}', '{}') "
          "ORDER BY table_schema, table_name",
          sql_common::kPositionsTable, sql_common::kLegacyRunsTable)));
  std::vector<CatalogTable> tables;
  tables.reserve(rows.size());
  for (const Row& row : rows) {
    CatalogTable t;
    t.db = row[0].value_or("");
    t.name = row[1].value_or("");
    std::string escaped;
    for (char c : t.name) {
      if (c == '`') escaped += '`';
      escaped += c;
    }
    // db.`table`: the config splits at the first dot and unquotes the table part.
    t.table_option = t.db + ".`" + escaped + "`";
    const std::string count = row[2].value_or("-1");
    std::from_chars(count.data(), count.data() + count.size(), t.estimated_rows);
    t.in_default_db = t.db == url->database;
    t.is_view = row[3].value_or("0") == "1";
    tables.push_back(std::move(t));
  }
  return tables;
}

Result<bool> TableNamesKeepCase(const Options& options) {
  Result<MysqlUrl> url = ParseMysqlUrl(options.GetString("url"));
  if (!url) return Err(options.ErrorAt("url", url.error().message()));
  SLUICE_ASSIGN_OR_RETURN(Connection conn, Connection::Open(*url));
  SLUICE_ASSIGN_OR_RETURN(std::vector<Row> rows, conn.Query("SELECT @@lower_case_table_names"));
  return !rows.empty() && rows[0][0].value_or("0") == "0";
}

}  // namespace sluice::mysql
