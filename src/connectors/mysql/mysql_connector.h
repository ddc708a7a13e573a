// The MySQL/MariaDB connector's registration record: name, capabilities, option specs,
// factories.
#pragma once

#include "core/connector_registry.h"

namespace sluice {

// Registered by connectors/builtin_connectors.cc.
ConnectorInfo MakeMysqlConnectorInfo();

}  // namespace sluice
