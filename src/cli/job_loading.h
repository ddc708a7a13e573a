// Loading the job file named on the command line, shared by `run` and `check`.
#pragma once

#include "cli/commands.h"
#include "config/job_file.h"

namespace sluice {

Result<JobSpec> LoadJobFromArgs(const JobArgs& args);

}  // namespace sluice
