// The tables a PostgreSQL connection can read, for jobs that select tables by pattern.
#pragma once

#include <vector>

#include "core/connector_registry.h"

namespace sluice::postgres {

// Ordinary and partitioned tables (not their partitions) of every schema but the system ones,
// without sluice's `_sluice_positions` (and old `_sluice_runs`) tables; `db` is the schema.
// Estimated rows from pg_class.reltuples (-1 until the table was analyzed). Needs only `url` in
// `options`.
Result<std::vector<CatalogTable>> ListPgTables(const Options& options);

}  // namespace sluice::postgres
