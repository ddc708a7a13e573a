// "Did you mean ...?" for misspelt keys, connector names, parameters and transform kinds.
//
// Pure functions, no state; used while validating job files on the main thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/suggest.h"  // EditDistance

namespace sluice {

// The candidate closest to `word`, if one is close enough to be a likely typo: at most a third
// of the candidate's length away (and at least one step allowed). Ties go to the earlier one.
std::optional<std::string> ClosestMatch(std::string_view word,
                                        const std::vector<std::string>& candidates);

// " (did you mean 'table'?)" or "" when nothing is close; `quote_prefix`/`quote_suffix` wrap
// the suggestion (e.g. "${" and "}" for parameters).
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates,
                       std::string_view quote_prefix = "", std::string_view quote_suffix = "");

// "a, b or c" for messages.
std::string JoinOr(const std::vector<std::string>& items);
// "a, b, c" for messages.
std::string JoinComma(const std::vector<std::string>& items);

}  // namespace sluice
