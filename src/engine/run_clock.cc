#include "engine/run_clock.h"

#include <chrono>
#include <random>

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace sluice {

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string NewRunId() {
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  std::random_device rd;
  return fmt::format("{:%Y%m%dT%H%M%S}Z-{:06x}", now, rd() & 0xffffff);
}

}  // namespace sluice
