// ProgressReporter: shows a run's progress while it goes.
//
// On a terminal: a live bar on stderr, redrawn five times a second (rows, MB, rows/s, and the
// percentage and ETA when the source could estimate its rows). Otherwise (a scheduler, a pipe,
// CI): one log line every `log_interval` seconds, so logs stay small and greppable.
// A realtime run (given a StreamStatus) shows its status line instead (stream_status.h): changes,
// changes per second over the last few seconds (not since the start: a stream's rate changes),
// lag, the last checkpointed position and the source's note.
// Owns one thread, started by the constructor and joined by Stop() or the destructor.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "engine/run_metrics.h"
#include "engine/stream_status.h"

namespace sluice {

enum class ProgressStyle { kAuto, kBar, kLog, kNone };

class ProgressReporter {
 public:
  ProgressReporter(const RunMetrics& metrics, std::string job_name, ProgressStyle style,
                   std::chrono::seconds log_interval = std::chrono::seconds(10),
                   const StreamStatus* stream = nullptr);
  ~ProgressReporter();
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  // Stops the thread and clears the bar line.
  void Stop();

 private:
  void Loop();
  std::string Line(double elapsed_seconds) const;
  std::string StreamLine(double elapsed_seconds);

  const RunMetrics& metrics_;
  const std::string job_name_;
  ProgressStyle style_;
  const std::chrono::seconds log_interval_;
  const std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  const StreamStatus* stream_;  // the runner's; outlives this reporter
  // The recent rate: changes and time at the start of the current window, and the last rate.
  int64_t window_changes_ = 0;
  double window_start_ = 0;
  double recent_rate_ = 0;
  std::thread thread_;
};

// "1.5 MB", "12.0 GB"
std::string FormatBytes(int64_t bytes);
// "1,234,567"
std::string FormatCount(int64_t n);
// "2.4 s", "3m05s", "1h02m"
std::string FormatDuration(double seconds);

}  // namespace sluice
