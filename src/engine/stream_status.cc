#include "engine/stream_status.h"

#include <fmt/format.h>

#include "engine/progress_reporter.h"

namespace sluice {

std::string StreamStatusLine(const StreamStatusSnapshot& s, double changes_per_second) {
  std::string line = fmt::format("{} changes, {} changes/s, lag ", FormatCount(s.changes()),
                                 FormatCount(static_cast<int64_t>(changes_per_second + 0.5)));
  line += s.lag_ms < 0 ? std::string("unknown")
                       : FormatDuration(static_cast<double>(s.lag_ms) / 1000.0);
  line += ", at ";
  line += s.position.empty() ? std::string("(no checkpoint yet)") : s.position;
  if (!s.detail.empty()) line += ", " + s.detail;
  return line;
}

}  // namespace sluice
