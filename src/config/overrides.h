// --set arguments: job parameters (NAME=value) and overrides of the job file
// (settings.parallelism=2, source.table=x, target.path=out.csv,
// settings.rate_limit.rows_per_second=100).
//
// Overrides are written into the YAML tree before validation, so they are checked exactly like
// values from the file; their paths are remembered so errors say "--set" instead of a line.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/status.h"

namespace sluice {

struct SetArguments {
  std::map<std::string, std::string> parameters;               // for ${NAME}
  std::vector<std::pair<std::string, std::string>> overrides;  // dotted path -> value
};

// Sorts --set entries into parameters and overrides. Dotted keys must start with settings.,
// source. or target.; plain keys must be parameter names; `bizdate` belongs to --bizdate.
Result<SetArguments> SplitSetArguments(const std::map<std::string, std::string>& sets);

// Writes `overrides` into `root` (a mapping), creating missing mappings on the way. Returns the
// dotted paths written. Unknown keys are not rejected here: validation reports them with the
// same suggestions as for the file.
Result<std::set<std::string>> ApplyOverrides(
    YAML::Node& root, const std::vector<std::pair<std::string, std::string>>& overrides);

}  // namespace sluice
