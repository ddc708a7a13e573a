// Stream positions kept in the state store, for targets that cannot keep them with their rows
// (Sink::PositionsInStateStore: files). After each checkpoint the engine writes the positions
// and the sink's state as of that checkpoint in one store transaction; the stream "~sink"
// holds "<run_id>\n<sink state>" (stream names starting with '~' are the engine's own).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/sink.h"
#include "core/status.h"
#include "state/state_store.h"

namespace sluice {

Status SaveCheckpointToStore(StateStore& state, const std::string& job, const std::string& run_id,
                             const std::string& sink_state,
                             const std::vector<StreamPosition>& positions, const Fence& fence);

// The job's stream positions the store holds (the engine's own rows left out).
Result<std::vector<StreamPosition>> StorePositions(StateStore& state, const std::string& job);

// The sink state of run `run_id`'s last checkpoint, if the store holds one.
Result<std::optional<std::string>> StoredCheckpointState(StateStore& state, const std::string& job,
                                                         const std::string& run_id);

}  // namespace sluice
