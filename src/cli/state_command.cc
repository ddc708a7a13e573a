// `sluice state`: inspect and adjust what jobs remember.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/job_loading.h"
#include "config/suggest.h"
#include "connectors/postgres/replication_stream/pg_replication_stream.h"
#include "core/connector_registry.h"
#include "engine/interrupted_runs.h"
#include "engine/job_lease.h"
#include "engine/job_runner.h"
#include "state/lease_errors.h"
#include "state/state_store.h"

namespace sluice {
namespace {

std::string StatePath(const std::string& given) {
  if (!given.empty()) return given;
  if (const char* env = std::getenv("SLUICE_STATE"); env && *env) return env;
  return ".sluice/state.db";
}

// How long `state reset`/`set-watermark` hold the job's lease: they take a moment, but a
// reset that resolves an interrupted run connects to the target first.
constexpr std::chrono::milliseconds kStateCommandLease{30000};

int Fail(const Status& st) {
  std::fprintf(stderr, "error: %s\n", st.message().c_str());
  return ExitCodeFor(st);
}

}  // namespace

int StateShowCommand(const std::string& state_path, const std::string& job) {
  // Showing only reads: no write access needed, and a store that does not exist stays so.
  auto store = OpenStateStoreReadOnly(StatePath(state_path));
  if (!store && store.error().code() == StatusCode::kNotFound) {
    std::printf("no jobs in %s\n", StatePath(state_path).c_str());
    return kExitOk;
  }
  if (!store) return Fail(store.error());
  std::vector<JobState> jobs;
  if (job.empty()) {
    auto all = (*store)->List();
    if (!all) return Fail(all.error());
    jobs = std::move(*all);
  } else {
    auto one = (*store)->Load(job);
    if (!one) return Fail(one.error());
    jobs.push_back(std::move(*one));
    // A job over many tables keeps its state per table, as "<job>/<table>".
    auto all = (*store)->List();
    if (!all) return Fail(all.error());
    for (JobState& j : *all) {
      if (j.job.starts_with(job + "/")) jobs.push_back(std::move(j));
    }
    const JobState& own = jobs.front();
    if (jobs.size() > 1 && own.watermark_column.empty() && !own.pending && !own.last_run) {
      jobs.erase(jobs.begin());
    }
  }
  if (jobs.empty()) std::printf("no jobs in %s\n", StatePath(state_path).c_str());
  for (const JobState& j : jobs) {
    std::printf("%s\n", j.job.c_str());
    if (!j.watermark_column.empty()) {
      std::printf("  watermark  %s >= %s\n", j.watermark_column.c_str(),
                  j.watermark.value_or("(none: next run reads everything)").c_str());
    }
    auto lease = (*store)->GetLease(j.job);
    if (!lease) return Fail(lease.error());
    if (*lease) {
      std::printf("  running    %s, lease until %s\n", DescribeLeaseHolder(**lease).c_str(),
                  (*lease)->expires_at.c_str());
    }
    if (j.pending) {
      std::printf("  in flight  run %s since %s (%s)\n", j.pending->run_id.c_str(),
                  j.pending->started_at.c_str(),
                  *lease ? "being written" : "resolved by the next run");
    }
    if (j.last_run) {
      std::printf("  last run   %s %s at %s: %lld rows written, %lld rejected\n",
                  j.last_run->run_id.c_str(), j.last_run->outcome.c_str(),
                  j.last_run->finished_at.c_str(), static_cast<long long>(j.last_run->rows_written),
                  static_cast<long long>(j.last_run->rows_rejected));
    }
    if (j.watermark_column.empty() && !j.pending && !j.last_run) std::printf("  (no state)\n");
  }
  return kExitOk;
}

int StateResetCommand(const std::string& state_path, const std::string& job,
                      const JobArgs& job_file) {
  std::optional<JobSpec> spec;
  if (!job_file.job_file.empty()) {
    Result<JobSpec> loaded = LoadJobFromArgs(job_file);
    if (!loaded) return Fail(loaded.error());
    if (loaded->name != job) {
      return Fail(Status::Invalid("the job file {} is job '{}', not '{}'", job_file.job_file,
                                  loaded->name, job));
    }
    spec = std::move(*loaded);
  }
  // The job's store: its settings.state_path applies when its file is given, as for `run`.
  const std::string path = spec ? ResolveStatePath(*spec, state_path) : StatePath(state_path);
  auto store = OpenStateStore(path);
  if (!store) return Fail(store.error());
  // The job's own state and, for a job over many tables, each table's ("<job>/<table>").
  auto all = (*store)->List();
  if (!all) return Fail(all.error());
  std::vector<std::string> names;
  std::vector<std::string> known;
  for (const JobState& j : *all) {
    if (j.job == job || j.job.starts_with(job + "/")) names.push_back(j.job);
    if (j.job.find('/') == std::string::npos) known.push_back(j.job);
  }
  if (names.empty()) {
    std::fprintf(stderr, "error: the state store %s has no job named '%s'%s; nothing was reset\n",
                 path.c_str(), job.c_str(), DidYouMean(job, known).c_str());
    return kExitUsageError;
  }

  // Never while the job runs: the reset takes the job's lease as a run would.
  auto lease = JobLease::Acquire(**store, job, kStateCommandLease);
  if (!lease) return Fail(lease.error());
  const Fence fence = (*lease)->fence();

  // A run killed before it was confirmed may have left rows in the target that only its
  // recovery record can remove: resolve it as the next run would (with the job file), and
  // never forget it unresolved.
  if (spec) {
    auto resolved = ResolveInterruptedRuns(*spec, BuiltinConnectors(), **store, fence);
    if (!resolved) {
      return Fail(resolved.error().WithContext(
          fmt::format("{}: resolving the interrupted run before the reset", job)));
    }
    for (const std::string& line : *resolved) std::printf("%s\n", line.c_str());
  }
  std::vector<JobState> pending;
  for (const std::string& name : names) {
    auto state = (*store)->Load(name);
    if (!state) return Fail(state.error());
    if (state->pending) pending.push_back(std::move(*state));
  }
  if (!pending.empty()) {
    std::string what;
    if (pending.size() == 1 && pending[0].job == job) {
      what = fmt::format("run {} (started {}) was interrupted before it was confirmed",
                         pending[0].pending->run_id, pending[0].pending->started_at);
    } else {
      std::vector<std::string> runs;
      for (const JobState& p : pending) {
        runs.push_back(fmt::format("{} (run {})", p.job, p.pending->run_id));
      }
      what = "runs were interrupted before they were confirmed: " + JoinComma(runs);
    }
    std::fprintf(stderr,
                 "error: %s: nothing was reset: %s. The target may hold part of what was "
                 "written, which only the recovery the next run does can remove; a reset now "
                 "would forget it and leave those rows there. Resolve it first, as the next run "
                 "would: `sluice state reset %s --job JOB_FILE`\n",
                 job.c_str(), what.c_str(), job.c_str());
    return kExitUsageError;
  }
  for (const std::string& name : names) {
    Status st = (*store)->Reset(name, fence);
    if (!st.ok()) return Fail(st);
  }
  std::printf("%s: watermark forgotten; the next run reads everything\n", job.c_str());
  return kExitOk;
}

int StateSetWatermarkCommand(const std::string& state_path, const std::string& job,
                             const std::string& column, const std::string& value) {
  auto store = OpenStateStore(StatePath(state_path));
  if (!store) return Fail(store.error());
  auto lease = JobLease::Acquire(**store, job, kStateCommandLease);
  if (!lease) return Fail(lease.error());
  Status st = (*store)->SetWatermark(job, column, value, (*lease)->fence());
  if (!st.ok()) return Fail(st);
  std::printf("%s: the next run reads rows with %s >= %s\n", job.c_str(), column.c_str(),
              value.c_str());
  return kExitOk;
}

}  // namespace sluice

namespace sluice {

int StateDropSlotCommand(const std::string& job, const JobArgs& job_file) {
  Result<JobSpec> spec = LoadJobFromArgs(job_file);
  if (!spec) return Fail(spec.error());
  if (spec->name != job) {
    return Fail(Status::Invalid("the job file {} is job '{}', not '{}'", job_file.job_file,
                                spec->name, job));
  }
  // Only the postgres source keeps state on its server; what that is stays in its folder. (A
  // registry hook would be cleaner once a second connector needs it; adding one to
  // core/connector_registry.h now would rebuild every connector.)
  if (spec->source_type != "postgres") {
    return Fail(
        Status::Invalid("{}: a {} source keeps no replication slot", job, spec->source_type));
  }
  ConnectorContext context;
  context.job_name = spec->name;
  Result<std::string> said =
      postgres::replication_stream::DropJobStreamState(spec->source, context);
  if (!said) return Fail(said.error());
  std::printf("%s: %s\n", job.c_str(), said->c_str());
  return kExitOk;
}

}  // namespace sluice
