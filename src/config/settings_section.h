// The `settings:` section of a job file: engine knobs, validated with their ranges.
#pragma once

#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/job_spec.h"
#include "config/parse_context.h"
#include "core/options.h"

namespace sluice {

// The keys of `settings:` (defined in common_options.cc next to the source/target ones).
const std::vector<OptionSpec>& SettingsOptions();

// Validates `node` (the value of `settings:`, possibly null) into a SettingsSpec. The time zone
// is taken as written: it was checked before parameters were resolved.
Result<SettingsSpec> ParseSettings(const ParseContext& context, const YAML::Node& node,
                                   const SourceLocation& section_location);

}  // namespace sluice
