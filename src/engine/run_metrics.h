// RunMetrics: counters shared by the pipeline threads and read by the progress reporter.
// Relaxed atomics: the numbers are for people, not for synchronisation.
//
// Every row read has one fate, counted where it is decided (pipeline.cc), so once the threads
// have joined rows_read = rows_written + rows_rejected + rows_filtered + the rows a failed run
// left in flight. A row the source refuses is read and rejected; a row the target refuses is
// rejected, not written.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>

namespace sluice {

struct RunMetrics {
  std::atomic<int64_t> rows_read{0};
  std::atomic<int64_t> bytes_read{0};
  std::atomic<int64_t> rows_written{0};  // accepted by the target (not yet committed)
  std::atomic<int64_t> bytes_written{0};
  std::atomic<int64_t> rows_rejected{0};     // by the source, a transform or the target
  std::atomic<int64_t> rows_filtered{0};     // dropped by a filter (not rejected)
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
