#include "connectors/mysql/mysql_names.h"

#include <fmt/format.h>

#include "core/suggest.h"

namespace sluice::mysql {
std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates) {
  std::optional<std::string> near = ClosestName(name, candidates);
  return near ? fmt::format("did you mean '{}'? ", *near) : "";
}

std::string JoinNames(const std::vector<std::string>& names, size_t max) {
  if (names.empty()) return "none";
  std::string out;
  for (size_t i = 0; i < names.size() && i < max; ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  if (names.size() > max) out += ", ...";
  return out;
}

}  // namespace sluice::mysql
