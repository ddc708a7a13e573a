#include "cli/job_loading.h"

#include "core/connector_registry.h"

namespace sluice {

Result<JobSpec> LoadJobFromArgs(const JobArgs& args) {
  JobLoadOptions options;
  for (const std::string& set : args.sets) {
    size_t eq = set.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Err(Status::Invalid("--set '{}': expected KEY=VALUE", set));
    }
    options.sets[set.substr(0, eq)] = set.substr(eq + 1);
  }
  if (!args.bizdate.empty()) options.bizdate = args.bizdate;
  return LoadJobFile(args.job_file, options, BuiltinConnectors());
}

}  // namespace sluice
