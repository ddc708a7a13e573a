// RejectCollector: the engine's RejectSink. Counts rejected ("dirty") rows, keeps them aside in
// a JSON-lines file with their reason, and stops the job once settings.error_limit.rows is
// passed: over the whole run, or, with error_limit.window, within any window of that length
// (a job that never ends would otherwise fail one day on a trickle of rare bad rows).
// Thread-safe: readers, transform chains and writers report from their own threads.
#pragma once

#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <string>

#include "core/reject_sink.h"

namespace sluice {

class RejectCollector final : public RejectSink {
 public:
  // `path` empty: rejected rows are counted but not kept. The file is opened lazily, on the
  // first rejected row, so clean runs leave no empty file behind.
  // `window_ms` 0: the limit counts the whole run.
  RejectCollector(int64_t limit, std::string path, int64_t window_ms = 0)
      : limit_(limit), path_(std::move(path)), window_ms_(window_ms) {}
  ~RejectCollector() override;

  Status Reject(const Schema& schema, const Batch& batch, size_t row, std::string_view stage,
                std::string_view reason) override;

  // Every row rejected in the run (the window only decides when the run fails).
  int64_t count() const;
  std::string first_reason() const;
  const std::string& path() const { return path_; }
  // Flushes and fsyncs the file so kept rows survive with the run's outcome.
  Status Close();

  // Tests: a clock in milliseconds instead of steady_clock.
  void SetClockForTesting(std::function<int64_t()> now_ms) { now_ms_ = std::move(now_ms); }

 private:
  Status LimitError() const;
  // Adds one reject to the window; true when the window holds more than the limit.
  bool WindowPassed();
  int64_t NowMillis() const;

  const int64_t limit_;
  const std::string path_;
  const int64_t window_ms_;
  // When each reject still inside the window came, oldest first. At most limit_ + 1 entries:
  // one more fails the run.
  std::deque<int64_t> window_;
  std::function<int64_t()> now_ms_;
  mutable std::mutex mu_;
  std::FILE* file_ = nullptr;
  int64_t count_ = 0;
  std::string first_reason_;
  std::string line_;  // reused to build each JSON line
};

}  // namespace sluice
