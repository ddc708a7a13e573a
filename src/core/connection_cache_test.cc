#include "core/connection_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace sluice {
namespace {

// A connection that counts how many of its kind are open.
struct FakeConnection {
  explicit FakeConnection(int* open) : open(open) { ++*open; }
  FakeConnection(FakeConnection&& other) noexcept : open(std::exchange(other.open, nullptr)) {}
  ~FakeConnection() {
    if (open != nullptr) --*open;
  }
  int* open;
};

TEST(ConnectionCacheTest, NoReuseWithoutABinding) {
  EXPECT_EQ(ConnectionCache::Current(), nullptr);
}

TEST(ConnectionCacheTest, ScopedReuseBindsItsOwnCacheAndClosesItsConnections) {
  int open = 0;
  {
    ScopedConnectionReuse reuse;
    ASSERT_EQ(ConnectionCache::Current(), &reuse.cache());
    ConnectionCache::Current()->Give("k", FakeConnection(&open));
    EXPECT_EQ(open, 1);
    std::optional<FakeConnection> again = ConnectionCache::Current()->Take<FakeConnection>("k");
    ASSERT_TRUE(again.has_value());
    EXPECT_FALSE(ConnectionCache::Current()->Take<FakeConnection>("k").has_value());
    ConnectionCache::Current()->Give("k", std::move(*again));
    EXPECT_EQ(reuse.cache().reused(), 1);
  }
  EXPECT_EQ(open, 0);  // the idle connection closed with its job
  EXPECT_EQ(ConnectionCache::Current(), nullptr);
}

// Two jobs in one process, each on its own thread: neither sees the other's connections.
TEST(ConnectionCacheTest, TwoJobsDoNotShareConnections) {
  int open = 0;
  ScopedConnectionReuse first;
  first.cache().Give("postgres|same", FakeConnection(&open));
  bool other_saw_it = true;
  std::thread other([&] {
    ScopedConnectionReuse second;
    other_saw_it = second.cache().Take<FakeConnection>("postgres|same").has_value();
  });
  other.join();
  EXPECT_FALSE(other_saw_it);
  EXPECT_TRUE(first.cache().Take<FakeConnection>("postgres|same").has_value());
}

// Threads a job starts bind its cache; nested bindings restore the outer one.
TEST(ConnectionCacheTest, BindingsCarryTheCacheToWorkerThreadsAndNest) {
  ScopedConnectionReuse reuse;
  ConnectionCache* seen = nullptr;
  std::thread worker([&, cache = ConnectionCache::Current()] {
    ConnectionCacheBinding bind(cache);
    seen = ConnectionCache::Current();
  });
  worker.join();
  EXPECT_EQ(seen, &reuse.cache());
  {
    ConnectionCacheBinding none(nullptr);
    EXPECT_EQ(ConnectionCache::Current(), nullptr);
  }
  EXPECT_EQ(ConnectionCache::Current(), &reuse.cache());
}

}  // namespace
}  // namespace sluice
