// `sluice state`: inspect and adjust what jobs remember.
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "state/state_store.h"

namespace sluice {
namespace {

std::string StatePath(const std::string& given) {
  if (!given.empty()) return given;
  if (const char* env = std::getenv("SLUICE_STATE"); env && *env) return env;
  return ".sluice/state.db";
}

int Fail(const Status& st) {
  std::fprintf(stderr, "error: %s\n", st.message().c_str());
  return ExitCodeFor(st);
}

}  // namespace

int StateShowCommand(const std::string& state_path, const std::string& job) {
  auto store = OpenSqliteStateStore(StatePath(state_path));
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
    if (j.pending) {
      std::printf("  in flight  run %s since %s (resolved by the next run)\n",
                  j.pending->run_id.c_str(), j.pending->started_at.c_str());
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

int StateResetCommand(const std::string& state_path, const std::string& job) {
  auto store = OpenSqliteStateStore(StatePath(state_path));
  if (!store) return Fail(store.error());
  Status st = (*store)->Reset(job);
  // ... and every table of a job over many tables ("<job>/<table>").
  auto all = (*store)->List();
  if (!all) return Fail(all.error());
  for (const JobState& j : *all) {
    if (st.ok() && j.job.starts_with(job + "/")) st = (*store)->Reset(j.job);
  }
  if (!st.ok()) return Fail(st);
  std::printf("%s: watermark forgotten; the next run reads everything\n", job.c_str());
  return kExitOk;
}

int StateSetWatermarkCommand(const std::string& state_path, const std::string& job,
                             const std::string& column, const std::string& value) {
  auto store = OpenSqliteStateStore(StatePath(state_path));
  if (!store) return Fail(store.error());
  Status st = (*store)->SetWatermark(job, column, value);
  if (!st.ok()) return Fail(st);
  std::printf("%s: the next run reads rows with %s >= %s\n", job.c_str(), column.c_str(),
              value.c_str());
  return kExitOk;
}

}  // namespace sluice
