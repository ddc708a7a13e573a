// RateLimiter: caps rows/s and bytes/s across all reader threads (DataX's channel throttle).
//
// A token bucket per dimension with one second of burst. Acquire() is called once per batch
// after it is read, so a limit is honoured to within one batch. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

namespace sluice {

class RateLimiter {
 public:
  RateLimiter(int64_t rows_per_second, int64_t bytes_per_second);
  bool enabled() const { return rows_per_second_ > 0 || bytes_per_second_ > 0; }
  // Blocks until `rows` and `bytes` fit within the limits, or `cancelled` becomes true.
  // Returns the nanoseconds spent waiting.
  int64_t Acquire(int64_t rows, int64_t bytes, const std::atomic<bool>& cancelled);

 private:
  const int64_t rows_per_second_;
  const int64_t bytes_per_second_;
  std::mutex mu_;
  double row_tokens_;
  double byte_tokens_;
  std::chrono::steady_clock::time_point last_refill_;
};

}  // namespace sluice
