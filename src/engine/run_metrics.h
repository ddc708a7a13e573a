// RunMetrics: counters shared by the pipeline threads and read by the progress reporter.
// Relaxed atomics: the numbers are for people, not for synchronisation.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>

namespace sluice {

struct RunMetrics {
  std::atomic<int64_t> rows_read{0};
  std::atomic<int64_t> bytes_read{0};
  std::atomic<int64_t> rows_written{0};
  std::atomic<int64_t> bytes_written{0};
  std::atomic<int64_t> rows_dropped_by_transforms{0};  // filtered out or rejected there
  std::atomic<int64_t> reader_wait_ns{0};    // readers blocked on a full queue (writers slow)
  std::atomic<int64_t> writer_wait_ns{0};    // writers blocked on an empty queue (readers slow)
  std::atomic<int64_t> throttle_wait_ns{0};  // readers held back by the rate limit
  std::atomic<int64_t> splits_done{0};
  int64_t splits_total = 0;
  int reader_threads = 0;
  int writer_threads = 0;
  std::optional<int64_t> estimated_rows;  // for the progress bar's percentage and ETA
};

}  // namespace sluice
