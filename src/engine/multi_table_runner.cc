#include "engine/multi_table_runner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

#include <fmt/chrono.h>
#include <spdlog/spdlog.h>

#include "core/connection_cache.h"
#include "engine/job_lease.h"
#include "engine/run_clock.h"
#include "state/state_store.h"
#include "tables/table_plan.h"

namespace sluice {
namespace {

constexpr std::string_view kRunStream = "tables/run";

std::string DoneStream(const std::string& table) {
  return "tables/done/" + table;
}

// A counting semaphore of reader slots: a table takes its share at once, so one reader slot
// is never promised twice and a big table is not starved by small ones behind it (FIFO).
class ReaderSlots {
 public:
  explicit ReaderSlots(int slots) : free_(slots) {}
  void Acquire(int n, uint64_t ticket) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return ticket == next_ticket_ && free_ >= n; });
    free_ -= n;
    ++next_ticket_;
    cv_.notify_all();
  }
  void Release(int n) {
    std::lock_guard lock(mu_);
    free_ += n;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int free_;
  uint64_t next_ticket_ = 0;
};

// The readers a table gets: its share of the job's rows times the pool, at least one.
int ReadersFor(const TableTask& task, int64_t total_rows, int pool) {
  if (task.job.shards.in_order || task.estimated_rows <= 0 || total_rows <= 0) return 1;
  const double share = static_cast<double>(task.estimated_rows) / static_cast<double>(total_rows);
  return std::clamp(static_cast<int>(std::ceil(share * pool)), 1, pool);
}

// The pool: settings.parallelism, narrowed by the connection limits (a running table holds
// one target connection and, per reader, about two source connections: planning and reading).
int PoolSize(const SettingsSpec& settings) {
  int pool = settings.parallelism;
  if (settings.max_source_connections > 0) {
    pool = std::min(pool, std::max(1, settings.max_source_connections / 2));
  }
  if (settings.max_target_connections > 0) {
    pool = std::min(pool, settings.max_target_connections);
  }
  return pool;
}

}  // namespace

const char* OutcomeName(TableRunResult::Outcome outcome) {
  switch (outcome) {
    case TableRunResult::Outcome::kDone:
      return "done";
    case TableRunResult::Outcome::kFailed:
      return "FAILED";
    case TableRunResult::Outcome::kSkipped:
      return "skipped";
    case TableRunResult::Outcome::kNotStarted:
      return "not started";
  }
  return "?";
}

