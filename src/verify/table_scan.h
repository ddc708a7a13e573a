// ScanSource: reads every split of a source on parallel threads and hands each batch, after
// the job's transforms, to the reading thread's own consumer.
//
// The read half of the engine's pipeline (engine/pipeline.h) without a queue or a sink: verify
// consumes batches where they are read. Threads claim splits largest first from a shared
// index; each thread reuses one Batch. The first error stops the others and is returned.
// Lifecycle: ScanSource runs on the calling thread, starts and joins its workers; consumers
// and the RejectSink are borrowed.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/reject_sink.h"
#include "core/source.h"
#include "transforms/transform.h"

namespace sluice::verify {

// What one reading thread does with its batches.
class BatchConsumer {
 public:
  virtual ~BatchConsumer() = default;
  virtual Status Consume(const Batch& batch) = 0;
};

// Values a source replaced under one rule of the job (RejectSink::NoteSubstituted).
struct Substitution {
  std::string rule;  // "special_values: null"
  int64_t values = 0;
  std::string example;  // the first: "public.t.v: NaN"
};

// Rows a source or a transform refused while verify read them: counted (the run would have
// sent them to the dirty records instead of the target), never a reason to stop. Also counts
// the values sources replaced by a rule of the job, per rule.
class CountingRejects final : public RejectSink {
 public:
  Status Reject(const Schema& schema, const Batch& batch, size_t row, std::string_view stage,
                std::string_view reason) override;
  void NoteSubstituted(std::string_view rule, int64_t count, std::string_view example) override;
  int64_t count() const { return count_.load(); }
  std::string first_reason() const;
  std::vector<Substitution> substitutions() const;

 private:
  std::atomic<int64_t> count_{0};
  mutable std::mutex mu_;
  std::string first_reason_;
  std::vector<Substitution> substitutions_;  // a few rules at most
};

// Reads `splits` of `source` (opened) with one thread per consumer (fewer when there are
// fewer splits), applying `transforms` in order.
Status ScanSource(Source& source, std::vector<Split> splits,
                  const std::vector<std::unique_ptr<Transform>>& transforms, RejectSink& rejects,
                  const std::vector<BatchConsumer*>& consumers);

}  // namespace sluice::verify
