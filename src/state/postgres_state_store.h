// The shared state store: tables in a PostgreSQL database, so that jobs launched on several
// machines share watermarks, runs, positions and leases. Opened through OpenStateStore with a
// postgresql:// or postgres:// location; see README.md for the tables and the lease rules.
#pragma once

#include <memory>
#include <string>

#include "state/state_store.h"

namespace sluice {

// Connects, then creates or migrates the tables as needed (pg_state_schema.h).
Result<std::unique_ptr<StateStore>> OpenPostgresStateStore(const std::string& url);
// Creates and migrates nothing, and its session refuses writes: kNotFound when the schema holds
// no store, an error naming both versions when its tables are older than this sluice's.
Result<std::unique_ptr<StateStore>> OpenPostgresStateStoreReadOnly(const std::string& url);

}  // namespace sluice
