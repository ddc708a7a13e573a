// The sub-commands of the sluice binary. Each returns the process exit code (exit_codes.h).
// Output: results on stdout, logs, progress and errors on stderr.
#pragma once

#include <atomic>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice {

// Options shared by the commands that load a job file.
struct JobArgs {
  std::string job_file;
  std::vector<std::string> sets;  // "key=value"
  std::string bizdate;
  std::string state_path;
};

struct RunArgs {
  JobArgs job;
  std::string progress = "auto";  // auto | bar | log | none
  bool json_summary = false;
  bool resume = false;    // multi-table jobs: only the tables the last run did not finish
  bool catch_up = false;  // realtime jobs: end at the source's end position as of the start
};

// `sluice verify`: exit 0 when every table equals its target, 1 when one differs or fails.
struct VerifyArgs {
  JobArgs job;
  bool json = false;
  int max_differences = 20;  // differing keys printed per table
};

int RunCommand(const RunArgs& args, const std::atomic<bool>& cancelled);
int VerifyCommand(const VerifyArgs& args);
int CheckCommand(const JobArgs& args);
int ConnectorsCommand(const std::string& name);
int StateShowCommand(const std::string& state_path, const std::string& job);
// With a job file in `job_file`, first resolves a run a kill left (as the next run would);
// without one, refuses to reset while such a run is pending.
int StateResetCommand(const std::string& state_path, const std::string& job,
                      const JobArgs& job_file);
// Drops what the realtime job keeps on its source (a PostgreSQL slot and publication).
int StateDropSlotCommand(const std::string& job, const JobArgs& job_file);
int StateSetWatermarkCommand(const std::string& state_path, const std::string& job,
                             const std::string& column, const std::string& value);

}  // namespace sluice
