#include "config/option_validator.h"

#include <charconv>
#include <map>

#include <fmt/format.h>

#include "config/mask_secrets.h"
#include "config/suggest.h"

namespace sluice {

namespace {

// The value as it may appear in a message: never a secret, URLs without passwords.
std::string Echo(const std::string& path, const std::string& value) {
  if (IsSecretKey(path)) return "***";
  return MaskSecrets(value);
}

Result<std::string> ScalarText(const ParseContext& context, const YAML::Node& node,
                               const std::string& path, const SourceLocation& where) {
  if (!node.IsScalar()) {
    return Err(context.Error(where, path,
                             fmt::format("expected a single value, got {}", DescribeNode(node))));
  }
  return context.Text(node, path, where);
}

Result<OptionValue> ValidateScalar(const ParseContext& context, const ParseContext::Entry& entry,
                                   const OptionSpec& spec, const std::string& path) {
  OptionValue value;
  value.kind = spec.kind;
  value.location = entry.value_location;
  if (entry.value.IsNull() && spec.kind == OptionKind::kString &&
      spec.description.find("null:") != std::string::npos) {
    // `special_values: null` reads as YAML's nothing, not as the option's value "null".
    return Err(context.Error(entry.value_location, path,
                             "expected a single value, got nothing (a bare null is YAML's "
                             "nothing: write \"null\" in quotes for the value null)"));
  }
  SLUICE_ASSIGN_OR_RETURN(value.scalar,
                          ScalarText(context, entry.value, path, entry.value_location));
  const std::string& s = value.scalar;
  if (spec.kind == OptionKind::kInt) {
    int64_t parsed = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), parsed);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
      return Err(context.Error(entry.value_location, path,
                               fmt::format("expected an integer, got '{}'", Echo(path, s))));
    }
  } else if (spec.kind == OptionKind::kBool) {
    if (s == "true" || s == "yes" || s == "on" || s == "1") {
      value.scalar = "true";
    } else if (s == "false" || s == "no" || s == "off" || s == "0") {
      value.scalar = "false";
    } else {
      return Err(context.Error(entry.value_location, path,
                               fmt::format("expected true or false, got '{}'", Echo(path, s))));
    }
  }
  return value;
}

// Splits a --set list ("id,amount") into its items; a file writes a YAML list instead.
std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(start, comma - start);
    const size_t first = item.find_first_not_of(' ');
    const size_t last = item.find_last_not_of(' ');
    if (first != std::string::npos) items.push_back(item.substr(first, last - first + 1));
    start = comma + 1;
  }
  return items;
}

Result<OptionValue> ValidateList(const ParseContext& context, const ParseContext::Entry& entry,
                                 const std::string& path) {
  OptionValue value;
  value.kind = OptionKind::kStringList;
  value.location = entry.value_location;
  const YAML::Node& node = entry.value;
  if (node.IsScalar()) {
    SLUICE_ASSIGN_OR_RETURN(std::string text, context.Text(node, path, entry.value_location));
    if (entry.value_location.file == kSetOrigin) {
      value.list = SplitCommas(text);
    } else if (!text.empty()) {
      value.list.push_back(std::move(text));
    }
    return value;
  }
  if (!node.IsSequence()) {
    return Err(
        context.Error(entry.value_location, path,
                      fmt::format("expected a list such as [a, b], got {}", DescribeNode(node))));
  }
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node item = node[i];
    const std::string item_path = fmt::format("{}[{}]", path, i);
    const SourceLocation where = item.IsNull() ? entry.value_location : context.Where(item);
    SLUICE_ASSIGN_OR_RETURN(std::string text, ScalarText(context, item, item_path, where));
    value.list.push_back(std::move(text));
  }
  return value;
}

Result<OptionValue> ValidateMap(const ParseContext& context, const ParseContext::Entry& entry,
                                const std::string& path) {
  OptionValue value;
  value.kind = OptionKind::kStringMap;
  value.location = entry.value_location;
  if (!entry.value.IsMap()) {
    return Err(context.Error(
        entry.value_location, path,
        fmt::format("expected a mapping such as {{a: b}}, got {}", DescribeNode(entry.value))));
  }
  SLUICE_ASSIGN_OR_RETURN(std::vector<ParseContext::Entry> entries,
                          context.Entries(entry.value, path));
  for (const ParseContext::Entry& e : entries) {
    const std::string item_path = JoinPath(path, e.key);
    SLUICE_ASSIGN_OR_RETURN(std::string text,
                            ScalarText(context, e.value, item_path, e.value_location));
    value.map.emplace_back(e.key, std::move(text));
  }
  return value;
}

