// The `transforms:` section of a job file: a list of one-key steps (filter, set, rename, drop,
// select). Only the shape is checked here; expressions are compiled later by the transforms
// module against the source schema, with the TransformSpec's location for their errors.
#pragma once

#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/job_spec.h"
#include "config/parse_context.h"

namespace sluice {

// "filter", "set", "rename", "drop", "select".
const char* TransformKindName(TransformSpec::Kind kind);

// Parses the value of `transforms:` (null means none). `section_location` is where the key
// was written.
Result<std::vector<TransformSpec>> ParseTransforms(const ParseContext& context,
                                                   const YAML::Node& node,
                                                   const SourceLocation& section_location);

}  // namespace sluice
