// The csv connector's registration record (see core/connector_registry.h).
#pragma once

#include "core/connector_registry.h"

namespace sluice {

ConnectorInfo MakeCsvConnectorInfo();

}  // namespace sluice
