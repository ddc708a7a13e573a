// StallWatch: breaks blocking database calls that make no progress, and every call in flight
// once the run is cancelled.
//
// libpq and libmariadb block in read()/write() on their socket. A server that stops answering
// (SIGSTOP, a hung host, a dead NAT entry) holds such a call forever, and TCP keepalives do not
// help while the server's kernel still acknowledges. So each connection registers its socket
// (a SocketWatch, shared between the connection and the monitor) and marks it busy around every
// blocking call (SocketWatch::Call: two atomic stores, cheap enough per row). One monitor
// thread looks at the busy sockets a few times a second: a call busy for longer than the stall
// timeout, or any call still busy 1.5 s after the run was cancelled (SIGTERM; the time a healthy
// server needs to let the pipeline stop and roll back on its own), gets its socket shut down
// (shutdown(2), not close(2): the descriptor stays valid, so it cannot be reused under the
// library's feet). The library call then fails at once; the connector passes that error
// through Explain(), which says what happened and names the server.
//
// "Busy" is per call: a COPY or a row fetch makes progress with every row, so only a server
// that sends or takes nothing for the whole timeout is stalled; one statement that works
// silently for longer (a big sort, an index build in post_sql) needs a larger timeout.
//
// Thread-safety: Configure and the monitor are process-wide; a SocketWatch is used by the one
// thread that uses its connection, and by the monitor.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "core/status.h"

namespace sluice {

inline constexpr int kDefaultStallTimeoutSeconds = 60;

// The stall timeout of this process in seconds (0: never) and the flag that cancels the run
// (nullptr: none). Set once by the command line before the job starts.
void ConfigureStallWatch(int timeout_seconds, const std::atomic<bool>* cancelled);
int StallTimeoutSeconds();
// Whether the run's cancel flag (ConfigureStallWatch) is set: for a wait that polls instead of
// blocking in one call the monitor could break.
bool RunCancelled();

class SocketWatch {
 public:
  // `fd`: the connected socket; `server`: "postgres at 127.0.0.1:5432", for messages.
  static std::shared_ptr<SocketWatch> Register(int fd, std::string server);
  SocketWatch(int fd, std::string server) : fd_(fd), server_(std::move(server)) {}

  // Marks the socket busy for one blocking call (nested calls keep the outer start).
  class Call {
   public:
    explicit Call(SocketWatch* watch);
    ~Call();
    Call(const Call&) = delete;
    Call& operator=(const Call&) = delete;

   private:
    SocketWatch* watch_;
    int64_t outer_ = 0;
  };

  // Before the connection closes its socket: the monitor leaves it alone from then on.
  void Detach();
  // `st` itself when the watch did not break the call; otherwise an error that says the server
  // stalled (retryable) or that the run was cancelled.
  Status Explain(Status st) const;
  // Called by the monitor: shuts the socket down when its call is over `timeout_ms` old, or
  // at all when `cancelled`.
  void Check(int64_t now_ms, int64_t timeout_ms, bool cancelled);

 private:
  std::mutex mu_;  // fd_ against Detach: no shutdown() after the socket is closed
  int fd_;
  const std::string server_;
  std::atomic<int64_t> busy_since_ms_{0};
  std::atomic<int> broken_{0};  // Broken
  int64_t stalled_for_ms_ = 0;
};

// A connection's registration: detaches it when reset or destroyed. Declare it after the
// connection's handle, so that it goes first.
class WatchedSocket {
 public:
  WatchedSocket() = default;
  explicit WatchedSocket(std::shared_ptr<SocketWatch> watch) : watch_(std::move(watch)) {}
  WatchedSocket(WatchedSocket&& other) noexcept = default;
  WatchedSocket& operator=(WatchedSocket&& other) noexcept {
    Reset();
    watch_ = std::move(other.watch_);
    return *this;
  }
  ~WatchedSocket() { Reset(); }

  void Reset() {
    if (watch_) watch_->Detach();
    watch_.reset();
  }
  // Around one blocking call: `auto busy = watch_.Busy();`.
  [[nodiscard]] SocketWatch::Call Busy() const { return SocketWatch::Call(watch_.get()); }
  Status Explain(Status st) const { return watch_ ? watch_->Explain(std::move(st)) : st; }

 private:
  std::shared_ptr<SocketWatch> watch_;
};

}  // namespace sluice
