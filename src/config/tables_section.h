// The sections of multi-table jobs: `routes:` (which target table each source table goes to)
// and `overrides:` (per-table read and write settings). Only their shape is checked here; the
// patterns are compiled when the tables are planned (tables/table_plan.h).
#pragma once

#include <vector>

#include "config/job_spec.h"
#include "config/parse_context.h"

namespace sluice {

// routes: [{from: REGEX, to: NAME}, ...]
Result<std::vector<RouteSpec>> ParseRoutes(const ParseContext& context,
                                           const ParseContext::Entry& entry);
// overrides: {PATTERN: {where: ..., split_key: ..., incremental: {column: ...}, write_mode: ...,
// key: [...]}, ...}
Result<std::vector<TableOverrideSpec>> ParseOverrides(const ParseContext& context,
                                                      const ParseContext::Entry& entry);

}  // namespace sluice
