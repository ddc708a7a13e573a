// ConnectionCache: idle database connections kept for reuse by the tables of one job.
//
// A whole-database job runs hundreds of short table copies; opening three connections for
// each (planning, reading, writing) costs more CPU on both sides (authentication, session
// setup) than copying a small table. Connectors therefore give a connection back when they
// are done with it in a clean state (no transaction, no result pending), and take one before
// opening a new one. The key says what a connection can be reused for: the connector, the
// full connection settings (secrets included: the key never leaves memory) and the role.
//
// One cache per job, never process-wide: two jobs in one process (tables of a multi-table run
// side by side, later `sluice serve`) must neither share nor leak each other's sessions. The
// runner owns it (ScopedConnectionReuse) and makes it the Current() cache of its own thread;
// every thread it starts for the job binds it too (ConnectionCacheBinding), so connectors find
// it without it being passed through every interface. Without a binding, Current() is null:
// single-table runs open and close their own connections.
// Thread-safe; the cache must outlive every thread bound to it.
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
  explicit ConnectionCache(size_t max_idle = 64) : max_idle_(max_idle) {}
  ConnectionCache(const ConnectionCache&) = delete;
  ConnectionCache& operator=(const ConnectionCache&) = delete;
  ~ConnectionCache() = default;  // closes the idle connections

  // The cache of the job the calling thread works for; nullptr when connections are not
  // reused (no binding on this thread).
  static ConnectionCache* Current();

  template <class T>
  std::optional<T> Take(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = idle_.find(key);
    if (it == idle_.end()) return std::nullopt;
    auto* holder = dynamic_cast<Holder<T>*>(it->second.get());
    if (holder == nullptr) return std::nullopt;
    std::optional<T> conn(std::move(holder->value));
    idle_.erase(it);
    ++reused_;
    return conn;
  }

  // Keeps `conn` for the next Take of `key`; closes it (by dropping it) when the cache is full.
  template <class T>
  void Give(const std::string& key, T&& conn) {
    std::unique_ptr<Slot> slot = std::make_unique<Holder<T>>(std::move(conn));
    std::lock_guard lock(mu_);
    if (idle_.size() >= max_idle_) return;  // `slot` closes it
    idle_.emplace(key, std::move(slot));
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
  const size_t max_idle_;
  int64_t reused_ = 0;
  std::multimap<std::string, std::unique_ptr<Slot>> idle_;
};

// Makes `cache` (may be null: no reuse) the calling thread's Current() for this object's
// lifetime, then restores the previous one. Threads a job starts create one first thing, with
// the Current() of the thread that started them.
class ConnectionCacheBinding {
 public:
  explicit ConnectionCacheBinding(ConnectionCache* cache);
  ~ConnectionCacheBinding();
  ConnectionCacheBinding(const ConnectionCacheBinding&) = delete;
  ConnectionCacheBinding& operator=(const ConnectionCacheBinding&) = delete;

 private:
  ConnectionCache* previous_;
};

// Reuse on for one multi-table run, check or verify: owns the job's cache and binds it to the
// constructing thread; the idle connections are closed when it goes.
class ScopedConnectionReuse {
 public:
  explicit ScopedConnectionReuse(size_t max_idle = 64) : cache_(max_idle), binding_(&cache_) {}
  ConnectionCache& cache() { return cache_; }

 private:
  ConnectionCache cache_;
  ConnectionCacheBinding binding_;  // unbound before cache_ closes its connections
};

}  // namespace sluice
