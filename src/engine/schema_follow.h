// Realtime runs follow columns added at the source (core/stream_source.h, schema_version()).
// When the stream's schema grows, the stream runner (stream_runner.cc) checkpoints, then
// rebuilds the job's transform chain and write schema here, and asks the sink to add the
// columns this returns (Sink::AddColumns).
#pragma once

#include <string>
#include <vector>

#include "config/job_spec.h"
#include "engine/job_setup.h"

namespace sluice {

// Rebuilds setup.transforms against the stream's current schema and sets setup.write.schema to
// their output. Returns the names of the written columns that are new (in the new order).
Result<std::vector<std::string>> RebuildForStreamSchema(const JobSpec& spec, JobSetup& setup);

}  // namespace sluice
