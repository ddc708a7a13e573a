// JobLease: one owner per job. A run holds its job's lease in the state store from before it
// looks at a pending run until it ends, renewing it from a thread of its own every third of
// settings.lease_timeout. A second run of a running job is refused at once (kBusy, naming the
// holder); a holder that died is taken over at once when it ran on this host (its pid is gone),
// else once its lease expired. Every state change and every target commit carries the lease's
// fencing token (fence()), so a process that lost its lease (paused past the timeout, then
// woken) can never commit again: the store and the target both refuse older tokens.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/status.h"
#include "state/state_store.h"

namespace sluice {

class JobLease {
 public:
  // Takes the lease of `job` or fails: kBusy when a live owner holds it.
  static Result<std::unique_ptr<JobLease>> Acquire(StateStore& store, const std::string& job,
                                                   std::chrono::milliseconds ttl);
  ~JobLease();  // stops renewing and releases the lease
  JobLease(const JobLease&) = delete;
  JobLease& operator=(const JobLease&) = delete;

  Fence fence() const { return Fence{job_, token_}; }
  int64_t token() const { return token_; }
  // Whether a renewal found the lease taken over: the run must not commit (the fence would
  // refuse it anyway) and stops at its next commit or checkpoint.
  bool lost() const { return lost_.load(); }
  // OK while held; once lost(), the error a realtime run stops with before its next commit
  // (what followed its last checkpoint is not committed).
  Status Check() const;

 private:
  JobLease(StateStore& store, std::string job, int64_t token, std::chrono::milliseconds ttl);
  void RenewLoop();

  StateStore& store_;
  const std::string job_;
  const int64_t token_;
  const std::chrono::milliseconds ttl_;
  std::atomic<bool> lost_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread renewer_;
};

// This process as a lease owner: host name and pid.
LeaseOwner ThisProcess();

}  // namespace sluice