MultiRunSummary RunMultiTableJob(const JobSpec& spec, const ConnectorRegistry& registry,
                                 const RunOptions& options) {
  MultiRunSummary summary;
  summary.job = spec.name;
  const auto start = std::chrono::steady_clock::now();
  auto finish = [&](Status status) {
    summary.status = std::move(status);
    summary.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return summary;
  };

  Result<TablePlan> plan = PlanTables(spec, registry);
  if (!plan) return finish(plan.error());
  for (const std::string& note : plan->notes) spdlog::warn("{}: {}", spec.name, note);
  Result<std::unique_ptr<StateStore>> state =
      OpenStateStore(ResolveStatePath(spec, options.state_path));
  if (!state) return finish(state.error());
  StateStore& store = **state;
  // One lease for the whole job: its tables run under it (their runs carry its fence).
  Result<std::unique_ptr<JobLease>> lease = JobLease::Acquire(
      store, spec.name, std::chrono::milliseconds(spec.settings.lease_timeout_ms));
  if (!lease) return finish(lease.error());
  const Fence fence = (*lease)->fence();

  // This run's id: new, or the interrupted run's with --resume.
  if (options.resume) {
    Result<std::optional<std::string>> last = store.GetPosition(spec.name, std::string(kRunStream));
    if (!last) return finish(last.error());
    if (!*last) {
      return finish(
          Status::NotFound("{}: --resume: the job has no earlier run to resume", spec.name));
    }
    summary.run_id = **last;
  } else {
    summary.run_id = NewRunId();
    Status put = store.PutPosition(spec.name, std::string(kRunStream), summary.run_id, fence);
    if (!put.ok()) return finish(put);
  }

  const int pool = PoolSize(spec.settings);
  int64_t total_rows = 0;
  for (const TableTask& task : plan->tasks) total_rows += std::max<int64_t>(0, task.estimated_rows);
  summary.tables.resize(plan->tasks.size());
  for (size_t i = 0; i < plan->tasks.size(); ++i) {
    TableRunResult& r = summary.tables[i];
    r.table = plan->tasks[i].target_table;
    r.shards = static_cast<int>(plan->tasks[i].shards.size());
    r.readers = ReadersFor(plan->tasks[i], total_rows, pool);
    if (options.resume) {
      Result<std::optional<std::string>> done = store.GetPosition(spec.name, DoneStream(r.table));
      if (done && *done && **done == summary.run_id) r.outcome = TableRunResult::Outcome::kSkipped;
    }
  }
  spdlog::info("{}: {} tables from {} connection(s), {} reader slots{}", spec.name,
               plan->tasks.size(), plan->connections, pool,
               options.resume ? fmt::format(", resuming run {}", summary.run_id) : "");

  // The tables share connections: each one's planning, reading and writing connections go
  // back to the cache when idle, for the next table (core/connection_cache.h).
  ScopedConnectionReuse reuse(static_cast<size_t>(pool) * 4);
  ReaderSlots slots(pool);
  std::mutex mu;
  size_t next = 0;
  uint64_t next_ticket = 0;
  bool stop = false;
  size_t finished = 0;
  ConnectionCache* const cache = ConnectionCache::Current();
  auto worker = [&] {
    ConnectionCacheBinding bind(cache);  // this job's connections, on this thread too
    while (true) {
      size_t index;
      uint64_t ticket;
      {
        std::lock_guard lock(mu);
        while (next < plan->tasks.size() &&
               summary.tables[next].outcome == TableRunResult::Outcome::kSkipped) {
          ++next;
        }
        const bool cancelled = options.cancelled && options.cancelled->load();
        if (next >= plan->tasks.size() || stop || cancelled) return;
        index = next++;
        ticket = next_ticket++;
      }
      TableRunResult& result = summary.tables[index];
      slots.Acquire(result.readers, ticket);
      JobSpec job = plan->tasks[index].job;
      job.settings.parallelism = result.readers;
      RunOptions table_options = options;
      table_options.progress = ProgressStyle::kNone;
      table_options.state = &store;
      table_options.fence = fence;
      // "Done" is written with the table run's confirmation, in one transaction, whether the
      // run confirms itself or a later run recovers it: no crash can fall between the two.
      table_options.on_confirm = {
          PositionUpdate{spec.name, DoneStream(result.table), summary.run_id}};
      result.summary = RunJob(job, registry, table_options);
      slots.Release(result.readers);
      const bool ok = result.summary.status.ok();
      result.outcome = ok ? TableRunResult::Outcome::kDone : TableRunResult::Outcome::kFailed;
      if (ok) {
        Status put =
            store.PutPosition(spec.name, DoneStream(result.table), summary.run_id, Fence{});
        if (!put.ok()) spdlog::error("{}: {}", spec.name, put.message());
      }
      std::lock_guard lock(mu);
      ++finished;
      if (!ok) {
        spdlog::error("{}: table {} failed: {}", spec.name, result.table,
                      result.summary.status.message());
        if (!spec.settings.continue_on_table_error) stop = true;
      } else if (options.progress != ProgressStyle::kNone) {
        spdlog::info("{}: [{}/{}] {} done: {} rows in {:.2f} s", spec.name, finished,
                     plan->tasks.size(), result.table, result.summary.rows_written,
                     result.summary.seconds);
      }
    }
  };
  std::vector<std::thread> workers;
  const int threads = std::min<int>(pool, static_cast<int>(plan->tasks.size()));
  for (int i = 0; i < threads; ++i) workers.emplace_back(worker);
  for (std::thread& t : workers) t.join();
  spdlog::debug("{}: {} connections reused", spec.name, reuse.cache().reused());

  // The totals are the sums of the table lines, failed tables included (their rows are
  // rejected or rolled back: RunJob counts a failed run as writing nothing).
  for (const TableRunResult& r : summary.tables) {
    summary.tables_failed += r.outcome == TableRunResult::Outcome::kFailed ? 1 : 0;
    summary.rows_read += r.summary.rows_read;
    summary.rows_written += r.summary.rows_written;
    summary.rows_rejected += r.summary.rows_rejected;
    summary.rows_filtered += r.summary.rows_filtered;
    summary.rows_rolled_back += r.summary.rows_rolled_back;
    summary.bytes_read += r.summary.bytes_read;
  }
  int unfinished = 0;
  for (const TableRunResult& r : summary.tables) {
    unfinished += r.outcome == TableRunResult::Outcome::kNotStarted ? 1 : 0;
  }
  if (summary.tables_failed > 0 || unfinished > 0) {
    return finish(Status(
        StatusCode::kConflict,
        fmt::format("{}: {} of {} tables failed{}; `sluice run JOB --resume` re-runs only those "
                    "not done",
                    spec.name, summary.tables_failed, summary.tables.size(),
                    unfinished > 0 ? fmt::format(", {} not started", unfinished) : "")));
  }
  return finish(Status::OK());
}

}  // namespace sluice
