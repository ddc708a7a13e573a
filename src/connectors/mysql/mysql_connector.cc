#include "connectors/mysql/mysql_connector.h"

#include <memory>

#include "connectors/mysql/binlog_stream/binlog_stream.h"
#include "connectors/mysql/mysql_catalog.h"
#include "connectors/mysql/mysql_config.h"
#include "connectors/mysql/mysql_connection.h"
#include "connectors/mysql/mysql_sink.h"
#include "connectors/mysql/mysql_source.h"

namespace sluice {

ConnectorInfo MakeMysqlConnectorInfo() {
  ConnectorInfo info;
  info.name = "mysql";
  info.description =
      "MySQL and MariaDB tables: streamed parallel reads split on key quantiles, consistent "
      "snapshots, incremental reads, LOAD DATA writes (append, overwrite, upsert, replace, "
      "ignore) in one transaction with exactly-once runs";
  info.capabilities.batch_read = true;
  info.capabilities.incremental_read = true;
  info.capabilities.parallel_read = true;
  info.capabilities.cdc_read = true;
  info.capabilities.batch_write = true;
  info.capabilities.write_modes = {WriteMode::kAppend, WriteMode::kOverwrite, WriteMode::kUpsert,
                                   WriteMode::kReplace, WriteMode::kIgnore};
  info.source_options = mysql::MysqlSourceOptionSpecs();
  info.target_options = mysql::MysqlTargetOptionSpecs();
  info.make_source = [](const Options& options,
                        const ConnectorContext&) -> Result<std::unique_ptr<Source>> {
    SLUICE_ASSIGN_OR_RETURN(mysql::MysqlConfig config,
                            mysql::ParseMysqlConfig(options, /*target=*/false));
    return std::make_unique<mysql::MysqlSource>(std::move(config));
  };
  info.make_stream_source = mysql::binlog_stream::BinlogStream::Make;
  info.make_sink = [](const Options& options,
                      const ConnectorContext&) -> Result<std::unique_ptr<Sink>> {
    SLUICE_ASSIGN_OR_RETURN(mysql::MysqlConfig config,
                            mysql::ParseMysqlConfig(options, /*target=*/true));
    return std::make_unique<mysql::MysqlSink>(std::move(config));
  };
  info.connection_option = "url";
  info.list_tables = [](const Options& options, const ConnectorContext&) {
    return mysql::ListMysqlTables(options);
  };
  info.template_value = [](std::string_view name) -> Result<std::string> {
    return mysql::QuoteIdent(name);
  };
  info.case_sensitive_names = [](const Options& options, const ConnectorContext&) {
    return mysql::TableNamesKeepCase(options);
  };
  return info;
}

}  // namespace sluice
