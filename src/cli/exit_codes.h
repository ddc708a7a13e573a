// Exit codes, documented in `sluice --help` and docs/cli.md.
#pragma once

#include "core/status.h"

namespace sluice {

constexpr int kExitOk = 0;
constexpr int kExitJobFailed = 1;   // the job ran and failed; nothing of this run was committed
constexpr int kExitUsageError = 2;  // bad command line or job file; nothing was started

// Configuration mistakes are the user's to fix before anything runs; everything else is a
// failed run.
inline int ExitCodeFor(const Status& status) {
  if (status.ok()) return kExitOk;
  return status.code() == StatusCode::kInvalidArgument ? kExitUsageError : kExitJobFailed;
}

}  // namespace sluice
