// The tables a MySQL/MariaDB connection can read, for jobs that select tables by pattern.
#pragma once

#include <vector>

#include "core/connector_registry.h"

namespace sluice::mysql {

// Base tables of every database but the server's own (mysql, sys, information_schema,
// performance_schema), without sluice's `_sluice_positions` (and old `_sluice_runs`) tables;
// estimated rows from information_schema (InnoDB's estimate). Needs only `url` in `options`.
Result<std::vector<CatalogTable>> ListMysqlTables(const Options& options);

// Whether the server keeps table names that differ only by case apart
// (lower_case_table_names = 0). Needs only `url` in `options`.
Result<bool> TableNamesKeepCase(const Options& options);

}  // namespace sluice::mysql
