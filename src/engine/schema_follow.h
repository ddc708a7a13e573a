// Realtime runs follow columns added at the source (core/stream_source.h, schema_version()).
// When the stream's schema grows, the stream runner (stream_runner.cc) checkpoints, then
// rebuilds the job's transform chain and write schema here, and asks the sink to add the
// columns this returns (Sink::AddColumns).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/job_spec.h"
#include "engine/job_setup.h"

namespace sluice {

// Rebuilds setup.transforms against the stream's current schema and sets setup.write.schema to
// their output. Returns the names of the written columns that are new (in the new order).
Result<std::vector<std::string>> RebuildForStreamSchema(const JobSpec& spec, JobSetup& setup);

// The columns of `after` the source dropped that `before` did not know as dropped: the target
// must accept NULL in them from now on (Sink::AddColumns relaxes a NOT NULL they were created
// with). Kept apart from the rebuild so the engine's follow step only asks whether to call.
std::vector<std::string> NewlyDroppedColumns(const Schema& before, const Schema& after);

// A test hook at the two moments of a schema change that matter for restarts: "before_alter"
// (the checkpoint before the change is committed, the target not altered yet) and "after_alter"
// (the target altered, the next checkpoint not taken). With SLUICE_TEST_KILL_AT_SCHEMA_CHANGE
// set to `moment`, the process kills itself there (SIGKILL, as kill -9 would); unset: nothing.
void KillAtSchemaChangeForTests(std::string_view moment);

}  // namespace sluice
