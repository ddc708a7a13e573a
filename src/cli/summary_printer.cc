#include "cli/summary_printer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "engine/progress_reporter.h"

namespace sluice {
namespace {

// Which side held the run back, from how long each side waited for the other.
std::string Bottleneck(const RunSummary& s) {
  if (s.seconds < 0.05) return "";
  if (s.throttle_seconds > 0.2 * s.seconds) return "the rate limit";
  if (s.reader_wait_seconds > s.writer_wait_seconds * 2) return "the target (writers)";
  if (s.writer_wait_seconds > s.reader_wait_seconds * 2) return "the source (readers)";
  return "balanced";
}

}  // namespace

std::string SummaryText(const RunSummary& s) {
  std::string out;
  const double secs = std::max(s.seconds, 1e-9);
  if (s.status.ok()) {
    out += fmt::format("job {} succeeded in {} (run {})\n", s.job, FormatDuration(s.seconds),
                       s.run_id);
  } else {
    out += fmt::format("job {} FAILED after {}: {}\n", s.job, FormatDuration(s.seconds),
                       s.status.message());
  }
  if (!s.recovery_note.empty()) out += fmt::format("  recovery   {}\n", s.recovery_note);
  if (!s.note.empty()) out += fmt::format("  note       {}\n", s.note);
  if (!s.source.empty())
    out += fmt::format("  from       {}\n  to         {}\n", s.source, s.target);
  if (!s.tables.empty()) {
    out += fmt::format("  tables     {}: {}\n", s.tables.size(), fmt::join(s.tables, ", "));
  }
  out += fmt::format("  rows       {} read, {} written, {} rejected, {} filtered out",
                     FormatCount(s.rows_read), FormatCount(s.rows_written),
                     FormatCount(s.rows_rejected), FormatCount(s.rows_filtered));
  if (!s.status.ok()) out += fmt::format(", {} rolled back", FormatCount(s.rows_rolled_back));
  out += "\n";
  out += fmt::format("  bytes      {} read, {} written\n", FormatBytes(s.bytes_read),
                     FormatBytes(s.bytes_written));
  out += fmt::format("  speed      {} rows/s, {}/s\n",
                     FormatCount(static_cast<int64_t>(static_cast<double>(s.rows_written) / secs)),
                     FormatBytes(static_cast<int64_t>(static_cast<double>(s.bytes_read) / secs)));
  out += fmt::format(
      "  threads    {} reader(s) over {} split(s), {} writer(s); readers waited {} on writers, "
      "writers waited {} on readers",
      s.reader_threads, s.splits, s.writer_threads, FormatDuration(s.reader_wait_seconds),
      FormatDuration(s.writer_wait_seconds));
  if (s.throttle_seconds > 0)
    out += fmt::format(", {} throttled", FormatDuration(s.throttle_seconds));
  std::string bottleneck = Bottleneck(s);
  if (!bottleneck.empty()) out += fmt::format("; bottleneck: {}", bottleneck);
  out += "\n";
  if (!s.watermark_column.empty()) {
    out += fmt::format("  watermark  {}: {} -> {}\n", s.watermark_column,
                       s.watermark_before.value_or("(none)"),
                       s.status.ok() ? s.watermark_after.value_or("(none)") : "(unchanged)");
  }
  if (s.checkpoints > 0 || !s.position_before.empty() || !s.position_after.empty()) {
    out += fmt::format("  position   {} -> {} ({} checkpoint(s))\n",
                       s.position_before.empty() ? "(start)" : s.position_before,
                       s.position_after.empty() ? "(as of the last checkpoint)" : s.position_after,
                       s.checkpoints);
  }
  if (s.realtime) {
    out += fmt::format("  changes    {} inserts, {} updates, {} deletes{}; lag {}",
                       FormatCount(s.changes_inserted), FormatCount(s.changes_updated),
                       FormatCount(s.changes_deleted),
                       s.changes_truncated > 0
                           ? fmt::format(", {} truncates", FormatCount(s.changes_truncated))
                           : std::string(),
                       s.lag_ms < 0 ? std::string("unknown")
                                    : FormatDuration(static_cast<double>(s.lag_ms) / 1000.0));
    if (!s.status_detail.empty()) out += "; " + s.status_detail;
    out += "\n";
  }
  if (s.restarts > 0) {
    out += fmt::format("  restarts   {} (to snapshot and stream tables created at the source)\n",
                       s.restarts);
  }
  if (s.reconnects > 0) {
    out += fmt::format("  reconnects {} (the last after: {})\n", s.reconnects, s.reconnect_reason);
  }
  if (!s.dirty_records.empty()) out += fmt::format("  rejected rows kept in {}\n", s.dirty_records);
  return out;
}

std::string SummaryJson(const RunSummary& s) {
  nlohmann::ordered_json j;
  j["job"] = s.job;
  j["run_id"] = s.run_id;
  j["ok"] = s.status.ok();
  if (!s.status.ok()) j["error"] = s.status.message();
  j["rows_read"] = s.rows_read;
  j["rows_written"] = s.rows_written;
  j["rows_rejected"] = s.rows_rejected;
  j["rows_filtered"] = s.rows_filtered;
  j["rows_rolled_back"] = s.rows_rolled_back;
  j["bytes_read"] = s.bytes_read;
  j["bytes_written"] = s.bytes_written;
  j["seconds"] = s.seconds;
  j["reader_wait_seconds"] = s.reader_wait_seconds;
  j["writer_wait_seconds"] = s.writer_wait_seconds;
  j["throttle_seconds"] = s.throttle_seconds;
  if (!s.watermark_column.empty()) {
    j["watermark_column"] = s.watermark_column;
    j["watermark_before"] =
        s.watermark_before ? nlohmann::ordered_json(*s.watermark_before) : nullptr;
    j["watermark_after"] = s.watermark_after ? nlohmann::ordered_json(*s.watermark_after) : nullptr;
  }
  if (s.realtime || s.checkpoints > 0 || !s.position_before.empty() || !s.position_after.empty()) {
    j["checkpoints"] = s.checkpoints;
    j["position_before"] = s.position_before;
    j["position_after"] = s.position_after;
  }
  if (!s.tables.empty()) j["tables"] = s.tables;
  if (s.realtime) {
    j["changes"] = {{"inserts", s.changes_inserted},
                    {"updates", s.changes_updated},
                    {"deletes", s.changes_deleted},
                    {"truncates", s.changes_truncated}};
    j["lag_ms"] = s.lag_ms >= 0 ? nlohmann::ordered_json(s.lag_ms) : nullptr;
    if (!s.status_detail.empty()) j["status_detail"] = s.status_detail;
    j["reconnects"] = s.reconnects;
    j["restarts"] = s.restarts;
    if (s.reconnects > 0) j["reconnect_reason"] = s.reconnect_reason;
  }
  if (!s.recovery_note.empty()) j["recovery"] = s.recovery_note;
  if (!s.note.empty()) j["note"] = s.note;
  if (!s.dirty_records.empty()) j["dirty_records"] = s.dirty_records;
  return j.dump(2) + "\n";
}

}  // namespace sluice
