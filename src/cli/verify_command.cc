// `sluice verify`: compares each table of a job with its target (verify/table_verifier.h).
// Reads both sides, writes nothing, keeps no state.
#include <chrono>
#include <cstdio>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/job_loading.h"
#include "core/connection_cache.h"
#include "core/stall_watch.h"
#include "tables/table_plan.h"
#include "verify/verify_report.h"

namespace sluice {

int VerifyCommand(const VerifyArgs& args) {
  Result<JobSpec> spec = LoadJobFromArgs(args.job);
  if (!spec) {
    std::fprintf(stderr, "error: %s\n", spec.error().message().c_str());
    return ExitCodeFor(spec.error());
  }
  ConfigureStallWatch(spec->settings.stall_timeout_seconds, nullptr);
  const auto start = std::chrono::steady_clock::now();
  verify::VerifyOptions options;
  options.max_differences = static_cast<size_t>(args.max_differences);
  verify::VerifyReport report;
  report.job = spec->name;
  int exit_code = kExitOk;
  if (spec->multi_table()) {
    // Tables one after another: each takes the connections the last one left idle.
    ScopedConnectionReuse reuse;
    Result<TablePlan> plan = PlanTables(*spec, BuiltinConnectors());
    if (!plan) {
      std::fprintf(stderr, "error: %s\n", plan.error().message().c_str());
      return ExitCodeFor(plan.error());
    }
    for (const TableTask& task : plan->tasks) {
      report.tables.push_back(
          verify::VerifyTable(task.job, task.target_table, BuiltinConnectors(), options));
    }
  } else {
    std::string table = spec->target.GetString("table");
    if (table.empty()) table = spec->name;
    report.tables.push_back(verify::VerifyTable(*spec, table, BuiltinConnectors(), options));
    // A single table that cannot be set up is a job-file problem, as for `run`.
    const verify::TableVerdict& only = report.tables.back();
    if (only.outcome == verify::TableVerdict::Outcome::kFailed) exit_code = ExitCodeFor(only.error);
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string text = args.json ? verify::ReportJson(report) : verify::ReportText(report);
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
  if (exit_code != kExitOk) return exit_code;
  return report.all_equal() ? kExitOk : kExitJobFailed;
}

}  // namespace sluice
