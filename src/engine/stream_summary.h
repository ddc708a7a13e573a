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
// The columns a stream commits with its positions (core/schema_change.h) are left out.
std::string DescribePositions(const std::vector<StreamPosition>& positions);

// The position a change-event target writes in each event's `source`: the stream's one place
// in the source's log as it is ("mysql-bin.000003:1234", "0/16B3748"), else
// DescribePositions() of the places; never the columns committed with them.
std::string ChangeEventPosition(const std::vector<StreamPosition>& positions);

}  // namespace sluice
