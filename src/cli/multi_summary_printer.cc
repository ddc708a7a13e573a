// The end of a multi-table run: totals, then one line per table (failures first).
#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/summary_printer.h"
#include "engine/progress_reporter.h"

namespace sluice {

std::string MultiSummaryText(const MultiRunSummary& s) {
  std::string out;
  int done = 0;
  int skipped = 0;
  for (const TableRunResult& t : s.tables) {
    done += t.outcome == TableRunResult::Outcome::kDone ? 1 : 0;
    skipped += t.outcome == TableRunResult::Outcome::kSkipped ? 1 : 0;
  }
  if (s.status.ok()) {
    out += fmt::format("job {} succeeded in {} (run {}): {} tables done", s.job,
                       FormatDuration(s.seconds), s.run_id, done);
  } else {
    out += fmt::format("job {} FAILED after {} (run {}): {} tables done, {} failed", s.job,
                       FormatDuration(s.seconds), s.run_id, done, s.tables_failed);
  }
  if (skipped > 0) out += fmt::format(", {} already done (skipped)", skipped);
  out += "\n";
  if (s.tables.empty()) return out;
  out += fmt::format("  rows       {} read, {} written, {} rejected, {} filtered out",
                     FormatCount(s.rows_read), FormatCount(s.rows_written),
                     FormatCount(s.rows_rejected), FormatCount(s.rows_filtered));
  if (s.rows_rolled_back > 0) {
    out += fmt::format(", {} rolled back", FormatCount(s.rows_rolled_back));
  }
  out += "\n";
  const double secs = std::max(s.seconds, 1e-9);
  out += fmt::format("  speed      {} rows/s, {}/s\n",
                     FormatCount(static_cast<int64_t>(static_cast<double>(s.rows_written) / secs)),
                     FormatBytes(static_cast<int64_t>(static_cast<double>(s.bytes_read) / secs)));
  size_t width = 5;
  for (const TableRunResult& t : s.tables) width = std::max(width, t.table.size());
  out += fmt::format("  {:<{}}  {:<11}  {:>12}  {:>9}  {:>8}  {}\n", "table", width, "status",
                     "rows", "rejected", "seconds", "note");
  std::vector<const TableRunResult*> order;
  for (const TableRunResult& t : s.tables) order.push_back(&t);
  std::stable_partition(order.begin(), order.end(), [](const TableRunResult* t) {
    return t->outcome == TableRunResult::Outcome::kFailed;
  });
  for (const TableRunResult* t : order) {
    std::string note;
    if (!t->summary.status.ok()) {
      note = t->summary.status.message();
    } else if (t->shards > 1) {
      note = fmt::format("{} shards", t->shards);
    }
    if (!t->summary.note.empty())
      note += (note.empty() ? "" : "; ") + std::string("first run: target replaced");
    if (t->summary.watermark_after && t->outcome == TableRunResult::Outcome::kDone) {
      note += (note.empty() ? "" : "; ") +
              fmt::format("{} -> {}", t->summary.watermark_column, *t->summary.watermark_after);
    }
    out += fmt::format("  {:<{}}  {:<11}  {:>12}  {:>9}  {:>8.2f}  {}\n", t->table, width,
                       OutcomeName(t->outcome), FormatCount(t->summary.rows_written),
                       FormatCount(t->summary.rows_rejected), t->summary.seconds, note);
  }
  return out;
}

std::string MultiSummaryJson(const MultiRunSummary& s) {
  nlohmann::ordered_json j;
  j["job"] = s.job;
  j["run_id"] = s.run_id;
  j["ok"] = s.status.ok();
  if (!s.status.ok()) j["error"] = s.status.message();
  j["seconds"] = s.seconds;
  j["rows_read"] = s.rows_read;
  j["rows_written"] = s.rows_written;
  j["rows_rejected"] = s.rows_rejected;
  j["rows_filtered"] = s.rows_filtered;
  j["rows_rolled_back"] = s.rows_rolled_back;
  j["tables_failed"] = s.tables_failed;
  j["tables"] = nlohmann::ordered_json::array();
  for (const TableRunResult& t : s.tables) {
    nlohmann::ordered_json row;
    row["table"] = t.table;
    row["status"] = OutcomeName(t.outcome);
    row["shards"] = t.shards;
    row["readers"] = t.readers;
    row["rows_written"] = t.summary.rows_written;
    row["rows_rejected"] = t.summary.rows_rejected;
    row["seconds"] = t.summary.seconds;
    if (!t.summary.status.ok()) row["error"] = t.summary.status.message();
    if (t.summary.watermark_after) row["watermark"] = *t.summary.watermark_after;
    j["tables"].push_back(std::move(row));
  }
  return j.dump(2) + "\n";
}

}  // namespace sluice
