// ConnectionCache: idle database connections kept for reuse by the tables of one job.
//
// A whole-database job runs hundreds of short table copies; opening three connections for
// each (planning, reading, writing) costs more CPU on both sides (authentication, session
// setup) than copying a small table. Connectors therefore give a connection back when they
// are done with it in a clean state (no transaction, no result pending), and take one before
// opening a new one. The key says what a connection can be reused for: the connector, the
// full connection settings (secrets included: the key never leaves memory) and the role.
//
// Process-wide and disabled by default: single-table runs open and close their own
// connections as before; the multi-table runner enables it for its run and clears it after.
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace sluice {

class ConnectionCache {
 public:
  static ConnectionCache& Global();

  // Turns reuse on or off; turning it off closes every idle connection.
  void Enable(bool on, size_t max_idle = 64);

  template <class T>
  std::optional<T> Take(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = idle_.find(key);
    if (!enabled_ || it == idle_.end()) return std::nullopt;
    auto* holder = dynamic_cast<Holder<T>*>(it->second.get());
    if (holder == nullptr) return std::nullopt;
    std::optional<T> conn(std::move(holder->value));
    idle_.erase(it);
    ++reused_;
    return conn;
  }

  // Keeps `conn` for the next Take of `key`; closes it (by dropping it) when reuse is off or
  // the cache is full.
  template <class T>
  void Give(const std::string& key, T&& conn) {
    std::unique_ptr<Slot> slot = std::make_unique<Holder<T>>(std::move(conn));
    std::lock_guard lock(mu_);
    if (!enabled_ || idle_.size() >= max_idle_) return;  // `slot` closes it
    idle_.emplace(key, std::move(slot));
  }

  bool enabled() const {
    std::lock_guard lock(mu_);
    return enabled_;
  }
  int64_t reused() const {
    std::lock_guard lock(mu_);
    return reused_;
  }

 private:
  struct Slot {
    virtual ~Slot() = default;
  };
  template <class T>
  struct Holder : Slot {
    explicit Holder(T&& v) : value(std::move(v)) {}
    T value;
  };

  mutable std::mutex mu_;
  bool enabled_ = false;
  size_t max_idle_ = 64;
  int64_t reused_ = 0;
  std::multimap<std::string, std::unique_ptr<Slot>> idle_;
};

// Reuse on for one multi-table run, check or verify; off (idle connections closed) after.
class ScopedConnectionReuse {
 public:
  explicit ScopedConnectionReuse(size_t max_idle = 64) {
    ConnectionCache::Global().Enable(true, max_idle);
  }
  ~ScopedConnectionReuse() { ConnectionCache::Global().Enable(false); }
  ScopedConnectionReuse(const ScopedConnectionReuse&) = delete;
  ScopedConnectionReuse& operator=(const ScopedConnectionReuse&) = delete;
};

}  // namespace sluice
