#include "tables/table_pattern.h"

#include <string_view>

#include <fmt/format.h>
#include <re2/re2.h>

namespace sluice {
namespace {

bool LooksLikeRegex(std::string_view text) {
  return text.find_first_of("+()|\\^${") != std::string_view::npos;
}

// One name part of a glob (a db or a table) -> regular expression: `*` is any text, `?` one
// character, [..] a class. The part is matched against one name, so a dot in it is literal.
Result<std::string> GlobToRegex(std::string_view glob) {
  std::string re;
  for (size_t i = 0; i < glob.size(); ++i) {
    const char c = glob[i];
    if (c == '*') {
      re += "(?s:.*)";
    } else if (c == '?') {
      re += "(?s:.)";
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

// The dots of a glob that may separate its db part from its table part (not those in a class).
std::vector<size_t> SplitPoints(std::string_view glob) {
  std::vector<size_t> dots;
  for (size_t i = 0; i < glob.size(); ++i) {
    if (glob[i] == '[') {
      const size_t close = glob.find(']', i + 1);
      if (close == std::string_view::npos) break;
      i = close;
    } else if (glob[i] == '.') {
      dots.push_back(i);
    }
  }
  return dots;
}

Result<std::unique_ptr<RE2>> CompileRegex(const std::string& text, const std::string& regex) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>(regex, options);
  if (!re->ok()) {
    return Err(Status::Invalid("table pattern '{}' is not a valid regular expression: {}", text,
                               re->error()));
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
  if (LooksLikeRegex(body)) {
    SLUICE_ASSIGN_OR_RETURN(p.re_, CompileRegex(text, std::string(body)));
    return p;
  }
  p.literal_ = body.find_first_of("*?[") == std::string_view::npos;
  auto part = [&](std::string_view glob) -> Result<std::unique_ptr<RE2>> {
    Result<std::string> converted = GlobToRegex(glob);
    if (!converted) {
      return Err(Status::Invalid("table pattern '{}': {}", text, converted.error().message()));
    }
    return CompileRegex(text, *converted);
  };
  const std::vector<size_t> dots = SplitPoints(body);
  if (dots.empty()) {
    p.table_only_ = true;
    SLUICE_ASSIGN_OR_RETURN(p.re_, part(body));
    return p;
  }
  // Names may hold dots themselves (a SQLite table "dot.ted", a PostgreSQL schema "a.b"), so
  // the db and the table are matched apart, once per dot that may separate them.
  for (const size_t dot : dots) {
    GlobSplit split;
    SLUICE_ASSIGN_OR_RETURN(split.db, part(body.substr(0, dot)));
    SLUICE_ASSIGN_OR_RETURN(split.table, part(body.substr(dot + 1)));
    p.splits_.push_back(std::move(split));
  }
  return p;
}

bool TablePattern::Matches(const CatalogTable& table) const {
  if (re_ != nullptr) {
    if (table_only_) return table.in_default_db && RE2::FullMatch(table.name, *re_);
    return RE2::FullMatch(table.db + "." + table.name, *re_);
  }
  for (const GlobSplit& split : splits_) {
    if (RE2::FullMatch(table.db, *split.db) && RE2::FullMatch(table.name, *split.table)) {
      return true;
    }
  }
  return false;
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

bool TableSelector::NamesExactly(const CatalogTable& table) const {
  for (const TablePattern& p : patterns_) {
    if (!p.exclude() && p.literal() && p.Matches(table)) return true;
  }
  return false;
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
