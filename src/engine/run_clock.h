// The run's id and wall clock, shared by the batch, multi-table and stream runners.
#pragma once

#include <cstdint>
#include <string>

namespace sluice {

// Microseconds since the Unix epoch, now.
int64_t NowMicros();

// A new run id: the UTC time to the second and 24 random bits ("20261205T190107Z-04d8e1").
std::string NewRunId();

}  // namespace sluice
