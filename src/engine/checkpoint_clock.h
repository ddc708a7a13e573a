// CheckpointClock: when a realtime run's next checkpoint is due: settings.checkpoint's
// interval, rows or bytes, the first reached. Used by the stream runners' one thread.
#pragma once

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
        bytes_(s.checkpoint_bytes) {
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
  void Reset() {
    last_ = Clock::now();
    rows_since_ = 0;
    bytes_since_ = 0;
  }

 private:
  std::chrono::milliseconds interval_;
  int64_t rows_;
  int64_t bytes_;
  Clock::time_point last_;
  int64_t rows_since_ = 0;
  int64_t bytes_since_ = 0;
};

}  // namespace sluice
