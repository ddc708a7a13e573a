#include "engine/stream_reconnect.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include <spdlog/spdlog.h>

namespace sluice {
namespace {

constexpr std::chrono::milliseconds kWaitStep{100};  // how soon a signal ends the wait

bool IsCancelled(const std::atomic<bool>* cancelled) {
  return cancelled != nullptr && cancelled->load();
}

// Waits `wait`, or less when a signal comes. Returns whether it came.
bool WaitOrCancel(std::chrono::milliseconds wait, const std::atomic<bool>* cancelled) {
  const auto until = std::chrono::steady_clock::now() + wait;
  while (std::chrono::steady_clock::now() < until) {
    if (IsCancelled(cancelled)) return true;
    std::this_thread::sleep_for(
        std::min(kWaitStep, std::chrono::duration_cast<std::chrono::milliseconds>(
                                until - std::chrono::steady_clock::now())));
  }
  return IsCancelled(cancelled);
}

std::string WaitText(std::chrono::milliseconds wait) {
  return wait.count() % 1000 == 0 ? std::to_string(wait.count() / 1000) + "s"
                                  : std::to_string(wait.count()) + "ms";
}

}  // namespace

void AddLaterRun(RunSummary& total, const RunSummary& later) {
  total.run_id = later.run_id;
  total.status = later.status;
  total.rows_read += later.rows_read;
  total.rows_written += later.rows_written;
  total.rows_rejected += later.rows_rejected;
  total.rows_filtered += later.rows_filtered;
  total.rows_rolled_back += later.rows_rolled_back;
  total.bytes_read += later.bytes_read;
  total.bytes_written += later.bytes_written;
  total.seconds += later.seconds;
  total.reader_wait_seconds += later.reader_wait_seconds;
  total.writer_wait_seconds += later.writer_wait_seconds;
  total.throttle_seconds += later.throttle_seconds;
  total.reader_threads = std::max(total.reader_threads, later.reader_threads);
  total.writer_threads = std::max(total.writer_threads, later.writer_threads);
  total.splits += later.splits;
  total.checkpoints += later.checkpoints;
  total.changes_inserted += later.changes_inserted;
  total.changes_updated += later.changes_updated;
  total.changes_deleted += later.changes_deleted;
  if (total.position_before.empty()) total.position_before = later.position_before;
  total.position_after = later.position_after;
  total.lag_ms = later.lag_ms;
  total.status_detail = later.status_detail;
  if (!later.source.empty()) total.source = later.source;
  if (!later.target.empty()) total.target = later.target;
  if (!later.tables.empty()) total.tables = later.tables;
  if (total.recovery_note.empty()) total.recovery_note = later.recovery_note;
  if (!later.note.empty()) total.note = later.note;
  if (!later.dirty_records.empty()) total.dirty_records = later.dirty_records;
  total.realtime = total.realtime || later.realtime;
  total.streamed = total.streamed || later.streamed;
  total.restart_reason = later.restart_reason;
}

RunSummary RunReconnecting(const JobSpec& spec, const std::atomic<bool>* cancelled,
                           const std::function<RunSummary()>& run,
                           std::chrono::milliseconds first_wait) {
  const auto start = std::chrono::steady_clock::now();
  RunSummary total = run();
  int in_a_row = 0;
  std::chrono::milliseconds wait = first_wait;
  const std::chrono::milliseconds max_wait{
      std::max<int64_t>(spec.settings.reconnect_max_wait_ms, first_wait.count())};
  RunSummary last = total;
  // A first run that failed in its setup (a wrong host, port or password, an unreachable
  // server) reports that at once; a later one may meet a server still restarting.
  if (!total.streamed) return total;
  std::string restarted_for;   // the last restart's reason
  std::string restarted_from;  // and the position the run it ended had reached
  while (!IsCancelled(cancelled)) {
    if (last.status.ok()) {
      // A run that ended to be started again (a table to add) starts at once, unless it asks
      // again for the same reason from the same position: the new run could not take the table
      // up, and starting again would loop.
      if (last.restart_reason.empty()) break;
      if (last.restart_reason == restarted_for && last.position_after == restarted_from) {
        total.status = Status::Invalid(
            "{}: {} again, and starting again did not take it up (see the plan's notes above): "
            "fix the job's patterns or the table, then start the job again",
            spec.name, last.restart_reason);
        break;
      }
      restarted_for = last.restart_reason;
      restarted_from = last.position_after;
      spdlog::info("{}: {}: starting again", spec.name, last.restart_reason);
      ++total.restarts;
      last = run();
      AddLaterRun(total, last);
      continue;
    }
    if (!last.status.retryable()) break;
    if (last.checkpoints > 0) {
      in_a_row = 0;  // the run got somewhere before it failed
      wait = first_wait;
    }
    if (in_a_row >= spec.settings.reconnect_attempts) {
      if (spec.settings.reconnect_attempts > 0) {
        spdlog::error("{}: giving up after {} reconnect(s) in a row without a checkpoint",
                      spec.name, in_a_row);
      }
      break;
    }
    ++in_a_row;
    spdlog::warn("{}: {}; reconnecting in {} (attempt {} of {})", spec.name, last.status.message(),
                 WaitText(wait), in_a_row, spec.settings.reconnect_attempts);
    if (WaitOrCancel(wait, cancelled)) break;  // the last run's checkpoints stand
    wait = std::min(wait * 2, max_wait);
    ++total.reconnects;
    total.reconnect_reason = last.status.message();
    last = run();
    AddLaterRun(total, last);
  }
  total.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return total;
}

}  // namespace sluice
