#include "connectors/postgres/pg_catalog.h"

#include "connectors/postgres/pg_connection.h"
#include "connectors/postgres/pg_table.h"
#include "connectors/sql_common/positions_table.h"

namespace sluice::postgres {

Result<std::vector<CatalogTable>> ListPgTables(const Options& options) {
  const std::string url = options.GetString("url");
  if (url.empty()) return Err(options.ErrorAt("url", "is required"));
  if (Result<ConnTarget> target = ParseConnTarget(url); !target) {
    return Err(options.ErrorAt("url", target.error().message()));
  }
  SLUICE_ASSIGN_OR_RETURN(PgConnection conn, PgConnection::Connect(url));
  SLUICE_ASSIGN_OR_RETURN(
      PgResult result,
      conn.Query(
          "SELECT n.nspname, c.relname, c.reltuples::bigint, "
          "n.nspname = current_schema(), c.relkind IN ('v', 'm') "
          "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
          "WHERE c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition "
          "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
          "AND n.nspname NOT LIKE 'pg\\_%' AND c.relname NOT IN ($1, $2) "
          "ORDER BY n.nspname, c.relname",
          "listing tables",
          {std::string(sql_common::kPositionsTable), std::string(sql_common::kLegacyRunsTable)}));
  std::vector<CatalogTable> tables;
  tables.reserve(result.rows());
  for (int row = 0; row < result.rows(); ++row) {
    CatalogTable t;
    t.db = result.Str(row, 0);
    t.name = result.Str(row, 1);
    t.table_option = QuoteIdent(t.db) + "." + QuoteIdent(t.name);
    t.estimated_rows = result.Int(row, 2);
    t.in_default_db = result.Bool(row, 3);
    t.is_view = result.Bool(row, 4);
    tables.push_back(std::move(t));
  }
  return tables;
}

}  // namespace sluice::postgres
