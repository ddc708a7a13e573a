// StreamStatus: what a realtime run publishes for its status line (progress_reporter.h) and
// summary: changes by kind, the source's lag and status note, the last checkpointed position.
//
// Written by the stream runner's thread only; read by the progress reporter's thread. The
// reporter never calls the source (StreamSource is single-threaded): the runner copies what it
// needs here after each Next() and each checkpoint. Counters are relaxed atomics (numbers for
// people); the texts sit behind a small mutex.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "core/batch.h"
#include "core/stream_source.h"

namespace sluice {

struct StreamStatusSnapshot {
  int64_t inserts = 0;
  int64_t updates = 0;  // an update with its before image counts once
  int64_t deletes = 0;
  int64_t truncates = 0;                     // TRUNCATEs carried (Batch::truncated)
  int64_t lag_ms = -1;                       // -1: the source does not know
  std::string position;                      // of the last checkpoint, "" before the first
  std::string detail;                        // StreamSource::StatusDetail()
  std::optional<SnapshotProgress> snapshot;  // StreamSource::SnapshotProgressNow()

  int64_t changes() const { return inserts + updates + deletes; }
};

class StreamStatus {
 public:
  // Counts the changes of a batch as read (before transforms).
  void Count(const Batch& batch) {
    if (batch.truncated) truncates_.fetch_add(1, std::memory_order_relaxed);
    if (batch.row_kinds.empty()) {
      inserts_.fetch_add(static_cast<int64_t>(batch.num_rows()), std::memory_order_relaxed);
      return;
    }
    int64_t ins = 0, upd = 0, del = 0;
    for (RowKind k : batch.row_kinds) {
      ins += k == RowKind::kInsert ? 1 : 0;
      upd += k == RowKind::kUpdateAfter ? 1 : 0;
      del += k == RowKind::kDelete ? 1 : 0;
    }
    inserts_.fetch_add(ins, std::memory_order_relaxed);
    updates_.fetch_add(upd, std::memory_order_relaxed);
    deletes_.fetch_add(del, std::memory_order_relaxed);
  }
  void SetSource(int64_t lag_ms, std::string detail,
                 std::optional<SnapshotProgress> snapshot = std::nullopt) {
    std::lock_guard lock(mu_);
    lag_ms_ = lag_ms;
    detail_ = std::move(detail);
    snapshot_ = std::move(snapshot);
  }
  void SetPosition(std::string position) {
    std::lock_guard lock(mu_);
    position_ = std::move(position);
  }
  StreamStatusSnapshot Get() const {
    StreamStatusSnapshot s;
    s.inserts = inserts_.load(std::memory_order_relaxed);
    s.updates = updates_.load(std::memory_order_relaxed);
    s.deletes = deletes_.load(std::memory_order_relaxed);
    s.truncates = truncates_.load(std::memory_order_relaxed);
    std::lock_guard lock(mu_);
    s.lag_ms = lag_ms_;
    s.position = position_;
    s.detail = detail_;
    s.snapshot = snapshot_;
    return s;
  }

 private:
  std::atomic<int64_t> inserts_{0};
  std::atomic<int64_t> updates_{0};
  std::atomic<int64_t> deletes_{0};
  std::atomic<int64_t> truncates_{0};
  mutable std::mutex mu_;
  int64_t lag_ms_ = -1;
  std::string position_;
  std::string detail_;
  std::optional<SnapshotProgress> snapshot_;
};

// The realtime status line: "1,234 changes, 56 changes/s, lag 1.2 s, at mysql-bin.000003:1234,
// slot x retains 12 MB of WAL". `changes_per_second` is the recent rate (the reporter's window).
std::string StreamStatusLine(const StreamStatusSnapshot& s, double changes_per_second);
// "snapshot of shop.orders: 1,234,567 rows of about 10,000,000 (12%), key range 3 of 20".
std::string SnapshotProgressText(const SnapshotProgress& p);

}  // namespace sluice
