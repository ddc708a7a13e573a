#include "engine/interrupted_runs.h"

#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "engine/job_setup.h"
#include "engine/store_positions.h"
#include "tables/table_plan.h"

namespace sluice {
namespace {

// Opens the target of `spec` and resolves its pending run, if the store holds one.
Status ResolveJob(const JobSpec& spec, const ConnectorRegistry& registry, StateStore& state,
                  const Fence& fence, std::vector<std::string>& done) {
  SLUICE_ASSIGN_OR_RETURN(JobState job_state, state.Load(spec.name));
  if (!job_state.pending) return Status::OK();
  const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  SLUICE_ASSIGN_OR_RETURN(JobSetup setup, BuildJobSetup(spec, registry, now));
  SLUICE_ASSIGN_OR_RETURN(std::string note,
                          ResolvePendingRun(state, *setup.sink, job_state, fence));
  done.push_back(fmt::format("{}: {}", spec.name, note));
  return Status::OK();
}

}  // namespace

Result<std::string> ResolvePendingRun(StateStore& state, Sink& sink, const JobState& job_state,
                                      const Fence& fence) {
  if (!job_state.pending) return std::string();
  const PendingRunRecord& pending = *job_state.pending;
  // A run that checkpointed into a target without transactions left its last checkpoint's
  // sink state in the store: recovery goes back to that checkpoint, not to the run's start.
  std::string sink_state = pending.sink_state;
  if (sink.PositionsInStateStore()) {
    SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> checkpointed,
                            StoredCheckpointState(state, job_state.job, pending.run_id));
    if (checkpointed) sink_state = std::move(*checkpointed);
  }
  SLUICE_ASSIGN_OR_RETURN(bool committed, sink.Recover(PendingRun{pending.run_id, sink_state,
                                                                  job_state.job, fence.token}));
  if (committed) {
    RunRecord rec;
    rec.outcome = "recovered";
    SLUICE_RETURN_IF_ERROR(state.ConfirmRun(job_state.job, pending.run_id, rec, fence));
    return fmt::format(
        "run {} was interrupted after the target committed; its watermark is now confirmed",
        pending.run_id);
  }
  SLUICE_RETURN_IF_ERROR(state.DiscardRun(job_state.job, pending.run_id, fence));
  return fmt::format(
      "run {} was interrupted before the target committed; its partial output was removed",
      pending.run_id);
}

Result<std::vector<std::string>> ResolveInterruptedRuns(const JobSpec& spec,
                                                        const ConnectorRegistry& registry,
                                                        StateStore& state, const Fence& fence) {
  std::vector<std::string> done;
  if (!spec.multi_table()) {
    SLUICE_RETURN_IF_ERROR(ResolveJob(spec, registry, state, fence, done));
    return done;
  }
  SLUICE_ASSIGN_OR_RETURN(TablePlan plan, PlanTables(spec, registry));
  for (const TableTask& task : plan.tasks) {
    SLUICE_RETURN_IF_ERROR(ResolveJob(task.job, registry, state, fence, done));
  }
  return done;
}

}  // namespace sluice
