#include "core/connection_cache.h"

namespace sluice {

ConnectionCache& ConnectionCache::Global() {
  static ConnectionCache cache;
  return cache;
}

void ConnectionCache::Enable(bool on, size_t max_idle) {
  std::multimap<std::string, std::unique_ptr<Slot>> closing;
  {
    std::lock_guard lock(mu_);
    enabled_ = on;
    max_idle_ = max_idle;
    if (!on) closing.swap(idle_);
  }
  // `closing` closes the connections here, outside the lock.
}

}  // namespace sluice
