#include "config/suggest.h"

#include <algorithm>

#include <fmt/format.h>

namespace sluice {

std::optional<std::string> ClosestMatch(std::string_view word,
                                        const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  size_t best_distance = 0;
  for (const std::string& c : candidates) {
    const size_t d = EditDistance(word, c);
    const size_t allowed = std::max<size_t>(1, c.size() / 3);
    if (d > allowed) continue;
    if (!best || d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates,
                       std::string_view quote_prefix, std::string_view quote_suffix) {
  std::optional<std::string> match = ClosestMatch(word, candidates);
  if (!match) return "";
  return fmt::format(" (did you mean '{}{}{}'?)", quote_prefix, *match, quote_suffix);
}

std::string JoinOr(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += (i + 1 == items.size()) ? " or " : ", ";
    out += items[i];
  }
  return out;
}

std::string JoinComma(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += items[i];
  }
  return out;
}

}  // namespace sluice
