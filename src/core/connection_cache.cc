#include "core/connection_cache.h"

namespace sluice {
namespace {

thread_local ConnectionCache* current_cache = nullptr;

}  // namespace

ConnectionCache* ConnectionCache::Current() {
  return current_cache;
}

ConnectionCacheBinding::ConnectionCacheBinding(ConnectionCache* cache) : previous_(current_cache) {
  current_cache = cache;
}

ConnectionCacheBinding::~ConnectionCacheBinding() {
  current_cache = previous_;
}

}  // namespace sluice
