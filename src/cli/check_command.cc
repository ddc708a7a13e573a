// `sluice check`: everything `run` does before the first write, printed as a plan.
#include <chrono>
#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/job_loading.h"
#include "cli/tables_plan.h"
#include "core/stall_watch.h"
#include "core/types.h"
#include "engine/job_runner.h"
#include "engine/job_setup.h"
#include "state/lease_errors.h"
#include "state/state_store.h"

namespace sluice {
namespace {

Result<std::string> TransformsAndTargetPlan(JobSetup& setup) {
  std::string out;
  if (!setup.transforms.empty()) {
    out += "transforms:\n";
    for (const auto& t : setup.transforms) out += fmt::format("  {}\n", t->Describe());
  }
  out += fmt::format("target: {}\n  write_mode {}", setup.sink->Describe(),
                     WriteModeName(setup.write.mode));
  if (setup.key_is_whole_row) {
    out += fmt::format(
        ", key ({}): the source table has no primary key, so the whole row is the key "
        "(identical duplicate rows become one row in the target; give target.key to choose "
        "the columns that identify a row)",
        fmt::join(setup.write.key, ", "));
  } else if (!setup.write.key.empty()) {
    out += fmt::format(", key ({}){}", fmt::join(setup.write.key, ", "),
                       setup.key_from_source ? " from the source's primary key" : "");
  }
  out += "\n";
  for (const Field& f : setup.write.schema.fields) {
    out += fmt::format("  column {} {}\n", f.name, TypeName(f.type));
  }
  setup.write.run_id = "check";
  setup.write.realtime = setup.stream != nullptr;
  SLUICE_ASSIGN_OR_RETURN(std::vector<std::string> actions, setup.sink->Plan(setup.write));
  for (const std::string& a : actions) out += fmt::format("  will: {}\n", a);
  return out;
}

// A realtime job: the stream, where it starts, and how its changes reach the target.
Result<std::string> StreamPlan(const JobSpec& spec, JobSetup& setup) {
  std::string out = fmt::format("source: {}, changes streamed\n", setup.stream->Describe());
  for (const Field& f : setup.stream->schema().fields) {
    out += fmt::format("  column {} {}\n", f.name, TypeName(f.type));
  }
  const Options startup = spec.source.GetObject("startup");
  std::string start = spec.source.GetString("startup", "");
  if (start.empty()) {
    for (const char* key : {"mode", "binlog", "gtid", "lsn", "timestamp"}) {
      const std::string v = startup.GetString(key, "");
      if (!v.empty()) start = std::string(key) == "mode" ? v : fmt::format("{} {}", key, v);
    }
  }
  if (const std::string own = setup.stream->StartDescription(); !own.empty()) {
    out += fmt::format("  {}\n", own);
  } else {
    out += fmt::format(
        "  startup {} (only without a committed position: a job that checkpointed resumes "
        "after it)\n",
        start.empty() ? "initial" : start);
  }
  if (setup.stream->EmitsUpdatesAndDeletes()) {
    const std::string truncate = spec.source.GetString("truncate", "stop");
    out += fmt::format("  truncate {} ({})\n", truncate,
                       truncate == "apply"    ? "a TRUNCATE at the source empties the target's "
                                                "table at that point of the stream"
                       : truncate == "ignore" ? "a TRUNCATE at the source is passed over: the "
                                                "target keeps its rows"
                                              : "a TRUNCATE at the source stops the job; "
                                                "truncate: apply empties the target's table too");
  }
  SLUICE_ASSIGN_OR_RETURN(std::string at_source, setup.stream->SourceState());
  if (!at_source.empty()) out += fmt::format("  {}\n", at_source);
  SLUICE_ASSIGN_OR_RETURN(std::string target, TransformsAndTargetPlan(setup));
  return out + target;
}

Result<std::string> BuildPlan(const JobSpec& spec, const JobArgs& args) {
  const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  SLUICE_ASSIGN_OR_RETURN(JobSetup setup, BuildJobSetup(spec, BuiltinConnectors(), now));
  std::string out = fmt::format("job {} ({}), mode {}\n", spec.name, spec.file, spec.mode);
  for (const auto& [key, value] : spec.parameters)
    out += fmt::format("  parameter {} = {}\n", key, value);

  if (setup.stream) {
    SLUICE_ASSIGN_OR_RETURN(std::string stream, StreamPlan(spec, setup));
    return out + stream;
  }
  out += fmt::format("source: {}\n", setup.source->Describe());
  for (const Field& f : setup.source->schema().fields) {
    out += fmt::format("  column {} {}\n", f.name, TypeName(f.type));
  }
  if (!setup.read.where.empty()) out += fmt::format("  where {}\n", setup.read.where);

  // The state is only read, and only if it exists: check writes nothing.
  std::optional<std::string> low;
  Result<std::unique_ptr<StateStore>> state =
      OpenStateStoreReadOnly(ResolveStatePath(spec, args.state_path));
  if (!state && state.error().code() != StatusCode::kNotFound) return Err(state.error());
  if (state) {
    SLUICE_ASSIGN_OR_RETURN(JobState js, (*state)->Load(spec.name));
    if (js.watermark_column == setup.incremental_column) low = js.watermark;
    if (js.pending) {
      out += fmt::format("  note: run {} was interrupted; the next run resolves it first\n",
                         js.pending->run_id);
    }
    SLUICE_ASSIGN_OR_RETURN(std::optional<Lease> lease, (*state)->GetLease(spec.name));
    if (lease) {
      out += fmt::format(
          "  note: the job's lease is held by {} until {}: a run now would be "
          "refused while that one lives\n",
          DescribeLeaseHolder(*lease), lease->expires_at);
    }
  }
  Source* source = setup.source.get();
  std::unique_ptr<Source> ranged;
  if (!setup.incremental_column.empty()) {
    SLUICE_ASSIGN_OR_RETURN(auto high, source->MaxValue(setup.incremental_column));
    SLUICE_ASSIGN_OR_RETURN(std::optional<WatermarkRange> range,
                            PlanWatermarkRange(IncrementalRuleOf(setup), low, high));
    if (range) {
      out += fmt::format(
          "  incremental on {}: from {} ({}) to {} ({}){}\n", setup.incremental_column,
          range->low.value_or("the beginning"),
          std::string_view(range->LowOperator()) == ">" ? "exclusive" : "inclusive", range->high,
          std::string_view(range->HighOperator()) == "<" ? "exclusive" : "inclusive",
          setup.look_back.text.empty() || !low
              ? ""
              : fmt::format(", look_back {} before the stored {}", setup.look_back.text, *low));
      SLUICE_ASSIGN_OR_RETURN(ranged, OpenRangedSource(setup, spec, *range));
      source = ranged.get();
    } else {
      out += fmt::format("  incremental on {}: nothing to read ({})\n", setup.incremental_column,
                         high ? "no rows past the watermark " + low.value_or("") : "no rows");
    }
  }
  SLUICE_ASSIGN_OR_RETURN(std::vector<Split> splits, source->PlanSplits());
  out += fmt::format("  {} split(s), parallelism {}\n", splits.size(), spec.settings.parallelism);
  for (const Split& s : splits) {
    out += fmt::format("    split {}: {}{}\n", s.index, s.description,
                       s.estimated_rows ? fmt::format(" (~{} rows)", *s.estimated_rows) : "");
  }

  SLUICE_ASSIGN_OR_RETURN(std::string target, TransformsAndTargetPlan(setup));
  return out + target;
}

// The plan goes to stdout whole; only the verdict is an error: the tables that cannot run
// are marked in the plan itself.
int CheckTables(const JobSpec& spec) {
  Result<TablesPlanReport> report = BuildTablesPlan(spec);
  if (!report) {
    std::fprintf(stderr, "error: %s\n", report.error().message().c_str());
    return ExitCodeFor(report.error());
  }
  std::fputs(report->text.c_str(), stdout);
  if (report->failed > 0) {
    std::fflush(stdout);
    std::fprintf(stderr, "error: %d of %zu tables cannot run (see ERROR above)\n", report->failed,
                 report->tables);
    return kExitUsageError;
  }
  std::puts("check passed: nothing was written");
  return kExitOk;
}

}  // namespace

int CheckCommand(const JobArgs& args) {
  Result<JobSpec> spec = LoadJobFromArgs(args);
  if (!spec) {
    std::fprintf(stderr, "error: %s\n", spec.error().message().c_str());
    return ExitCodeFor(spec.error());
  }
  ConfigureStallWatch(spec->settings.stall_timeout_seconds, nullptr);
  if (spec->multi_table()) return CheckTables(*spec);
  Result<std::string> plan = BuildPlan(*spec, args);
  if (!plan) {
    std::fprintf(stderr, "error: %s\n", plan.error().message().c_str());
    return ExitCodeFor(plan.error());
  }
  std::fputs(plan->c_str(), stdout);
  std::puts("check passed: nothing was written");
  return kExitOk;
}

}  // namespace sluice
