#include "config/tables_section.h"

#include <fmt/format.h>

#include "config/job_file.h"
#include "config/option_validator.h"

namespace sluice {
namespace {

const std::vector<std::string> kOverrideSourceKeys = {"columns", "where", "split_key",
                                                      "incremental"};
const std::vector<std::string> kOverrideTargetKeys = {"write_mode", "key"};

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  for (const std::string& n : names) {
    if (n == name) return true;
  }
  return false;
}

// The engine's source and target keys an override may set, without defaults: a key left out
// keeps the job's value.
std::vector<OptionSpec> OverrideSpecs() {
  std::vector<OptionSpec> specs;
  for (const auto* list : {&CommonSourceOptions(), &CommonTargetOptions()}) {
    for (OptionSpec spec : *list) {
      if (!Contains(kOverrideSourceKeys, spec.name) && !Contains(kOverrideTargetKeys, spec.name))
        continue;
      spec.default_value.clear();
      specs.push_back(std::move(spec));
    }
  }
  return specs;
}

}  // namespace

Result<std::vector<RouteSpec>> ParseRoutes(const ParseContext& context,
                                           const ParseContext::Entry& entry) {
  const std::string path = entry.key;
  if (!entry.value.IsSequence()) {
    return Err(context.Error(entry.value_location, path,
                             fmt::format("expected a list of {{from: REGEX, to: TABLE}}, got {}",
                                         DescribeNode(entry.value))));
  }
  const std::vector<OptionSpec> specs = {
      {.name = "from",
       .required = true,
       .description = "a regular expression over db.table, matched whole"},
      {.name = "to", .required = true, .description = "the target table; ${1}, ${db}, ${table}"}};
  std::vector<RouteSpec> routes;
  for (size_t i = 0; i < entry.value.size(); ++i) {
    const YAML::Node item = entry.value[i];
    const std::string item_path = fmt::format("{}[{}]", path, i);
    const SourceLocation where = item.IsNull() ? entry.value_location : context.Where(item);
    if (!item.IsMap()) {
      return Err(context.Error(
          where, item_path,
          fmt::format("expected {{from: REGEX, to: TABLE}}, got {}", DescribeNode(item))));
    }
    SLUICE_ASSIGN_OR_RETURN(Options options,
                            ValidateSection(context, item, specs, item_path, where));
    routes.push_back(RouteSpec{options.GetString("from"), options.GetString("to"), where});
  }
  return routes;
}

Result<std::vector<TableOverrideSpec>> ParseOverrides(const ParseContext& context,
                                                      const ParseContext::Entry& entry) {
  const std::string path = entry.key;
  if (!entry.value.IsMap()) {
    return Err(context.Error(entry.value_location, path,
                             fmt::format("expected a mapping of table patterns to settings, got {}",
                                         DescribeNode(entry.value))));
  }
  SLUICE_ASSIGN_OR_RETURN(std::vector<ParseContext::Entry> entries,
                          context.Entries(entry.value, path));
  const std::vector<OptionSpec> specs = OverrideSpecs();
  std::vector<TableOverrideSpec> overrides;
  for (const ParseContext::Entry& e : entries) {
    const std::string item_path = fmt::format("{}.{}", path, e.key);
    SLUICE_ASSIGN_OR_RETURN(Options all,
                            ValidateSection(context, e.value, specs, item_path, e.key_location));
    TableOverrideSpec spec;
    spec.pattern = e.key;
    spec.location = e.key_location;
    spec.source.path = item_path;
    spec.target.path = item_path;
    for (const auto& [key, value] : all.values()) {
      (Contains(kOverrideSourceKeys, key) ? spec.source : spec.target).Set(key, value);
    }
    overrides.push_back(std::move(spec));
  }
  return overrides;
}

}  // namespace sluice
