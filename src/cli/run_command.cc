#include <cstdio>

#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/job_loading.h"
#include "cli/summary_printer.h"
#include "core/stall_watch.h"
#include "engine/job_runner.h"
#include "engine/multi_stream_runner.h"
#include "engine/multi_table_runner.h"
#include "engine/stream_reconnect.h"
#include "engine/stream_runner.h"

namespace sluice {

int RunCommand(const RunArgs& args, const std::atomic<bool>& cancelled) {
  Result<JobSpec> spec = LoadJobFromArgs(args.job);
  if (!spec) {
    std::fprintf(stderr, "error: %s\n", spec.error().message().c_str());
    return ExitCodeFor(spec.error());
  }
  ConfigureStallWatch(spec->settings.stall_timeout_seconds, &cancelled);
  RunOptions options;
  options.cancelled = &cancelled;
  options.state_path = args.job.state_path;
  if (args.progress == "bar") options.progress = ProgressStyle::kBar;
  if (args.progress == "log") options.progress = ProgressStyle::kLog;
  if (args.progress == "none") options.progress = ProgressStyle::kNone;
  if (spec->mode == "realtime") {
    // A business date means nothing to a job that follows its source.
    spdlog::info(
        "{}: starting (realtime, {})", spec->name,
        args.catch_up ? "--catch-up: until the source's end as of now" : "until SIGINT/SIGTERM");
  } else if (auto it = spec->parameters.find("bizdate"); it != spec->parameters.end()) {
    spdlog::info("{}: starting (bizdate {})", spec->name, it->second);
  }
  options.resume = args.resume;
  if (args.catch_up && spec->mode != "realtime") {
    std::fprintf(stderr,
                 "error: --catch-up applies to realtime jobs (mode: realtime); job '%s' is a "
                 "%s job\n",
                 spec->name.c_str(), spec->mode.c_str());
    return kExitUsageError;
  }
  if (spec->mode == "realtime") {
    const StreamRunOptions stream_options{options, args.catch_up};
    RunSummary summary = RunReconnecting(*spec, &cancelled, [&] {
      return spec->multi_table()
                 ? RunMultiTableStreamJob(*spec, BuiltinConnectors(), stream_options)
                 : RunStreamJob(*spec, BuiltinConnectors(), stream_options);
    });
    std::string text = args.json_summary ? SummaryJson(summary) : SummaryText(summary);
    std::fputs(text.c_str(), stdout);
    std::fflush(stdout);
    if (!summary.status.ok()) {
      std::fprintf(stderr, "error: %s\n", summary.status.message().c_str());
    }
    return ExitCodeFor(summary.status);
  }
  if (spec->multi_table()) {
    MultiRunSummary multi = RunMultiTableJob(*spec, BuiltinConnectors(), options);
    // A job that failed before any table started has only its error to say.
    if (!multi.tables.empty() || args.json_summary) {
      std::string text = args.json_summary ? MultiSummaryJson(multi) : MultiSummaryText(multi);
      std::fputs(text.c_str(), stdout);
    }
    std::fflush(stdout);
    if (!multi.status.ok()) std::fprintf(stderr, "error: %s\n", multi.status.message().c_str());
    return ExitCodeFor(multi.status);
  }
  if (args.resume) {
    std::fprintf(stderr,
                 "error: --resume applies to jobs over many tables (source.tables); "
                 "a single-table run already resumes where it must\n");
    return kExitUsageError;
  }
  RunSummary summary = RunJob(*spec, BuiltinConnectors(), options);
  std::string text = args.json_summary ? SummaryJson(summary) : SummaryText(summary);
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
  if (!summary.status.ok()) std::fprintf(stderr, "error: %s\n", summary.status.message().c_str());
  return ExitCodeFor(summary.status);
}

}  // namespace sluice
