#include "tables/tool_tables.h"

#include <array>

#include <fmt/format.h>

namespace sluice {
namespace {

constexpr std::array<std::string_view, 5> kSuffixes = {"_gho", "_ghc", "_del", "_new", "_old"};

// "_<14 digits>" at the end of `base`: gh-ost's --timestamp-old-table.
bool EndsWithTimestamp(std::string_view base) {
  constexpr size_t kDigits = 14;
  if (base.size() < kDigits + 2 || base[base.size() - kDigits - 1] != '_') return false;
  for (size_t i = base.size() - kDigits; i < base.size(); ++i) {
    if (base[i] < '0' || base[i] > '9') return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> ToolTableBases(std::string_view name) {
  std::vector<std::string> bases;
  std::string_view suffix;
  for (std::string_view s : kSuffixes) {
    if (name.size() > s.size() + 1 && name.ends_with(s)) suffix = s;
  }
  if (suffix.empty() || name[0] != '_') return bases;
  const std::string_view middle = name.substr(0, name.size() - suffix.size());
  // One leading underscore is the tool's; more may be the tool's (pt-osc avoiding a name in
  // use) or the table's own.
  for (size_t lead = 1; lead < middle.size() && middle[lead - 1] == '_'; ++lead) {
    const std::string_view base = middle.substr(lead);
    bases.emplace_back(base);
    if (suffix == "_del" && EndsWithTimestamp(base)) {
      bases.emplace_back(base.substr(0, base.size() - 15));
    }
  }
  return bases;
}

std::string ToolTableBase(const TableSelector& selector, const CatalogTable& table,
                          const std::function<bool(const std::string&)>& is_selected) {
  for (const std::string& base : ToolTableBases(table.name)) {
    if (is_selected(base)) return selector.NamesExactly(table) ? "" : base;
  }
  return "";
}

std::string LeftOutToolTableNote(const CatalogTable& table, const std::string& base) {
  return fmt::format(
      "left out {0}.{1}: an online schema change tool's table beside {0}.{2} (gh-ost, "
      "pt-online-schema-change), whose swap the job follows on {0}.{2}; name {0}.{1} in "
      "source.tables to stream it anyway",
      table.db, table.name, base);
}

}  // namespace sluice
