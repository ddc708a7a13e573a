#include "engine/progress_reporter.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace sluice {

std::string FormatBytes(int64_t bytes) {
  static const char* kUnits[] = {"B", "KB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  int unit = 0;
  while (v >= 1000 && unit < 4) {
    v /= 1000;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", v, kUnits[unit]);
}

std::string FormatCount(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string FormatDuration(double seconds) {
  if (seconds < 60) return fmt::format("{:.1f} s", seconds);
  auto total = static_cast<int64_t>(seconds);
  if (total < 3600) return fmt::format("{}m{:02}s", total / 60, total % 60);
  return fmt::format("{}h{:02}m", total / 3600, (total % 3600) / 60);
}

ProgressReporter::ProgressReporter(const RunMetrics& metrics, std::string job_name,
                                   ProgressStyle style, std::chrono::seconds log_interval,
                                   const StreamStatus* stream)
    : metrics_(metrics),
      job_name_(std::move(job_name)),
      style_(style),
      log_interval_(log_interval),
      start_(std::chrono::steady_clock::now()),
      stream_(stream) {
  if (style_ == ProgressStyle::kAuto) {
    style_ = ::isatty(STDERR_FILENO) ? ProgressStyle::kBar : ProgressStyle::kLog;
  }
  if (style_ != ProgressStyle::kNone) thread_ = std::thread([this] { Loop(); });
}

ProgressReporter::~ProgressReporter() {
  Stop();
}

void ProgressReporter::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (style_ == ProgressStyle::kBar) std::fprintf(stderr, "\r\033[2K");
}

std::string ProgressReporter::Line(double elapsed) const {
  const int64_t rows = metrics_.rows_read.load(std::memory_order_relaxed);
  const int64_t written = metrics_.rows_written.load(std::memory_order_relaxed);
  const int64_t bytes = metrics_.bytes_read.load(std::memory_order_relaxed);
  const double rate = elapsed > 0 ? static_cast<double>(rows) / elapsed : 0;
  std::string line;
  if (metrics_.estimated_rows && *metrics_.estimated_rows > 0) {
    const double total = static_cast<double>(*metrics_.estimated_rows);
    const double fraction = std::min(1.0, static_cast<double>(rows) / total);
    if (style_ == ProgressStyle::kBar) {
      constexpr int kWidth = 24;
      int filled = static_cast<int>(fraction * kWidth);
      line += "[" + std::string(static_cast<size_t>(filled), '#') +
              std::string(static_cast<size_t>(kWidth - filled), '.') + "] ";
    }
    line += fmt::format("{:3.0f}% ", fraction * 100);
    const double remaining = rate > 0 ? (total - static_cast<double>(rows)) / rate : 0;
    line += fmt::format("{} / {} rows read, {} written, {}, {} rows/s, ETA {}", FormatCount(rows),
                        FormatCount(*metrics_.estimated_rows), FormatCount(written),
                        FormatBytes(bytes), FormatCount(static_cast<int64_t>(rate)),
                        FormatDuration(std::max(0.0, remaining)));
  } else {
    line += fmt::format("{} rows read, {} written, {}, {} rows/s, elapsed {}", FormatCount(rows),
                        FormatCount(written), FormatBytes(bytes),
                        FormatCount(static_cast<int64_t>(rate)), FormatDuration(elapsed));
  }
  return line;
}

std::string ProgressReporter::StreamLine(double elapsed) {
  const StreamStatusSnapshot s = stream_->Get();
  // A window of at least 2 s: the bar redraws every 200 ms, too short to count changes over.
  constexpr double kWindow = 2.0;
  if (elapsed - window_start_ >= kWindow || window_start_ == 0) {
    const double span = elapsed - window_start_;
    if (span > 0) recent_rate_ = static_cast<double>(s.changes() - window_changes_) / span;
    window_changes_ = s.changes();
    window_start_ = elapsed;
  }
  return StreamStatusLine(s, recent_rate_);
}

void ProgressReporter::Loop() {
  const auto interval = style_ == ProgressStyle::kBar
                            ? std::chrono::milliseconds(200)
                            : std::chrono::duration_cast<std::chrono::milliseconds>(log_interval_);
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, interval, [this] { return stopping_; })) {
    double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::string line = stream_ != nullptr ? StreamLine(elapsed) : Line(elapsed);
    if (style_ == ProgressStyle::kBar) {
      std::fprintf(stderr, "\r\033[2K%s %s", job_name_.c_str(), line.c_str());
      std::fflush(stderr);
    } else {
      spdlog::info("{}: {}", job_name_, line);
    }
  }
}

}  // namespace sluice
