#include "engine/rate_limiter.h"

#include <algorithm>
#include <thread>

namespace sluice {

RateLimiter::RateLimiter(int64_t rows_per_second, int64_t bytes_per_second)
    : rows_per_second_(rows_per_second),
      bytes_per_second_(bytes_per_second),
      row_tokens_(static_cast<double>(rows_per_second)),
      byte_tokens_(static_cast<double>(bytes_per_second)),
      last_refill_(std::chrono::steady_clock::now()) {}

int64_t RateLimiter::Acquire(int64_t rows, int64_t bytes, const std::atomic<bool>& cancelled) {
  if (!enabled()) return 0;
  auto start = std::chrono::steady_clock::now();
  std::unique_lock lock(mu_);
  // Debt is allowed (tokens may go negative) so a batch larger than one second's budget still
  // passes; the next callers then wait until the debt is paid back.
  while (!cancelled.load(std::memory_order_relaxed)) {
    auto now = std::chrono::steady_clock::now();
    double seconds = std::chrono::duration<double>(now - last_refill_).count();
    last_refill_ = now;
    if (rows_per_second_ > 0) {
      row_tokens_ = std::min<double>(static_cast<double>(rows_per_second_),
                                     row_tokens_ + seconds * static_cast<double>(rows_per_second_));
    }
    if (bytes_per_second_ > 0) {
      byte_tokens_ =
          std::min<double>(static_cast<double>(bytes_per_second_),
                           byte_tokens_ + seconds * static_cast<double>(bytes_per_second_));
    }
    bool rows_ok = rows_per_second_ <= 0 || row_tokens_ > 0;
    bool bytes_ok = bytes_per_second_ <= 0 || byte_tokens_ > 0;
    if (rows_ok && bytes_ok) {
      if (rows_per_second_ > 0) row_tokens_ -= static_cast<double>(rows);
      if (bytes_per_second_ > 0) byte_tokens_ -= static_cast<double>(bytes);
      break;
    }
    double wait_rows = rows_ok ? 0 : -row_tokens_ / static_cast<double>(rows_per_second_);
    double wait_bytes = bytes_ok ? 0 : -byte_tokens_ / static_cast<double>(bytes_per_second_);
    double wait = std::clamp(std::max(wait_rows, wait_bytes), 0.001, 0.1);
    lock.unlock();
    std::this_thread::sleep_for(std::chrono::duration<double>(wait));
    lock.lock();
  }
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                              start)
      .count();
}

}  // namespace sluice
