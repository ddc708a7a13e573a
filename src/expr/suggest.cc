#include "expr/suggest.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/suggest.h"

namespace sluice::expr {

std::optional<std::string> Suggest(std::string_view name,
                                   const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  size_t best_distance = 0;
  for (const std::string& c : candidates) {
    size_t d = EditDistance(name, c);
    if (d == 0 || d > 2 || d * 2 >= std::max<size_t>(name.size(), 2)) continue;
    if (!best || d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates) {
  std::optional<std::string> s = Suggest(name, candidates);
  return s ? fmt::format(" (did you mean '{}'?)", *s) : std::string();
}

}  // namespace sluice::expr
