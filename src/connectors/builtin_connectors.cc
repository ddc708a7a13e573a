// The connectors compiled into this binary. Adding one: a folder under src/connectors/, a
// Make<Name>ConnectorInfo() function, and one line here.
#include "connectors/csv/csv_connector.h"
#include "connectors/datagen/datagen_connector.h"
#include "connectors/jsonl/jsonl_connector.h"
#include "connectors/mysql/mysql_connector.h"
#include "connectors/postgres/pg_connector.h"
#include "connectors/sqlite/sqlite_connector.h"
#include "core/connector_registry.h"

namespace sluice {

const ConnectorRegistry& BuiltinConnectors() {
  static const ConnectorRegistry registry = [] {
    ConnectorRegistry r;
    r.Register(MakeMysqlConnectorInfo());
    r.Register(MakePostgresConnectorInfo());
    r.Register(MakeSqliteConnectorInfo());
    r.Register(MakeCsvConnectorInfo());
    r.Register(MakeJsonlConnectorInfo());
    r.Register(MakeDatagenConnectorInfo());
    return r;
  }();
  return registry;
}

}  // namespace sluice
