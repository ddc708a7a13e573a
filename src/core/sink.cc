#include "core/sink.h"

namespace sluice {

// Sinks without checkpoints: batch-only targets. The engine asks SupportsCheckpoints() first;
// these answers are for a caller that did not.
Status Sink::Checkpoint(const std::vector<StreamPosition>&) {
  return Status::Internal("{}: this target cannot checkpoint a run that goes on", Describe());
}

Status Sink::CommitWithPositions(const std::vector<StreamPosition>& positions) {
  if (!positions.empty()) {
    return Status::Internal("{}: this target keeps no stream positions", Describe());
  }
  return Commit();
}

Status Sink::AddColumns(const WriteRequest& request, const std::vector<std::string>& columns) {
  (void)request;
  std::string names;
  for (const std::string& c : columns) names += (names.empty() ? "" : ", ") + c;
  return Status::Invalid(
      "{}: the source table gained column(s) {} and this target cannot add columns; recreate "
      "the target with the new columns and re-snapshot the job",
      Describe(), names);
}

Result<std::vector<StreamPosition>> Sink::CommittedPositions(const std::string&) {
  return std::vector<StreamPosition>();
}

}  // namespace sluice
