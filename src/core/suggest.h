// "Did you mean ...?": the one edit distance every module's suggestions rest on (job keys and
// connector names in config/, columns and functions in expr/, tables in the connectors).
// Each module keeps its own rule for how close is close enough; the distance is shared.
//
// Pure functions, no state, any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// neighbouring characters count one step each ("tabel" is one step from "table"), ignoring
// ASCII case.
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate nearest to a table or column `name`, when it is within max(2, |name| / 3)
// steps (a likely typo); ties go to the earlier candidate.
std::optional<std::string> ClosestName(std::string_view name,
                                       const std::vector<std::string>& candidates);

}  // namespace sluice
