#include "engine/stream_summary.h"

#include <algorithm>

#include "core/schema_change.h"
#include "core/stream_source.h"

namespace sluice {

void FillStreamSummary(const RunMetrics& m, int64_t committed_rows, int64_t checkpoints,
                       const StreamStatusSnapshot& status, RunSummary& summary) {
  summary.rows_read = m.rows_read.load();
  summary.rows_rejected = m.rows_rejected.load();
  summary.rows_filtered = m.rows_filtered.load();
  summary.rows_written = committed_rows;
  summary.rows_rolled_back =
      summary.rows_read - summary.rows_written - summary.rows_rejected - summary.rows_filtered;
  summary.bytes_read = m.bytes_read.load();
  summary.bytes_written = m.bytes_written.load();
  summary.throttle_seconds = static_cast<double>(m.throttle_wait_ns.load()) / 1e9;
  summary.reader_threads = 1;
  summary.writer_threads = 1;
  summary.checkpoints = checkpoints;
  summary.realtime = true;
  summary.changes_inserted = status.inserts;
  summary.changes_updated = status.updates;
  summary.changes_deleted = status.deletes;
  summary.changes_truncated = status.truncates;
  summary.lag_ms = status.lag_ms;
  summary.status_detail = status.detail;
}

std::string DescribePositions(const std::vector<StreamPosition>& positions) {
  std::string out;
  for (const StreamPosition& p : positions) {
    // Bookkeeping of the stream's columns, not a place in the source's log.
    if (p.stream == StreamSchemaTracker::kKnownColumnsStream) continue;
    if (p.stream == kSourceTableStream) continue;
    if (p.stream == kSnapshotProgressStream && p.position.empty()) continue;  // done
    if (!out.empty()) out += ", ";
    if (p.stream == StreamSchemaTracker::kModifiedColumnsStream) {
      // Its column names, one per line, then the statement: the names on one line.
      std::string names = p.position.substr(0, p.position.find("\n\n"));
      std::replace(names.begin(), names.end(), '\n', ' ');
      out += p.stream + " " + names;
      continue;
    }
    out += p.stream + " " + p.position;
  }
  return out;
}

std::string ChangeEventPosition(const std::vector<StreamPosition>& positions) {
  std::vector<StreamPosition> places;
  for (const StreamPosition& p : positions) {
    if (!StreamSchemaTracker::IsColumnsStream(p.stream) && p.stream != kSnapshotProgressStream &&
        p.stream != kSourceTableStream) {
      places.push_back(p);
    }
  }
  return places.size() == 1 ? places[0].position : DescribePositions(places);
}

}  // namespace sluice
