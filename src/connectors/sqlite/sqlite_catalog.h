// The tables of a SQLite file, for jobs that select tables by pattern.
#pragma once

#include <vector>

#include "core/connector_registry.h"

namespace sluice::sqlite {

// Every table of the file but SQLite's own and sluice's `_sluice_positions` (and old
// `_sluice_runs`); `db` is the file name without directory and extension ("shop" for data/shop.db).
// Row counts are not estimated (SQLite keeps no statistics without ANALYZE).
Result<std::vector<CatalogTable>> ListSqliteTables(const Options& options);

}  // namespace sluice::sqlite
