// The run summary of a realtime run, single-table or over `tables:`: what the runner counted
// and the stream's last status, in the fields the batch summary has plus the change counts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/job_runner.h"
#include "engine/run_metrics.h"
#include "engine/stream_status.h"

namespace sluice {

// Rows written are those a checkpoint committed; the rest of what was read is rejected,
// filtered, or rolled back with the transaction that followed the last checkpoint.
void FillStreamSummary(const RunMetrics& metrics, int64_t committed_rows, int64_t checkpoints,
                       const StreamStatusSnapshot& status, RunSummary& summary);

// Positions as the summary and the status line show them: "binlog f.000001:4, ...".
std::string DescribePositions(const std::vector<StreamPosition>& positions);

}  // namespace sluice
