#include "tables/target_name.h"

#include <cctype>

namespace sluice {
namespace {

std::string ApplyCase(std::string text, NameCase rule) {
  if (rule == NameCase::kKeep) return text;
  for (char& c : text) {
    c = static_cast<char>(rule == NameCase::kLower ? std::tolower(static_cast<unsigned char>(c))
                                                   : std::toupper(static_cast<unsigned char>(c)));
  }
  return text;
}

}  // namespace

Result<NameCase> ParseNameCase(std::string_view text) {
  if (text.empty() || text == "keep") return NameCase::kKeep;
  if (text == "lower") return NameCase::kLower;
  if (text == "upper") return NameCase::kUpper;
  return Err(Status::Invalid("expected keep, lower or upper, got '{}'", text));
}

Result<std::string> ExpandTableTemplate(std::string_view pattern, const std::string& db,
                                        const std::string& table,
                                        const std::vector<std::string>& captures, NameCase rule,
                                        const TemplateValue& value) {
  auto fill = [&](const std::string& name) -> Result<std::string> {
    std::string cased = ApplyCase(name, rule);
    if (!value) return cased;
    return value(cased);
  };
  std::string out;
  std::string literal;
  auto flush = [&] {
    out += ApplyCase(std::move(literal), rule);
    literal.clear();
  };
  for (size_t i = 0; i < pattern.size();) {
    if (pattern.compare(i, 2, "${") != 0) {
      literal += pattern[i++];
      continue;
    }
    flush();
    const size_t close = pattern.find('}', i + 2);
    if (close == std::string_view::npos) {
      return Err(Status::Invalid("'{}': '${{' without a closing '}}'", pattern));
    }
    const std::string_view name = pattern.substr(i + 2, close - i - 2);
    Result<std::string> filled;
    if (name == "db") {
      filled = fill(db);
    } else if (name == "table") {
      filled = fill(table);
    } else if (name.size() == 1 && name[0] >= '0' && name[0] <= '9') {
      const size_t n = static_cast<size_t>(name[0] - '0');
      if (n == 0) {
        // The whole source name: its db and table stay two names.
        Result<std::string> db_part = fill(db);
        if (!db_part) return db_part;
        filled = fill(table);
        if (filled) filled = *db_part + "." + *filled;
      } else if (n <= captures.size()) {
        filled = fill(captures[n - 1]);
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
    if (!filled) return filled;
    out += *filled;
    i = close + 1;
  }
  flush();
  return out;
}

}  // namespace sluice
