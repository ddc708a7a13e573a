#include "connectors/sqlite/sqlite_connector.h"

#include <memory>

#include "connectors/sqlite/sqlite_catalog.h"
#include "connectors/sqlite/sqlite_config.h"
#include "connectors/sqlite/sqlite_sink.h"
#include "connectors/sqlite/sqlite_source.h"

namespace sluice {
namespace {

std::vector<OptionSpec> CommonSpecs() {
  return {
      OptionSpec{"url", OptionKind::kString, false, "",
                 "Database URL: sqlite:///abs/path.db, sqlite://relative.db or sqlite:relative.db "
                 "(give url or path)"},
      OptionSpec{"path", OptionKind::kString, false, "",
                 "Database file path, relative to the working directory (give url or path)"},
      OptionSpec{"table", OptionKind::kString, true, "", "Table (or, for sources, view) name"},
      OptionSpec{"busy_timeout_ms", OptionKind::kInt, false, "5000",
                 "How long to wait for a lock held by another connection before failing"},
  };
}

std::vector<OptionSpec> TargetSpecs() {
  std::vector<OptionSpec> specs = CommonSpecs();
  specs.push_back(OptionSpec{"create_table", OptionKind::kString, false, "if_missing",
                             "if_missing: create the table from the incoming schema (with "
                             "PRIMARY KEY(key)); never: fail when it does not exist"});
  specs.push_back(OptionSpec{"pre_sql", OptionKind::kStringList, false, "",
                             "Statements run in the write transaction before the rows"});
  specs.push_back(OptionSpec{"post_sql", OptionKind::kStringList, false, "",
                             "Statements run in the write transaction after the rows, before "
                             "COMMIT"});
  return specs;
}

}  // namespace

ConnectorInfo MakeSqliteConnectorInfo() {
  ConnectorInfo info;
  info.name = "sqlite";
  info.description =
      "SQLite database files: parallel reads split on the rowid or a key, incremental reads, "
      "transactional writes (append, overwrite, upsert, replace, ignore) with exactly-once runs";
  info.capabilities.batch_read = true;
  info.capabilities.incremental_read = true;
  info.capabilities.parallel_read = true;
  info.capabilities.batch_write = true;
  info.capabilities.write_modes = {WriteMode::kAppend, WriteMode::kOverwrite, WriteMode::kUpsert,
                                   WriteMode::kReplace, WriteMode::kIgnore};
  info.source_options = CommonSpecs();
  info.target_options = TargetSpecs();
  info.make_source = [](const Options& options,
                        const ConnectorContext& context) -> Result<std::unique_ptr<Source>> {
    SLUICE_ASSIGN_OR_RETURN(sqlite::SqliteConfig config,
                            sqlite::ParseSqliteConfig(options, /*target=*/false));
    return std::make_unique<sqlite::SqliteSource>(std::move(config), context.zone);
  };
  info.make_sink = [](const Options& options,
                      const ConnectorContext&) -> Result<std::unique_ptr<Sink>> {
    SLUICE_ASSIGN_OR_RETURN(sqlite::SqliteConfig config,
                            sqlite::ParseSqliteConfig(options, /*target=*/true));
    return std::make_unique<sqlite::SqliteSink>(std::move(config));
  };
  info.connection_option = "path";
  info.list_tables = [](const Options& options, const ConnectorContext&) {
    return sqlite::ListSqliteTables(options);
  };
  return info;
}

}  // namespace sluice
