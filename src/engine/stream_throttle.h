// StreamThrottle: settings.rate_limit for a job that never ends. A change stream is held back
// after each batch it reads, as the batch pipeline holds its readers back (rate_limiter.h), so
// a realtime job (a catch-up over a day of binlog, say) can be kept from flooding its target.
#pragma once

#include <atomic>
#include <cstdint>

#include "config/job_spec.h"
#include "engine/rate_limiter.h"
#include "engine/run_metrics.h"

namespace sluice {

class StreamThrottle {
 public:
  explicit StreamThrottle(const RateLimitSpec& limit)
      : limiter_(limit.rows_per_second, limit.bytes_per_second) {}
  // Waits until `rows` and `bytes` fit the limit (at once when there is none), or until
  // `cancelled` (may be null) is set; counts the wait in `metrics`.
  void After(int64_t rows, int64_t bytes, const std::atomic<bool>* cancelled, RunMetrics& metrics) {
    if (rows == 0 || !limiter_.enabled()) return;
    static const std::atomic<bool> kNever{false};
    metrics.throttle_wait_ns.fetch_add(
        limiter_.Acquire(rows, bytes, cancelled != nullptr ? *cancelled : kNever),
        std::memory_order_relaxed);
  }

 private:
  RateLimiter limiter_;
};

}  // namespace sluice
