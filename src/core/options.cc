#include "core/options.h"

#include <charconv>

#include <fmt/format.h>

namespace sluice {

std::string SourceLocation::ToString() const {
  if (file.empty()) return "";
  if (line == 0) return file;
  return fmt::format("{}:{}:{}", file, line, column);
}

const OptionValue* Options::Find(const std::string& key) const {
  auto it = values_.find(key);
  return it == values_.end() ? nullptr : &it->second;
}

std::string Options::GetString(const std::string& key, const std::string& fallback) const {
  const OptionValue* v = Find(key);
  return v ? v->scalar : fallback;
}

Result<int64_t> Options::GetInt(const std::string& key, int64_t fallback) const {
  const OptionValue* v = Find(key);
  if (!v) return fallback;
  int64_t out = 0;
  const std::string& s = v->scalar;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || p != s.data() + s.size()) {
    return Err(ErrorAt(key, fmt::format("expected an integer, got '{}'", s)));
  }
  return out;
}

Result<bool> Options::GetBool(const std::string& key, bool fallback) const {
  const OptionValue* v = Find(key);
  if (!v) return fallback;
  const std::string& s = v->scalar;
  if (s == "true" || s == "yes" || s == "on" || s == "1") return true;
  if (s == "false" || s == "no" || s == "off" || s == "0") return false;
  return Err(ErrorAt(key, fmt::format("expected true or false, got '{}'", s)));
}

std::vector<std::string> Options::GetList(const std::string& key) const {
  const OptionValue* v = Find(key);
  if (!v) return {};
  if (v->kind == OptionKind::kStringList) return v->list;
  if (v->scalar.empty()) return {};
  return {v->scalar};
}

std::vector<std::pair<std::string, std::string>> Options::GetMap(const std::string& key) const {
  const OptionValue* v = Find(key);
  return v ? v->map : std::vector<std::pair<std::string, std::string>>{};
}

Options Options::GetObject(const std::string& key) const {
  const OptionValue* v = Find(key);
  if (!v) return Options();
  Options out(v->object, v->location);
  out.path = path.empty() ? key : path + "." + key;
  return out;
}

Status Options::ErrorAt(const std::string& key, const std::string& message) const {
  const OptionValue* v = Find(key);
  std::string where = v ? v->location.ToString() : section_.ToString();
  std::string name = path.empty() ? key : path + "." + key;
  if (where.empty()) return Status::Invalid("{}: {}", name, message);
  return Status::Invalid("{}: {}: {}", where, name, message);
}

void Options::SetString(const std::string& key, std::string value) {
  OptionValue v;
  v.kind = OptionKind::kString;
  v.scalar = std::move(value);
  values_[key] = std::move(v);
}

}  // namespace sluice
