// How a run summary looks to a person (text) and to a scheduler (--json).
#pragma once

#include <string>

#include "engine/job_runner.h"
#include "engine/multi_table_runner.h"

namespace sluice {

std::string SummaryText(const RunSummary& summary);
std::string SummaryJson(const RunSummary& summary);
// Multi-table runs: totals and a table of per-table results, failed tables first.
std::string MultiSummaryText(const MultiRunSummary& summary);
std::string MultiSummaryJson(const MultiRunSummary& summary);

}  // namespace sluice
