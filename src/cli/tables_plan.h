// The plan `sluice check` prints for a multi-table job (source.tables).
#pragma once

#include <string>

#include "config/job_spec.h"
#include "core/status.h"

namespace sluice {

struct TablesPlanReport {
  std::string text;  // the plan; a table that cannot run has an "ERROR:" line saying why
  int failed = 0;    // tables that cannot run
  size_t tables = 0;
};

// Every target table with its sources, route, override, duplicate-key policy, reconciled
// columns and DDL. An error only when there is no plan at all (the tables cannot be listed);
// a table that cannot run is marked in the plan and counted in `failed`.
Result<TablesPlanReport> BuildTablesPlan(const JobSpec& spec);

}  // namespace sluice
