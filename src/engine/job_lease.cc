#include "engine/job_lease.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>
#include <set>

#include <spdlog/spdlog.h>

#include "state/lease_errors.h"

namespace sluice {
namespace {

// The jobs whose lease this process holds. A lease naming this host and this very pid that
// is not among them was taken by an earlier process that had the same pid: in a container
// every run is pid 1, and a restarted container keeps its host name.
std::mutex held_mu;
std::set<std::string>& HeldHere() {
  static std::set<std::string> held;
  return held;
}
bool HeldByThisProcess(const std::string& job) {
  std::lock_guard lock(held_mu);
  return HeldHere().count(job) > 0;
}

// Whether `holder` is a process of this host that no longer runs. Another host's process is
// never judged from here: its lease expires instead. (A pid reused by an unrelated process
// looks alive: then the lease expires too, only later.)
bool DeadOnThisHost(const std::string& job, const Lease& holder, const LeaseOwner& me) {
  if (holder.owner.host != me.host || holder.owner.pid <= 0) return false;
  if (holder.owner.pid == me.pid) return !HeldByThisProcess(job);
  return ::kill(static_cast<pid_t>(holder.owner.pid), 0) == -1 && errno == ESRCH;
}

}  // namespace

LeaseOwner ThisProcess() {
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return LeaseOwner{host[0] ? host : "unknown-host", static_cast<int64_t>(::getpid())};
}

Result<std::unique_ptr<JobLease>> JobLease::Acquire(StateStore& store, const std::string& job,
                                                    std::chrono::milliseconds ttl) {
  const LeaseOwner me = ThisProcess();
  SLUICE_ASSIGN_OR_RETURN(LeaseAttempt attempt, store.AcquireLease(job, me, ttl, std::nullopt));
  if (!attempt.acquired && DeadOnThisHost(job, attempt.lease, me)) {
    spdlog::warn("{}: the run that held this job (pid {}) is gone; taking its lease over", job,
                 attempt.lease.owner.pid);
    SLUICE_ASSIGN_OR_RETURN(attempt, store.AcquireLease(job, me, ttl, attempt.lease.token));
  }
  if (!attempt.acquired) {
    return Err(Status(StatusCode::kBusy,
                      fmt::format("job '{}' is already running: its lease is held by {}, until "
                                  "{} unless renewed (state store {}); wait for that run to "
                                  "end, or stop it",
                                  job, DescribeLeaseHolder(attempt.lease), attempt.lease.expires_at,
                                  store.Describe())));
  }
  {
    std::lock_guard lock(held_mu);
    HeldHere().insert(job);
  }
  return std::unique_ptr<JobLease>(new JobLease(store, job, attempt.lease.token, ttl));
}

JobLease::JobLease(StateStore& store, std::string job, int64_t token, std::chrono::milliseconds ttl)
    : store_(store), job_(std::move(job)), token_(token), ttl_(ttl) {
  renewer_ = std::thread([this] { RenewLoop(); });
}

JobLease::~JobLease() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  renewer_.join();
  {
    std::lock_guard lock(held_mu);
    HeldHere().erase(job_);
  }
  Status released = store_.ReleaseLease(job_, token_);
  if (!released.ok()) spdlog::warn("{}: releasing its lease: {}", job_, released.message());
}

void JobLease::RenewLoop() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, ttl_ / 3, [this] { return stopping_; })) {
    lock.unlock();
    Status renewed = store_.RenewLease(job_, token_, ttl_);
    lock.lock();
    if (renewed.ok()) continue;
    if (renewed.code() == StatusCode::kConflict) {
      spdlog::error("{}: {}", job_, renewed.message());
      lost_ = true;
      return;
    }
    // The store could not be reached: keep trying; the fence protects the commits if another
    // process takes the lease meanwhile.
    spdlog::warn("{}: renewing its lease: {}", job_, renewed.message());
  }
}

Status JobLease::Check() const {
  if (!lost()) return Status::OK();
  return Status::Conflict(
      "{}: this run lost the job's lease (another process took the job over); it stops "
      "without committing what followed its last checkpoint",
      job_);
}

}  // namespace sluice
