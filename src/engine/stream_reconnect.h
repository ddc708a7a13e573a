// RunReconnecting: a realtime job that outlives its connections. A run that fails on what a new
// run can get past (Status::retryable(): a connection lost or stalled, a server restarting or
// shutting down, a deadlock) is started again in the same process, after 1 s, then 2 s, 4 s ...
// up to settings.reconnect.max_wait, at most settings.reconnect.attempts times in a row; a run
// that committed a checkpoint before failing made progress, so the count starts over.
//
// A new run is exactly what starting the process again does (stream_runner.h: the pending run
// is resolved, the stream resumes from the positions the target committed), so a reconnect
// loses and doubles nothing. Anything else (a schema change to resolve, a bad password, a lost
// lease) ends the job at once, as does a signal, also during the wait.
//
// A run that ends well but asks to be started again (RunSummary::restart_reason: a table the
// job's patterns select was created at the source, which only a start can snapshot and set
// up) is started again at once; the same reason again from the same position (the new run
// could not take the table up) ends the job with a stop a person must resolve (exit 2).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>

#include "config/job_spec.h"
#include "engine/job_runner.h"

namespace sluice {

// `run` runs the job once. The summary returned covers every run: counts added up, the first
// run's starting position, the last run's status and end position, and how many reconnects.
// `first_wait`: the first wait (tests shorten it); max_wait is at least that.
RunSummary RunReconnecting(const JobSpec& spec, const std::atomic<bool>* cancelled,
                           const std::function<RunSummary()>& run,
                           std::chrono::milliseconds first_wait = std::chrono::seconds(1));

// Adds a later run's counts and end to `total` (the job's runs seen as one).
void AddLaterRun(RunSummary& total, const RunSummary& later);

}  // namespace sluice
