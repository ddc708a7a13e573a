#include "tables/table_pattern.h"

#include <string_view>

#include <fmt/format.h>
#include <re2/re2.h>

namespace sluice {
namespace {

bool LooksLikeRegex(std::string_view text) {
  return text.find_first_of("+()|\\^${") != std::string_view::npos;
}

// Glob -> regular expression: `*` and `?` stay within one name part, [..] is a class.
Result<std::string> GlobToRegex(std::string_view glob) {
  std::string re;
  for (size_t i = 0; i < glob.size(); ++i) {
    const char c = glob[i];
    if (c == '*') {
      re += "[^.]*";
    } else if (c == '?') {
      re += "[^.]";
    } else if (c == '[') {
      const size_t close = glob.find(']', i + 1);
      if (close == std::string_view::npos) {
        return Err(Status::Invalid("'[' without a closing ']'"));
      }
      std::string_view body = glob.substr(i + 1, close - i - 1);
      re += '[';
      if (!body.empty() && body[0] == '!') {
        re += '^';
        body.remove_prefix(1);
      }
      re.append(body);
      re += ']';
      i = close;
    } else {
      re += RE2::QuoteMeta(std::string_view(&c, 1));
    }
  }
  return re;
}

}  // namespace

TablePattern::TablePattern(TablePattern&&) noexcept = default;
TablePattern& TablePattern::operator=(TablePattern&&) noexcept = default;
TablePattern::~TablePattern() = default;

Result<TablePattern> TablePattern::Compile(const std::string& text) {
  TablePattern p;
  p.text_ = text;
  std::string_view body = text;
  if (!body.empty() && body[0] == '!') {
    p.exclude_ = true;
    body.remove_prefix(1);
  }
  if (body.empty()) return Err(Status::Invalid("table pattern '{}' is empty", text));
  std::string regex;
  if (LooksLikeRegex(body)) {
    regex = std::string(body);
  } else {
    p.table_only_ = body.find('.') == std::string_view::npos;
    Result<std::string> converted = GlobToRegex(body);
    if (!converted) {
      return Err(Status::Invalid("table pattern '{}': {}", text, converted.error().message()));
    }
    regex = std::move(*converted);
  }
  RE2::Options options;
  options.set_log_errors(false);
  p.re_ = std::make_unique<RE2>(regex, options);
  if (!p.re_->ok()) {
    return Err(Status::Invalid("table pattern '{}' is not a valid regular expression: {}", text,
                               p.re_->error()));
  }
  return p;
}

bool TablePattern::Matches(const CatalogTable& table) const {
  if (table_only_) return table.in_default_db && RE2::FullMatch(table.name, *re_);
  return RE2::FullMatch(table.db + "." + table.name, *re_);
}

Result<TableSelector> TableSelector::Compile(const std::vector<std::string>& patterns) {
  TableSelector selector;
  bool includes = false;
  for (const std::string& text : patterns) {
    SLUICE_ASSIGN_OR_RETURN(TablePattern p, TablePattern::Compile(text));
    includes = includes || !p.exclude();
    selector.patterns_.push_back(std::move(p));
  }
  if (!includes) {
    return Err(Status::Invalid("no pattern selects tables (they all start with '!')"));
  }
  return selector;
}

bool TableSelector::Selects(const CatalogTable& table) const {
  bool included = false;
  for (const TablePattern& p : patterns_) {
    if (!p.Matches(table)) continue;
    if (p.exclude()) return false;
    included = true;
  }
  return included;
}

std::vector<std::string> TableSelector::Unmatched(const std::vector<CatalogTable>& tables) const {
  std::vector<std::string> unmatched;
  for (const TablePattern& p : patterns_) {
    if (p.exclude()) continue;
    bool any = false;
    for (const CatalogTable& t : tables) any = any || p.Matches(t);
    if (!any) unmatched.push_back(p.text());
  }
  return unmatched;
}

}  // namespace sluice
