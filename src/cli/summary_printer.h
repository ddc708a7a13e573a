// How a run summary looks to a person (text) and to a scheduler (--json).
#pragma once

#include <string>

#include "engine/job_runner.h"

namespace sluice {

std::string SummaryText(const RunSummary& summary);
std::string SummaryJson(const RunSummary& summary);

}  // namespace sluice
