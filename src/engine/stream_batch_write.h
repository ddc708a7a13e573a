// The write step of a realtime run, shared by the single-table and `tables:` runners: a batch
// through the job's transforms into the table's writer, counted in the run's metrics (rows
// filtered out, rows written and refused by the target, bytes).
#pragma once

#include <memory>

#include "core/batch.h"
#include "core/sink.h"
#include "engine/job_setup.h"
#include "engine/reject_collector.h"
#include "engine/run_metrics.h"

namespace sluice {

// Transforms and writes `batch`; the writer may take it (left null).
Status TransformAndWrite(const JobSetup& setup, SinkWriter& writer, std::unique_ptr<Batch>& batch,
                         RejectCollector& rejects, RunMetrics& metrics);

}  // namespace sluice
