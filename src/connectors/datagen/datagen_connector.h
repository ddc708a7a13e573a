#pragma once

#include "core/connector_registry.h"

namespace sluice {

ConnectorInfo MakeDatagenConnectorInfo();

}  // namespace sluice
