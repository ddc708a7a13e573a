// The messages of a lost or held lease, the same whichever store holds it.
#pragma once

#include <optional>
#include <string>

#include "core/status.h"
#include "state/state_store.h"

namespace sluice {

// kConflict: `what` was refused because fence.job's lease is held by someone else (or by
// nobody) now, not with fence.token.
Status LostLeaseError(const Fence& fence, const std::optional<Lease>& holder,
                      const std::string& what);

// "host example pid 4242 since 2026-12-05T10:00:00Z (token 7)"
std::string DescribeLeaseHolder(const Lease& lease);

}  // namespace sluice
