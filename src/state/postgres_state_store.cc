// PLACEHOLDER being replaced by the shared PostgreSQL store (issue 9, in progress).
#include "state/state_store.h"

namespace sluice {

Result<std::unique_ptr<StateStore>> OpenPostgresStateStore(const std::string&) {
  return Err(Status::Invalid("the PostgreSQL state store is not built yet"));
}

}  // namespace sluice
