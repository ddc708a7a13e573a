#include "tables/target_name.h"

#include <cctype>

namespace sluice {

Result<NameCase> ParseNameCase(std::string_view text) {
  if (text.empty() || text == "keep") return NameCase::kKeep;
  if (text == "lower") return NameCase::kLower;
  if (text == "upper") return NameCase::kUpper;
  return Err(Status::Invalid("expected keep, lower or upper, got '{}'", text));
}

Result<std::string> ExpandTableTemplate(std::string_view pattern, const std::string& db,
                                        const std::string& table,
                                        const std::vector<std::string>& captures, NameCase rule) {
  std::string out;
  for (size_t i = 0; i < pattern.size();) {
    if (pattern.compare(i, 2, "${") != 0) {
      out += pattern[i++];
      continue;
    }
    const size_t close = pattern.find('}', i + 2);
    if (close == std::string_view::npos) {
      return Err(Status::Invalid("'{}': '${{' without a closing '}}'", pattern));
    }
    const std::string_view name = pattern.substr(i + 2, close - i - 2);
    if (name == "db") {
      out += db;
    } else if (name == "table") {
      out += table;
    } else if (name.size() == 1 && name[0] >= '0' && name[0] <= '9') {
      const size_t n = static_cast<size_t>(name[0] - '0');
      if (n == 0) {
        out += db + "." + table;
      } else if (n <= captures.size()) {
        out += captures[n - 1];
      } else {
        return Err(Status::Invalid("'{}': ${{{}}} but the route has {} capture group(s)", pattern,
                                   name, captures.size()));
      }
    } else {
      return Err(
          Status::Invalid("'{}': unknown placeholder ${{{}}} (use ${{db}}, ${{table}} or "
                          "${{1}}.. for a route's groups)",
                          pattern, name));
    }
    i = close + 1;
  }
  if (rule != NameCase::kKeep) {
    for (char& c : out) {
      c = static_cast<char>(rule == NameCase::kLower ? std::tolower(static_cast<unsigned char>(c))
                                                     : std::toupper(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

}  // namespace sluice
