#include "engine/store_positions.h"

namespace sluice {
namespace {

constexpr char kSinkStream[] = "~sink";

}  // namespace

Status SaveCheckpointToStore(StateStore& state, const std::string& job, const std::string& run_id,
                             const std::string& sink_state,
                             const std::vector<StreamPosition>& positions, const Fence& fence) {
  std::vector<PositionUpdate> updates;
  updates.reserve(positions.size() + 1);
  for (const StreamPosition& p : positions) updates.push_back({job, p.stream, p.position});
  updates.push_back({job, kSinkStream, run_id + "\n" + sink_state});
  return state.PutPositions(updates, fence);
}

Result<std::vector<StreamPosition>> StorePositions(StateStore& state, const std::string& job) {
  SLUICE_ASSIGN_OR_RETURN(std::vector<PositionUpdate> stored, state.ListPositions(job, ""));
  std::vector<StreamPosition> out;
  for (PositionUpdate& p : stored) {
    if (p.stream.empty() || p.stream[0] == '~') continue;
    out.push_back({std::move(p.stream), std::move(p.position)});
  }
  return out;
}

Result<std::optional<std::string>> StoredCheckpointState(StateStore& state, const std::string& job,
                                                         const std::string& run_id) {
  SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> stored, state.GetPosition(job, kSinkStream));
  if (!stored) return std::optional<std::string>();
  const size_t newline = stored->find('\n');
  if (newline == std::string::npos || stored->compare(0, newline, run_id) != 0) {
    return std::optional<std::string>();  // an earlier run's checkpoint
  }
  return std::optional<std::string>(stored->substr(newline + 1));
}

}  // namespace sluice
