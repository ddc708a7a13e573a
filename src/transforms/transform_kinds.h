// The transform kinds behind BuildTransforms. Each Make* checks its spec against the schema of
// the step before it and returns a transform whose output_schema() the next step builds on.
//
// Build errors carry only the reason ("unknown column 'x'"); BuildTransforms prefixes the job
// file location and the step label.
#pragma once

#include <memory>
#include <string>

#include "config/job_spec.h"
#include "core/schema.h"
#include "expr/expression.h"
#include "transforms/transform.h"

namespace sluice {

// "transforms[2] (filter)": names the step in build errors and as the reject stage.
std::string TransformLabel(const TransformSpec& spec, size_t index);

Result<std::unique_ptr<Transform>> MakeFilterTransform(const TransformSpec& spec,
                                                       const Schema& input,
                                                       const ExprContext& context,
                                                       std::string label);
Result<std::unique_ptr<Transform>> MakeSetTransform(const TransformSpec& spec, const Schema& input,
                                                    const ExprContext& context, std::string label);
Result<std::unique_ptr<Transform>> MakeRenameTransform(const TransformSpec& spec,
                                                       const Schema& input);
Result<std::unique_ptr<Transform>> MakeDropTransform(const TransformSpec& spec,
                                                     const Schema& input);
Result<std::unique_ptr<Transform>> MakeSelectTransform(const TransformSpec& spec,
                                                       const Schema& input);

// Index of `name` in `schema`, or a NotFound error with a "did you mean" hint.
Result<size_t> FindColumn(const Schema& schema, const std::string& name);

}  // namespace sluice
