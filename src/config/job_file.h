// Loading job files: YAML -> parameters substituted -> validated JobSpec.
//
// Parameters (docs/job-file.md):
//   ${bizdate}                 business date, yyyyMMdd; default yesterday in settings.time_zone
//   ${bizdate:yyyy-MM-dd}      any pattern of yyyy, MM, dd (and literal characters)
//   ${bizdate-1}, ${bizdate+7:yyyy-MM-dd}   day arithmetic, with an optional pattern
//   ${env:NAME}, ${env:NAME:-fallback}      environment variables
//   ${NAME}                    a value given with --set NAME=value
//   $${                        a literal "${"
// An unknown parameter, a missing environment variable or a bad pattern is an error naming the
// file, line and column. Substitution happens in scalar values only, never in keys, and before
// the values are checked (so `parallelism: ${n}` works). settings.time_zone is the exception:
// it is read first, without substitution, because ${bizdate} is "yesterday" in that zone.
//
// Errors (all InvalidArgument, except a file that cannot be read) are one line each:
//   "<file>:<line>:<col>: <path>: <message>", e.g.
//   "jobs/a.yaml:7:3: source: unknown key 'tabel' (did you mean 'table'?)"
// Lines and columns are 1-based; list positions in paths are 0-based. Values from --set are
// located at "--set". Values are echoed only through MaskSecrets (config/mask_secrets.h).
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
  // --set key=value. Keys starting with settings., source. or target. override (or add) that
  // key of the file (settings.parallelism=2, settings.rate_limit.rows_per_second=10,
  // source.columns=id,name for a list); other keys are parameters for ${NAME}.
  std::map<std::string, std::string> sets;
  std::optional<std::string> bizdate;  // --bizdate, yyyyMMdd or yyyy-MM-dd
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
