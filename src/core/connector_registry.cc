#include "core/connector_registry.h"

#include <stdexcept>

namespace sluice {

void ConnectorRegistry::Register(ConnectorInfo info) {
  if (Find(info.name) != nullptr) {
    throw std::logic_error("connector registered twice: " + info.name);
  }
  connectors_.push_back(std::move(info));
}

const ConnectorInfo* ConnectorRegistry::Find(std::string_view name) const {
  for (const ConnectorInfo& c : connectors_) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::vector<std::string> ConnectorRegistry::Names() const {
  std::vector<std::string> names;
  for (const ConnectorInfo& c : connectors_) names.push_back(c.name);
  return names;
}

}  // namespace sluice
