// RunStreamJob: a job that never ends (`mode: realtime`), on the batch engine's parts.
//
//   0. take the job's lease (engine/job_lease.h);
//   1. resolve a pending run as a batch run does (job_runner.h): a run killed after its last
//      checkpoint is confirmed (its target holds everything up to that checkpoint), one killed
//      before any checkpoint is rolled back;
//   2. resume from the positions the target committed (Sink::CommittedPositions): the
//      target's own transaction holds them with the rows, so they are the truth;
//   3. Prepare the sink and record the run as pending: it stays pending for its whole life;
//   4. read, transform, write; every settings.checkpoint (1 s by default, or rows, or bytes)
//      the writer finishes and the sink commits the rows with the positions after them in
//      one transaction (Sink::Checkpoint), then the source is told they are durable;
//   5. at the end (SIGINT/SIGTERM, or a --catch-up run that reached the source's end as of
//      its start): a last checkpoint that commits the run, then the store confirms it.
// kill -9 at any moment therefore loses nothing and doubles nothing, even into append targets:
// what the target holds and where the source resumes come from the same transaction.
#pragma once

#include <atomic>

#include "config/job_spec.h"
#include "core/connector_registry.h"
#include "engine/job_runner.h"

namespace sluice {

struct StreamRunOptions {
  RunOptions run;
  bool catch_up = false;  // end at the source's end position as of the start
};

// Never returns an error for a failed run: the summary's status says it. A run stopped by a
// signal after its last checkpoint committed is a success.
RunSummary RunStreamJob(const JobSpec& spec, const ConnectorRegistry& registry,
                        const StreamRunOptions& options);

}  // namespace sluice
