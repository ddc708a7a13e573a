#include "engine/stream_status.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/progress_reporter.h"

namespace sluice {

std::string SnapshotProgressText(const SnapshotProgress& p) {
  std::string text = fmt::format("snapshot of {}: {} rows", p.table, FormatCount(p.rows_read));
  if (p.estimated_rows > 0) {
    // The estimate is the catalog's: a table that grew reads past 100%, shown as "~100%".
    const int64_t percent = std::min<int64_t>(100, p.rows_read * 100 / p.estimated_rows);
    text += fmt::format(" of about {} ({}%)", FormatCount(p.estimated_rows), percent);
  }
  if (p.chunks > 1) text += fmt::format(", key range {} of {}", p.chunk, p.chunks);
  return text;
}

std::string StreamStatusLine(const StreamStatusSnapshot& s, double changes_per_second) {
  std::string line = fmt::format("{} changes, {} changes/s, lag ", FormatCount(s.changes()),
                                 FormatCount(static_cast<int64_t>(changes_per_second + 0.5)));
  line += s.lag_ms < 0 ? std::string("unknown")
                       : FormatDuration(static_cast<double>(s.lag_ms) / 1000.0);
  line += ", at ";
  line += s.position.empty() ? std::string("(no checkpoint yet)") : s.position;
  if (s.snapshot) line += ", " + SnapshotProgressText(*s.snapshot);
  if (!s.detail.empty()) line += ", " + s.detail;
  return line;
}

}  // namespace sluice
