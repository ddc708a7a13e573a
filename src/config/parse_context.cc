#include "config/parse_context.h"

#include <map>

#include <fmt/format.h>

namespace sluice {

std::string JoinPath(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  return fmt::format("{}.{}", path, key);
}

std::string DescribeNode(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return "a single value";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "nothing";
  }
  return "nothing";
}

SourceLocation ParseContext::Where(const YAML::Node& node) const {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return SourceLocation{std::string(kSetOrigin), 0, 0};
  return SourceLocation{file_, mark.line + 1, mark.column + 1};
}

Result<std::vector<ParseContext::Entry>> ParseContext::Entries(const YAML::Node& map,
                                                               const std::string& path) const {
  std::vector<Entry> entries;
  std::map<std::string, int> first_line;
  for (const auto& pair : map) {
    const YAML::Node key = pair.first;
    if (!key.IsScalar()) {
      return Err(Error(Where(key), path, "keys must be plain names, not lists or mappings"));
    }
    Entry entry;
    entry.key = key.Scalar();
    entry.value = pair.second;
    const bool from_set = overridden_.count(JoinPath(path, entry.key)) > 0;
    entry.key_location = from_set ? SourceLocation{std::string(kSetOrigin), 0, 0} : Where(key);
    if (from_set) {
      entry.value_location = entry.key_location;
    } else if (entry.value.IsNull()) {
      // yaml-cpp marks an empty value at the next token, often on the next line.
      entry.value_location = entry.key_location;
    } else {
      entry.value_location = Where(entry.value);
    }
    auto [seen, inserted] = first_line.emplace(entry.key, entry.key_location.line);
    if (!inserted) {
      return Err(Error(
          entry.key_location, path,
          fmt::format("duplicate key '{}' (first given on line {})", entry.key, seen->second)));
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

Result<std::string> ParseContext::Text(const YAML::Node& scalar, const std::string& path,
                                       const SourceLocation& where) const {
  const std::string& text = scalar.Scalar();
  if (raw_.count(path) > 0) return text;
  Result<std::string> out = parameters_.Substitute(text);
  if (!out) return Err(Error(where, path, out.error().message()));
  return out;
}

Status ParseContext::Error(const SourceLocation& where, std::string_view path,
                           std::string_view message) const {
  std::string text = where.ToString();
  for (std::string_view part : {path, message}) {
    if (part.empty()) continue;
    if (!text.empty()) text += ": ";
    text += part;
  }
  return Status(StatusCode::kInvalidArgument, std::move(text));
}

}  // namespace sluice
