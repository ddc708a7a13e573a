// Transform: a step between reader and writer that reshapes batches in place.
//
// Built once per job from the TransformSpecs (BuildTransforms), against the schema of the step
// before it. Apply() is const and thread-safe: every reader thread runs the same chain on its
// own batches, so transforms cost no extra thread hop.
#pragma once

#include <memory>
#include <vector>

#include "config/job_spec.h"
#include "core/batch.h"
#include "core/reject_sink.h"
#include "core/schema.h"
#include "core/status.h"
#include "expr/expression.h"

namespace sluice {

class Transform {
 public:
  virtual ~Transform() = default;
  virtual const Schema& output_schema() const = 0;
  // Transforms `batch` (shaped by the input schema) into the output schema. Rows that fail
  // go to `rejects` (which may stop the job by returning kLimitExceeded) and are removed.
  virtual Status Apply(Batch& batch, RejectSink& rejects) const = 0;
  // For `sluice check`: "filter amount > 0", "set ds = '20240101'".
  virtual std::string Describe() const = 0;
};

// Builds the chain; errors name the transform ("transforms[2] (set)"), its place in the job
// file, and the position inside the expression.
Result<std::vector<std::unique_ptr<Transform>>> BuildTransforms(
    const std::vector<TransformSpec>& specs, const Schema& input, const ExprContext& context);

}  // namespace sluice
