#include "connectors/sqlite/sqlite_catalog.h"

#include <filesystem>

#include <sqlite3.h>

#include "connectors/sqlite/sqlite_config.h"
#include "connectors/sqlite/sqlite_handle.h"

namespace sluice::sqlite {

Result<std::vector<CatalogTable>> ListSqliteTables(const Options& options) {
  // The config parser wants a table; the listing needs only the file.
  Options file_only = options;
  file_only.SetString("table", "_");
  SLUICE_ASSIGN_OR_RETURN(SqliteConfig config, ParseSqliteConfig(file_only, /*target=*/false));
  if (!std::filesystem::exists(config.path)) {
    return Err(Status::NotFound("sqlite: database file '{}' does not exist", config.path));
  }
  SLUICE_ASSIGN_OR_RETURN(
      Database db, Database::Open(config.path, SQLITE_OPEN_READONLY, config.busy_timeout_ms));
  SLUICE_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare("SELECT name, type = 'view' FROM sqlite_schema "
                 "WHERE type IN ('table', 'view') "
                 "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                 "AND name NOT IN ('_sluice_positions', '_sluice_runs') ORDER BY name"));
  const std::string stem = std::filesystem::path(config.path).stem().string();
  std::vector<CatalogTable> tables;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    CatalogTable t;
    t.db = stem;
    t.name = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), 0));
    t.table_option = t.name;
    t.in_default_db = true;
    t.is_view = sqlite3_column_int(stmt.get(), 1) != 0;
    tables.push_back(std::move(t));
  }
  return tables;
}

}  // namespace sluice::sqlite
