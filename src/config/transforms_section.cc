#include "config/transforms_section.h"

#include <fmt/format.h>

#include "config/suggest.h"

namespace sluice {

namespace {

constexpr TransformSpec::Kind kKinds[] = {TransformSpec::Kind::kFilter, TransformSpec::Kind::kSet,
                                          TransformSpec::Kind::kRename, TransformSpec::Kind::kDrop,
                                          TransformSpec::Kind::kSelect};

std::vector<std::string> KindNames() {
  std::vector<std::string> names;
  for (TransformSpec::Kind kind : kKinds) names.emplace_back(TransformKindName(kind));
  return names;
}

bool IsBlank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

// The substituted text of a scalar that must say something (an expression, a column name).
Result<std::string> NonEmptyText(const ParseContext& context, const YAML::Node& node,
                                 const SourceLocation& where, const std::string& path,
                                 std::string_view what) {
  if (!node.IsScalar()) {
    return Err(
        context.Error(where, path, fmt::format("expected {}, got {}", what, DescribeNode(node))));
  }
  SLUICE_ASSIGN_OR_RETURN(std::string text, context.Text(node, path, where));
  if (IsBlank(text)) {
    return Err(context.Error(where, path, fmt::format("expected {}, got nothing", what)));
  }
  return text;
}

// set: {column: expression} and rename: {old: new}.
Status ParsePairs(const ParseContext& context, const ParseContext::Entry& entry,
                  const std::string& label, std::string_view form, std::string_view what,
                  TransformSpec& spec) {
  if (!entry.value.IsMap() || entry.value.size() == 0) {
    const std::string got = entry.value.IsMap() ? "an empty mapping" : DescribeNode(entry.value);
    return context.Error(entry.value_location, label,
                         fmt::format("expected a mapping {}, got {}", form, got));
  }
  SLUICE_ASSIGN_OR_RETURN(std::vector<ParseContext::Entry> pairs,
                          context.Entries(entry.value, label));
  for (const ParseContext::Entry& pair : pairs) {
    const std::string path = fmt::format("{}: column '{}'", label, pair.key);
    SLUICE_ASSIGN_OR_RETURN(std::string text,
                            NonEmptyText(context, pair.value, pair.value_location, path, what));
    spec.assignments.emplace_back(pair.key, std::move(text));
  }
  return Status::OK();
}

// drop: [a, b] and select: [a, b]; a single name is a one-element list.
Status ParseColumns(const ParseContext& context, const ParseContext::Entry& entry,
                    const std::string& label, TransformSpec& spec) {
  const YAML::Node& node = entry.value;
  if (node.IsScalar()) {
    SLUICE_ASSIGN_OR_RETURN(std::string name, NonEmptyText(context, node, entry.value_location,
                                                           label, "a list of columns"));
    spec.columns.push_back(std::move(name));
    return Status::OK();
  }
  if (!node.IsSequence() || node.size() == 0) {
    const std::string got = node.IsSequence() ? "an empty list" : DescribeNode(node);
    return context.Error(entry.value_location, label,
                         fmt::format("expected a list of columns such as [a, b], got {}", got));
  }
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node item = node[i];
    const SourceLocation where = item.IsNull() ? entry.value_location : context.Where(item);
    SLUICE_ASSIGN_OR_RETURN(
        std::string name,
        NonEmptyText(context, item, where, fmt::format("{}[{}]", label, i), "a column name"));
    spec.columns.push_back(std::move(name));
  }
  return Status::OK();
}

Result<TransformSpec> ParseStep(const ParseContext& context, const YAML::Node& item,
                                const SourceLocation& where, size_t index) {
  const std::string path = fmt::format("transforms[{}]", index);
  constexpr std::string_view kExample = "filter: \"amount > 0\"";
  if (!item.IsMap() || item.size() == 0) {
    const std::string got = item.IsMap() ? "an empty mapping" : DescribeNode(item);
    return Err(context.Error(where, path,
                             fmt::format("expected a step such as '{}', got {}", kExample, got)));
  }
  SLUICE_ASSIGN_OR_RETURN(std::vector<ParseContext::Entry> entries, context.Entries(item, path));
  if (entries.size() != 1) {
    std::vector<std::string> keys;
    for (const ParseContext::Entry& e : entries) keys.push_back(e.key);
    return Err(context.Error(
        where, path,
        fmt::format("a step has exactly one kind, got {} ({}); start a new '- ' item for each",
                    keys.size(), JoinComma(keys))));
  }
  const ParseContext::Entry& entry = entries[0];
  TransformSpec spec;
  spec.location = entry.key_location;
  bool known = false;
  for (TransformSpec::Kind kind : kKinds) {
    if (entry.key == TransformKindName(kind)) {
      spec.kind = kind;
      known = true;
    }
  }
  if (!known) {
    return Err(context.Error(entry.key_location, path,
                             fmt::format("unknown transform '{}'{}; expected {}", entry.key,
                                         DidYouMean(entry.key, KindNames()), JoinOr(KindNames()))));
  }
  const std::string label = spec.Label(index);
  switch (spec.kind) {
    case TransformSpec::Kind::kFilter: {
      SLUICE_ASSIGN_OR_RETURN(spec.expression,
                              NonEmptyText(context, entry.value, entry.value_location, label,
                                           "an expression such as \"amount > 0\""));
      break;
    }
    case TransformSpec::Kind::kSet:
      SLUICE_RETURN_IF_ERROR(ParsePairs(context, entry, label,
                                        "of column: expression such as {ds: \"'${bizdate}'\"}",
                                        "an expression", spec));
      break;
    case TransformSpec::Kind::kRename:
      SLUICE_RETURN_IF_ERROR(ParsePairs(context, entry, label,
                                        "of old: new column names such as {user_id: buyer_id}",
                                        "a new column name", spec));
      break;
    case TransformSpec::Kind::kDrop:
    case TransformSpec::Kind::kSelect:
      SLUICE_RETURN_IF_ERROR(ParseColumns(context, entry, label, spec));
      break;
  }
  return spec;
}

}  // namespace

Result<std::vector<TransformSpec>> ParseTransforms(const ParseContext& context,
                                                   const YAML::Node& node,
                                                   const SourceLocation& section_location) {
  std::vector<TransformSpec> specs;
  if (node.IsNull()) return specs;
  if (!node.IsSequence()) {
    return Err(context.Error(
        context.Where(node), "transforms",
        fmt::format("expected a list of steps such as '- filter: \"amount > 0\"', got {}",
                    DescribeNode(node))));
  }
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node item = node[i];
    const SourceLocation where = item.IsNull() ? section_location : context.Where(item);
    SLUICE_ASSIGN_OR_RETURN(TransformSpec spec, ParseStep(context, item, where, i));
    specs.push_back(std::move(spec));
  }
  return specs;
}

}  // namespace sluice