Result<OptionValue> ValidateObject(const ParseContext& context, const ParseContext::Entry& entry,
                                   const OptionSpec& spec, const std::string& path) {
  if (entry.value.IsScalar() && !spec.scalar_child.empty()) {
    for (const OptionSpec& child : spec.children) {
      if (child.name != spec.scalar_child) continue;
      ParseContext::Entry shorthand = entry;
      shorthand.key = child.name;
      SLUICE_ASSIGN_OR_RETURN(OptionValue inner,
                              ValidateValue(context, shorthand, child, JoinPath(path, child.name)));
      OptionValue value;
      value.kind = OptionKind::kObject;
      value.location = entry.value_location;
      value.object.emplace(child.name, std::move(inner));
      return value;
    }
  }
  if (!entry.value.IsMap()) {
    return Err(
        context.Error(entry.value_location, path,
                      fmt::format("expected a mapping with keys {}, got {}",
                                  JoinOr(SpecNames(spec.children)), DescribeNode(entry.value))));
  }
  SLUICE_ASSIGN_OR_RETURN(Options object, ValidateSection(context, entry.value, spec.children, path,
                                                          entry.key_location));
  OptionValue value;
  value.kind = OptionKind::kObject;
  value.location = entry.value_location;
  value.object = object.values();
  return value;
}

}  // namespace

std::vector<std::string> SpecNames(const std::vector<OptionSpec>& specs) {
  std::vector<std::string> names;
  names.reserve(specs.size());
  for (const OptionSpec& spec : specs) names.push_back(spec.name);
  return names;
}

Result<OptionValue> ValidateValue(const ParseContext& context, const ParseContext::Entry& entry,
                                  const OptionSpec& spec, const std::string& path) {
  switch (spec.kind) {
    case OptionKind::kString:
    case OptionKind::kInt:
    case OptionKind::kBool:
      return ValidateScalar(context, entry, spec, path);
    case OptionKind::kStringList:
      return ValidateList(context, entry, path);
    case OptionKind::kStringMap:
      return ValidateMap(context, entry, path);
    case OptionKind::kObject:
      return ValidateObject(context, entry, spec, path);
  }
  return Err(Status::Internal("unhandled option kind for {}", path));
}

Result<Options> ValidateSection(const ParseContext& context, const YAML::Node& node,
                                const std::vector<OptionSpec>& specs, const std::string& path,
                                const SourceLocation& section_location) {
  std::map<std::string, OptionValue> values;
  if (!node.IsNull()) {
    if (!node.IsMap()) {
      return Err(
          context.Error(context.Where(node), path,
                        fmt::format("expected a mapping of keys, got {}", DescribeNode(node))));
    }
    SLUICE_ASSIGN_OR_RETURN(std::vector<ParseContext::Entry> entries, context.Entries(node, path));
    for (const ParseContext::Entry& entry : entries) {
      const OptionSpec* spec = nullptr;
      for (const OptionSpec& s : specs) {
        if (s.name == entry.key) spec = &s;
      }
      if (spec == nullptr) {
        const std::vector<std::string> names = SpecNames(specs);
        std::string hint = DidYouMean(entry.key, names);
        if (hint.empty()) hint = fmt::format(" (valid keys: {})", JoinComma(names));
        return Err(context.Error(entry.key_location, path,
                                 fmt::format("unknown key '{}'{}", entry.key, hint)));
      }
      SLUICE_ASSIGN_OR_RETURN(OptionValue value,
                              ValidateValue(context, entry, *spec, JoinPath(path, entry.key)));
      values.emplace(entry.key, std::move(value));
    }
  }
  for (const OptionSpec& spec : specs) {
    if (values.count(spec.name) > 0) continue;
    if (spec.required && !spec.required_unless.empty()) {
      if (values.count(spec.required_unless) > 0) continue;
      return Err(context.Error(
          section_location, path,
          fmt::format("missing required key '{}' (or '{}')", spec.name, spec.required_unless)));
    }
    if (spec.required) {
      return Err(context.Error(section_location, path,
                               fmt::format("missing required key '{}'", spec.name)));
    }
    if (spec.default_value.empty()) continue;
    OptionValue value;
    value.kind = spec.kind;
    value.location = section_location;
    if (spec.kind == OptionKind::kStringList) {
      value.list = SplitCommas(spec.default_value);
    } else {
      value.scalar = spec.default_value;
    }
    values.emplace(spec.name, std::move(value));
  }
  Options options(std::move(values), section_location);
  options.path = path;
  return options;
}

}  // namespace sluice
