// Runs one end-to-end case against the real sluice binary and reports every mismatch as a
// GoogleTest failure naming the step.
//
// The case gets a fresh directory: inputs are written there, `sluice` runs with it as the
// current directory and SLUICE_STATE=<dir>/.sluice-state/state.db, so cases share nothing.
#pragma once

#include <string>

#include "case_file.h"
#include "support/workspace.h"

namespace sluice::e2e {

// The file name of the state store inside a case directory (relative).
inline constexpr const char* kStateFile = ".sluice-state/state.db";

// Runs every step of `c` in `dir`; failures are recorded with ADD_FAILURE. `binary` is the
// sluice executable.
void RunCase(const Case& c, const Workspace& dir, const std::string& binary);

}  // namespace sluice::e2e
