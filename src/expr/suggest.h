// Suggest: "did you mean" hints for misspelt column and function names.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::expr {

// The candidate closest to `name` if it is close enough to be a likely typo: at most two edits,
// and fewer than half of the name's characters.
std::optional<std::string> Suggest(std::string_view name,
                                   const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "".
std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace sluice::expr
