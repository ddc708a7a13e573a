// Exit codes, documented in `sluice --help` and docs/cli.md.
#pragma once

#include "core/status.h"

namespace sluice {

constexpr int kExitOk = 0;
constexpr int kExitJobFailed = 1;   // the job ran and failed; nothing of this run was committed
constexpr int kExitUsageError = 2;  // bad command line or job file, or the job is already
                                    // running elsewhere: nothing was started; or a realtime
                                    // job stopped at what a person must resolve (its
                                    // checkpoints before it stay committed; README)

// Configuration mistakes are the user's to fix before anything runs, and a job another process
// is running must not be started again; everything else is a failed run.
inline int ExitCodeFor(const Status& status) {
  if (status.ok()) return kExitOk;
  const StatusCode code = status.code();
  return code == StatusCode::kInvalidArgument || code == StatusCode::kBusy ? kExitUsageError
                                                                           : kExitJobFailed;
}

}  // namespace sluice
