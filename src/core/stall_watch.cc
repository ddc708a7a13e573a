#include "core/stall_watch.h"

#include <sys/socket.h>

#include <chrono>
#include <condition_variable>
#include <thread>
#include <vector>

#include <fmt/format.h>

namespace sluice {
namespace {

enum Broken : int { kNone = 0, kStalled = 1, kCancelled = 2 };

// How often the monitor looks: a cancel breaks calls within this, a stall within this of
// its timeout.
constexpr std::chrono::milliseconds kTick{200};
// After a cancel, the pipeline gets this long to stop on its own (a healthy server answers, the
// transaction rolls back cleanly) before calls still waiting on a server are broken.
constexpr int64_t kCancelGraceMs = 1500;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

class Monitor {
 public:
  static Monitor& Get() {
    static Monitor monitor;
    return monitor;
  }

  void Add(const std::shared_ptr<SocketWatch>& watch) {
    std::lock_guard lock(mu_);
    watches_.push_back(watch);
    if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
  }

  std::atomic<int> timeout_s{kDefaultStallTimeoutSeconds};
  std::atomic<const std::atomic<bool>*> cancelled{nullptr};

  ~Monitor() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    while (!wake_.wait_for(lock, kTick, [this] { return stop_; })) {
      const std::atomic<bool>* flag = cancelled.load();
      const int64_t now = NowMs();
      if (flag != nullptr && flag->load() && cancelled_at_ms_ == 0) cancelled_at_ms_ = now;
      const bool cancel = cancelled_at_ms_ != 0 && now - cancelled_at_ms_ >= kCancelGraceMs;
      const int64_t timeout_ms = int64_t{timeout_s.load()} * 1000;
      std::erase_if(watches_, [](const std::weak_ptr<SocketWatch>& w) { return w.expired(); });
      for (const std::weak_ptr<SocketWatch>& weak : watches_) {
        if (std::shared_ptr<SocketWatch> watch = weak.lock()) watch->Check(now, timeout_ms, cancel);
      }
    }
  }

  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<std::weak_ptr<SocketWatch>> watches_;
  std::thread thread_;
  bool stop_ = false;
  int64_t cancelled_at_ms_ = 0;
};

}  // namespace

void ConfigureStallWatch(int timeout_seconds, const std::atomic<bool>* cancelled) {
  Monitor::Get().timeout_s = timeout_seconds;
  Monitor::Get().cancelled = cancelled;
}

int StallTimeoutSeconds() {
  return Monitor::Get().timeout_s.load();
}

bool RunCancelled() {
  const std::atomic<bool>* flag = Monitor::Get().cancelled.load();
  return flag != nullptr && flag->load();
}

std::shared_ptr<SocketWatch> SocketWatch::Register(int fd, std::string server) {
  auto watch = std::make_shared<SocketWatch>(fd, std::move(server));
  if (fd >= 0) Monitor::Get().Add(watch);
  return watch;
}

SocketWatch::Call::Call(SocketWatch* watch) : watch_(watch) {
  if (watch_ == nullptr) return;
  outer_ = watch_->busy_since_ms_.load(std::memory_order_relaxed);
  if (outer_ == 0) watch_->busy_since_ms_.store(NowMs(), std::memory_order_relaxed);
}

SocketWatch::Call::~Call() {
  if (watch_ != nullptr && outer_ == 0) watch_->busy_since_ms_.store(0, std::memory_order_relaxed);
}

void SocketWatch::Detach() {
  std::lock_guard lock(mu_);
  fd_ = -1;
}

void SocketWatch::Check(int64_t now_ms, int64_t timeout_ms, bool cancelled) {
  std::lock_guard lock(mu_);
  const int64_t since = busy_since_ms_.load(std::memory_order_relaxed);
  if (fd_ < 0 || since == 0 || broken_.load() != kNone) return;
  if (cancelled) {
    broken_ = kCancelled;
  } else if (timeout_ms > 0 && now_ms - since >= timeout_ms) {
    stalled_for_ms_ = now_ms - since;
    broken_ = kStalled;
  } else {
    return;
  }
  shutdown(fd_, SHUT_RDWR);
}

Status SocketWatch::Explain(Status st) const {
  switch (broken_.load()) {
    case kStalled:
      return Status(StatusCode::kConnection,
                    fmt::format("{} stalled: no answer for {} s (settings.stall_timeout); the "
                                "connection was dropped",
                                server_, stalled_for_ms_ / 1000),
                    /*retryable=*/true);
    case kCancelled:
      return Status(
          StatusCode::kCancelled,
          fmt::format("stopped by a signal while waiting for {}; nothing was committed", server_));
    default:
      return st;
  }
}

}  // namespace sluice
