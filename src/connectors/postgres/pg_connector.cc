#include "connectors/postgres/pg_connector.h"

#include <memory>

#include "connectors/postgres/pg_catalog.h"
#include "connectors/postgres/pg_config.h"
#include "connectors/postgres/pg_connection.h"
#include "connectors/postgres/pg_sink.h"
#include "connectors/postgres/pg_source.h"
#include "connectors/postgres/replication_stream/pg_replication_stream.h"

namespace sluice {

ConnectorInfo MakePostgresConnectorInfo() {
  ConnectorInfo info;
  info.name = "postgres";
  info.description =
      "PostgreSQL (and compatible) tables: binary COPY reads split on key quantiles with an "
      "optional shared snapshot, incremental reads, binary COPY writes (append, overwrite, "
      "upsert, replace, ignore), LIST partitions per run, exactly-once runs";
  info.capabilities.batch_read = true;
  info.capabilities.incremental_read = true;
  info.capabilities.parallel_read = true;
  info.capabilities.cdc_read = true;
  info.capabilities.batch_write = true;
  info.capabilities.write_modes = {WriteMode::kAppend, WriteMode::kOverwrite, WriteMode::kUpsert,
                                   WriteMode::kReplace, WriteMode::kIgnore};
  info.source_options = postgres::PgSourceSpecs();
  for (OptionSpec& spec : postgres::replication_stream::StreamOptionSpecs()) {
    info.source_options.push_back(std::move(spec));
  }
  info.target_options = postgres::PgTargetSpecs();
  info.make_source = [](const Options& options,
                        const ConnectorContext&) -> Result<std::unique_ptr<Source>> {
    SLUICE_ASSIGN_OR_RETURN(postgres::PgConfig config,
                            postgres::ParsePgConfig(options, /*target=*/false));
    return std::make_unique<postgres::PgSource>(std::move(config));
  };
  info.make_stream_source = postgres::replication_stream::PgReplicationStream::Make;
  info.make_sink = [](const Options& options,
                      const ConnectorContext&) -> Result<std::unique_ptr<Sink>> {
    SLUICE_ASSIGN_OR_RETURN(postgres::PgConfig config,
                            postgres::ParsePgConfig(options, /*target=*/true));
    return std::make_unique<postgres::PgSink>(std::move(config));
  };
  info.connection_option = "url";
  info.list_tables = [](const Options& options, const ConnectorContext&) {
    return postgres::ListPgTables(options);
  };
  info.template_value = [](std::string_view name) -> Result<std::string> {
    return postgres::QuoteIdent(name);
  };
  info.case_sensitive_names = [](const Options&, const ConnectorContext&) -> Result<bool> {
    return true;  // quoted names keep their case
  };
  return info;
}

}  // namespace sluice
