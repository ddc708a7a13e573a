#include "connectors/mysql/mysql_connector.h"

#include <memory>

#include "connectors/mysql/binlog_files/binlog_files_config.h"
#include "connectors/mysql/binlog_files/binlog_files_stream.h"
#include "connectors/mysql/binlog_files/binlog_files_tables.h"
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
    if (mysql::binlog_files::ReadsBinlogFiles(options)) {
      return Err(options.ErrorAt("binlog_files", "binlog files are read with mode: realtime"));
    }
    SLUICE_ASSIGN_OR_RETURN(mysql::MysqlConfig config,
                            mysql::ParseMysqlConfig(options, /*target=*/false));
    return std::make_unique<mysql::MysqlSource>(std::move(config));
  };
  // `binlog_files`: the binlog read from files on disk rather than from a server.
  info.make_stream_source = [](const Options& options, const ConnectorContext& context) {
    if (mysql::binlog_files::ReadsBinlogFiles(options)) {
      return mysql::binlog_files::BinlogFilesStream::Make(options, context);
    }
    if (options.Has("unnamed_columns")) {
      return Result<std::unique_ptr<StreamSource>>(
          Err(options.ErrorAt("unnamed_columns", "applies to binlog_files only")));
    }
    return mysql::binlog_stream::BinlogStream::Make(options, context);
  };
  info.make_sink = [](const Options& options,
                      const ConnectorContext&) -> Result<std::unique_ptr<Sink>> {
    SLUICE_ASSIGN_OR_RETURN(mysql::MysqlConfig config,
                            mysql::ParseMysqlConfig(options, /*target=*/true));
    return std::make_unique<mysql::MysqlSink>(std::move(config));
  };
  info.connection_option = "url";
  info.list_tables = [](const Options& options, const ConnectorContext&) {
    if (mysql::binlog_files::ReadsBinlogFiles(options)) {
      return mysql::binlog_files::ListBinlogFileTables(options);
    }
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
