// Step 1 of the run protocol (job_runner.h): what to do with a run that was killed before the
// state store confirmed it. Used by every run, and by `sluice state reset`, which must not
// forget such a run while its rows may still be in the target.
#pragma once

#include <string>
#include <vector>

#include "config/job_spec.h"
#include "core/connector_registry.h"
#include "core/sink.h"
#include "state/state_store.h"

namespace sluice {

// Resolves `job`'s pending run, if it has one: the sink says whether the run reached the target
// (and removes what it left otherwise); the store then confirms the run (its watermark takes
// effect) or discards it. Returns what was done, for the summary; empty if nothing was pending.
// `fence` is the lease the caller holds: the target's fence is raised to it before the sink
// looks, so the interrupted run's writer, if it still lives, can no longer commit.
Result<std::string> ResolvePendingRun(StateStore& state, Sink& sink, const JobState& job_state,
                                      const Fence& fence);

// Resolves the pending runs of a whole job as its next run would, without running it: the
// job's own, or, for a job over many tables, each table's ("<job>/<table>"). Opens the job's
// source and target to do so. The caller holds the job's lease (`fence`). Returns one line per
// run resolved.
Result<std::vector<std::string>> ResolveInterruptedRuns(const JobSpec& spec,
                                                        const ConnectorRegistry& registry,
                                                        StateStore& state, const Fence& fence);

}  // namespace sluice
