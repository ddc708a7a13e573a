// Names in messages: "did you mean ...?" suggestions and short lists of what exists.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/suggest.h"

namespace sluice::mysql {

using ::sluice::ClosestName;  // core/suggest.h
// "did you mean 'x'? " or "".
std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates);
// "a, b, c" (at most `max` names, then "..."); "none" when empty.
std::string JoinNames(const std::vector<std::string>& names, size_t max = 30);

}  // namespace sluice::mysql
