// Transform: a step between reader and writer that reshapes batches in place.
//
// Built once per job from the TransformSpecs (BuildTransforms), against the schema of the step
// before it. Apply() is const and thread-safe: every reader thread runs the same chain on its
// own batches, so transforms cost no extra thread hop.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "config/job_spec.h"
#include "core/batch.h"
#include "core/reject_sink.h"
#include "core/schema.h"
#include "core/status.h"
#include "expr/expression.h"

namespace sluice {

// Steps keep only their change of shape (Reshape), never a copy of the schema: a chain of
// thousands of steps that each add a column would otherwise hold a schema per step, and its
// memory would grow with the square of its length. output_schema() is built on first use (for
// the target, for `check`, for a reject of this step) from the nearest step before that has
// one, and kept.
class Transform {
 public:
  virtual ~Transform() = default;
  // The schema of the rows this step puts out. Thread-safe.
  const Schema& output_schema() const;
  // Applies this step's change of shape to `schema`, the schema of its input.
  virtual void Reshape(Schema& schema) const = 0;
  // Set by BuildTransforms: the step before (nullptr for the first) and the chain's input.
  void Link(const Transform* previous, std::shared_ptr<const Schema> chain_input);
  // Transforms `batch` (shaped by the input schema) into the output schema. Rows that fail
  // go to `rejects` (which may stop the job by returning kLimitExceeded) and are removed.
  virtual Status Apply(Batch& batch, RejectSink& rejects) const = 0;
  // For `sluice check`: "filter amount > 0", "set ds = '20240101'".
  virtual std::string Describe() const = 0;

 private:
  const Transform* previous_ = nullptr;
  std::shared_ptr<const Schema> chain_input_;
  mutable std::once_flag built_once_;
  mutable std::unique_ptr<Schema> output_;
  mutable std::atomic<bool> built_{false};
};

// Builds the chain; errors name the transform ("transforms[2] (set)"), its place in the job
// file, and the position inside the expression.
Result<std::vector<std::unique_ptr<Transform>>> BuildTransforms(
    const std::vector<TransformSpec>& specs, const Schema& input, const ExprContext& context);

}  // namespace sluice
