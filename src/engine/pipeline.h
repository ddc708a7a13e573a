// Pipeline: runs one job's data movement: reader threads -> transforms -> queue -> writers.
//
//   split list ──► reader thread 1..N ─┐ (each: read a batch, run the transform chain,
//                                      │  honour the rate limit, push)
//                                      ▼
//                              BoundedQueue<Batch>  (backpressure)
//                                      │
//                   writer thread 1..M ◄┘ (each with its own SinkWriter)
//
// With a routing key and several writers, each writer has its own queue and readers split
// every batch by a hash of the key (KeyRouter): all changes to a key go to one writer, in the
// order read. Without one, writers share one queue and take whichever batch is next.
// Readers may return empty batches (an idle source, a batch a filter emptied): those are not
// queued or counted, only reused, and the loop goes on to check for a stop.
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
  // Writer threads; 0 = as many as parallelism, at most the sink's MaxWriters().
  int writers = 0;
  // Indexes of the key columns in the batches the writers get (after the transforms). With
  // more than one writer, rows are routed by them so one key stays on one writer; empty =
  // no key known, any writer takes any batch.
  std::vector<int> route_key_columns;
  // The transform chain's output, for messages about the batches writers get.
  Schema output_schema;
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
