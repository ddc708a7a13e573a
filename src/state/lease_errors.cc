#include "state/lease_errors.h"

#include <fmt/format.h>

namespace sluice {

std::string DescribeLeaseHolder(const Lease& lease) {
  return fmt::format("host {} pid {} since {} (token {})", lease.owner.host, lease.owner.pid,
                     lease.since, lease.token);
}

Status LostLeaseError(const Fence& fence, const std::optional<Lease>& holder,
                      const std::string& what) {
  const std::string now = holder && holder->owner.pid != 0
                              ? "it is now held by " + DescribeLeaseHolder(*holder)
                              : std::string("nobody holds it now");
  return Status::Conflict(
      "cannot {}: this process no longer holds the lease of job '{}' (its token {} was "
      "taken over; {}); stopping without committing",
      what, fence.job, fence.token, now);
}

}  // namespace sluice
