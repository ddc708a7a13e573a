// Loading job files: YAML -> parameters substituted -> validated JobSpec.
//
// Parameters (docs/job-file.md):
//   ${bizdate}                 business date, yyyyMMdd; default yesterday in settings.time_zone
//   ${bizdate:yyyy-MM-dd}      any pattern of yyyy, MM, dd (and literal characters)
//   ${bizdate-1}, ${bizdate+7:yyyy-MM-dd}   day arithmetic, with an optional pattern
//   ${env:NAME}, ${env:NAME:-fallback}      environment variables
//   ${NAME}                    a value given with --set NAME=value
// An unknown parameter, a missing environment variable or a bad pattern is an error naming the
// file, line and column. Substitution happens in scalar values only, never in keys.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "config/job_spec.h"
#include "core/connector_registry.h"
#include "core/status.h"

namespace sluice {

struct JobLoadOptions {
  std::map<std::string, std::string> sets;  // --set key=value (keys may also be settings paths
                                            // like settings.parallelism: those override the file)
  std::optional<std::string> bizdate;       // --bizdate, yyyyMMdd or yyyy-MM-dd
  // The current instant, in micros since the Unix epoch; tests pin it. 0 = the real clock.
  int64_t now_micros = 0;
};

Result<JobSpec> LoadJobFile(const std::string& path, const JobLoadOptions& options,
                            const ConnectorRegistry& registry);
// Same, from text already in memory; `file_name` is used in messages.
Result<JobSpec> ParseJobText(const std::string& text, const std::string& file_name,
                             const JobLoadOptions& options, const ConnectorRegistry& registry);

// The engine-level keys every source and target section accepts besides the connector's own
// (type; and for sources: columns, where, split_key, incremental; for targets: write_mode, key).
const std::vector<OptionSpec>& CommonSourceOptions();
const std::vector<OptionSpec>& CommonTargetOptions();

}  // namespace sluice
