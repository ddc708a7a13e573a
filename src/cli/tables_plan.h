// The plan `sluice check` prints for a multi-table job (source.tables).
#pragma once

#include <string>

#include "config/job_spec.h"
#include "core/status.h"

namespace sluice {

// Every target table with its sources, route, override, duplicate-key policy, reconciled
// columns and DDL. An error (with the plan so far in its message) when a table cannot run.
Result<std::string> BuildTablesPlan(const JobSpec& spec);

}  // namespace sluice
