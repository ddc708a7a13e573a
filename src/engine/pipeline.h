// Pipeline: runs one job's data movement: reader threads -> transforms -> queue -> writers.
//
//   split list ──► reader thread 1..N ─┐ (each: read a batch, run the transform chain,
//                                      │  honour the rate limit, push)
//                                      ▼
//                              BoundedQueue<Batch>  (backpressure)
//                                      │
//                   writer thread 1..M ◄┘ (each with its own SinkWriter)
//
// Readers claim splits largest-first from a shared index, so a big split never starts last.
// Batches are recycled from writers back to readers so steady state allocates nothing.
// The first error from any thread stops all of them; Run() returns it.
// Lifecycle: constructed and Run() on the engine's main thread; owns its threads, joins them
// before Run() returns. Borrows everything passed to it.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "config/job_spec.h"
#include "core/reject_sink.h"
#include "core/sink.h"
#include "core/source.h"
#include "engine/run_metrics.h"
#include "transforms/transform.h"

namespace sluice {

struct PipelineOptions {
  int parallelism = 1;
  int64_t queue_batches = 8;
  RateLimitSpec rate_limit;
};

class Pipeline {
 public:
  Pipeline(Source& source, std::vector<Split> splits,
           const std::vector<std::unique_ptr<Transform>>& transforms, Sink& sink,
           RejectSink& rejects, RunMetrics& metrics, const std::atomic<bool>& cancelled,
           PipelineOptions options);

  // Moves every row. Returns the first error, kCancelled if `cancelled` became true.
  Status Run();

 private:
  struct Shared;
  Source& source_;
  std::vector<Split> splits_;
  const std::vector<std::unique_ptr<Transform>>& transforms_;
  Sink& sink_;
  RejectSink& rejects_;
  RunMetrics& metrics_;
  const std::atomic<bool>& cancelled_;
  PipelineOptions options_;
};

}  // namespace sluice
