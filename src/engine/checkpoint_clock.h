// CheckpointClock: when a realtime run's next checkpoint is due: settings.checkpoint's
// interval, rows or bytes, the first reached. Used by the stream runners' one thread.
// A stream with no rows for a while may still have moved (other tables' transactions,
// heartbeats): IdleDue() says when that position is worth a checkpoint of its own, ten
// intervals (10 s by default, at most a minute) after the last one. A restart then starts there
// instead of re-reading the source's log since the table's last change (which may be purged by
// then), and the source may let that log go (a PostgreSQL slot's WAL), never ahead of what the
// target holds.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "config/job_spec.h"

namespace sluice {

class CheckpointClock {
 public:
  using Clock = std::chrono::steady_clock;

  explicit CheckpointClock(const SettingsSpec& s)
      : interval_(std::chrono::milliseconds(s.checkpoint_interval_ms)),
        rows_(s.checkpoint_rows),
        bytes_(s.checkpoint_bytes),
        idle_interval_(
            s.checkpoint_interval_ms > 0
                ? std::min<std::chrono::milliseconds>(interval_ * kIdleIntervals, kIdleIntervalMax)
                : std::chrono::milliseconds(10000)) {
    Reset();
  }
  void Add(int64_t rows, int64_t bytes) {
    rows_since_ += rows;
    bytes_since_ += bytes;
  }
  bool Due() const {
    if (rows_since_ == 0 && bytes_since_ == 0) return false;  // nothing new to commit
    return (interval_.count() > 0 && Clock::now() >= last_ + interval_) ||
           (rows_ > 0 && rows_since_ >= rows_) || (bytes_ > 0 && bytes_since_ >= bytes_);
  }
  // Nothing new since the last checkpoint, and the idle interval passed since it.
  bool IdleDue() const {
    return rows_since_ == 0 && bytes_since_ == 0 && Clock::now() >= last_ + idle_interval_;
  }
  std::chrono::milliseconds idle_interval() const { return idle_interval_; }
  void Reset() {
    last_ = Clock::now();
    rows_since_ = 0;
    bytes_since_ = 0;
  }

 private:
  static constexpr int kIdleIntervals = 10;
  // A long checkpoint interval (5m) must not keep a slot's WAL for ten of them.
  static constexpr std::chrono::milliseconds kIdleIntervalMax{60000};
  std::chrono::milliseconds interval_;
  int64_t rows_;
  int64_t bytes_;
  std::chrono::milliseconds idle_interval_;
  Clock::time_point last_;
  int64_t rows_since_ = 0;
  int64_t bytes_since_ = 0;
};

}  // namespace sluice
