// BoundedQueue: the channel between reader threads and writer threads.
//
// Push blocks while the queue is full (backpressure: readers slow down to the writers' pace);
// Pop blocks while it is empty. Close() wakes everyone: Push then fails and Pop drains what is
// left before returning nullopt. The time each side spends blocked is what the run summary
// reports as "readers waited on writers" and the reverse.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

namespace sluice {

template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // Returns false if the queue was closed. Adds the time spent blocked to `*waited_ns`.
  bool Push(T item, int64_t* waited_ns) {
    std::unique_lock lock(mu_);
    if (items_.size() >= capacity_ && !closed_) {
      auto start = std::chrono::steady_clock::now();
      not_full_.wait(lock, [&] { return items_.size() < capacity_ || closed_; });
      *waited_ns += Elapsed(start);
    }
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  // Returns nullopt once the queue is closed and empty.
  std::optional<T> Pop(int64_t* waited_ns) {
    std::unique_lock lock(mu_);
    if (items_.empty() && !closed_) {
      auto start = std::chrono::steady_clock::now();
      not_empty_.wait(lock, [&] { return !items_.empty() || closed_; });
      *waited_ns += Elapsed(start);
    }
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }

  // Non-blocking variants, for the recycling of spare batches.
  std::optional<T> TryPop() {
    std::lock_guard lock(mu_);
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }
  bool TryPush(T item) {
    std::lock_guard lock(mu_);
    if (closed_ || items_.size() >= capacity_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  // Drops queued items (after a failure, nothing more will be written).
  void Discard() {
    std::lock_guard lock(mu_);
    items_.clear();
    not_full_.notify_all();
  }

 private:
  static int64_t Elapsed(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                                start)
        .count();
  }

  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<T> items_;
  bool closed_ = false;
};

}  // namespace sluice
