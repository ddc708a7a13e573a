#include "config/overrides.h"

#include <fmt/format.h>

#include "config/parameters.h"
#include "config/suggest.h"

namespace sluice {

namespace {

const std::vector<std::string> kSections = {"settings", "source", "target"};

std::vector<std::string> SplitDots(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    parts.push_back(path.substr(start, dot == std::string::npos ? dot : dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

Status UnknownSetKey(const std::string& key) {
  const size_t dot = key.find('.');
  std::string hint;
  if (auto section = ClosestMatch(key.substr(0, dot), kSections)) {
    hint = fmt::format(" (did you mean '{}{}'?)", *section, key.substr(dot));
  }
  return Status::Invalid(
      "--set: cannot override '{}'{}; use settings.KEY, source.KEY or target.KEY to override "
      "the job file, or NAME=value for ${{NAME}}",
      key, hint);
}

}  // namespace

Result<SetArguments> SplitSetArguments(const std::map<std::string, std::string>& sets) {
  SetArguments out;
  for (const auto& [key, value] : sets) {
    if (key == "bizdate") {
      return Err(Status::Invalid(
          "--set: use --bizdate to choose the business date, not --set bizdate=..."));
    }
    if (key.find('.') == std::string::npos) {
      if (!IsParameterName(key)) {
        return Err(Status::Invalid(
            "--set: '{}' is not a valid parameter name (use letters, digits and '_', not "
            "starting with a digit)",
            key));
      }
      out.parameters.emplace(key, value);
      continue;
    }
    const std::vector<std::string> parts = SplitDots(key);
    bool known = false;
    for (const std::string& s : kSections) known = known || parts[0] == s;
    if (!known) return Err(UnknownSetKey(key));
    for (const std::string& part : parts) {
      if (part.empty()) return Err(Status::Invalid("--set: '{}' has an empty key", key));
    }
    out.overrides.emplace_back(key, value);
  }
  return out;
}

Result<std::set<std::string>> ApplyOverrides(
    YAML::Node& root, const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::set<std::string> written;
  try {
    for (const auto& [path, value] : overrides) {
      const std::vector<std::string> parts = SplitDots(path);
      YAML::Node current = root;
      std::string walked;
      for (size_t i = 0; i + 1 < parts.size(); ++i) {
        walked = walked.empty() ? parts[i] : walked + "." + parts[i];
        YAML::Node child = current[parts[i]];
        if (!child.IsDefined() || child.IsNull()) {
          current[parts[i]] = YAML::Node(YAML::NodeType::Map);
          child.reset(current[parts[i]]);
        } else if (!child.IsMap()) {
          return Err(Status::Invalid(
              "--set: {}: cannot set a key inside '{}', which is not a mapping in the job file",
              path, walked));
        }
        current.reset(child);
      }
      current[parts.back()] = YAML::Node(value);
      written.insert(path);
    }
  } catch (const YAML::Exception& e) {
    return Err(Status::Invalid("--set: cannot apply overrides: {}", e.msg));
  }
  return written;
}

}  // namespace sluice
