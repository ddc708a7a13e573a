// Checking a section of a job file against OptionSpecs (Fluent Bit's config map).
//
// One declaration per key drives everything: unknown keys (with a suggestion), missing
// required keys, the expected form of each value, defaults, and the help text. Values come out
// as OptionValues with parameters substituted and their location recorded.
#pragma once

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/parse_context.h"
#include "core/options.h"
#include "core/status.h"

namespace sluice {

// Validates the mapping `node` (a null node counts as empty) against `specs`. `path` names
// the section in messages ("source"); `section_location` is where its key was written, which
// is where "missing required key" errors point. Keys left out that have a default get it,
// located at the section.
Result<Options> ValidateSection(const ParseContext& context, const YAML::Node& node,
                                const std::vector<OptionSpec>& specs, const std::string& path,
                                const SourceLocation& section_location);

// Validates one value against its spec; `entry` is the key/value pair as written.
Result<OptionValue> ValidateValue(const ParseContext& context, const ParseContext::Entry& entry,
                                  const OptionSpec& spec, const std::string& path);

// The names of `specs`, in order, for suggestions and "valid keys" lists.
std::vector<std::string> SpecNames(const std::vector<OptionSpec>& specs);

}  // namespace sluice
