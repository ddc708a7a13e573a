#include "core/schema.h"

#include <strings.h>

#include <fmt/format.h>

namespace sluice {

std::optional<size_t> Schema::IndexOf(std::string_view name) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == name) return i;
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    const std::string& f = fields[i].name;
    if (f.size() == name.size() && strncasecmp(f.data(), name.data(), f.size()) == 0) return i;
  }
  return std::nullopt;
}

std::vector<std::string> Schema::Names() const {
  std::vector<std::string> names;
  names.reserve(fields.size());
  for (const Field& f : fields) names.push_back(f.name);
  return names;
}

std::string Schema::ToString() const {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ", ";
    out += fmt::format("{} {}", fields[i].name, TypeName(fields[i].type));
  }
  return out;
}

std::string NullRuleConflict(const Field& field, std::string_view column, bool column_not_null) {
  if (field.null_rule.empty() || !column_not_null) return "";
  return fmt::format(
      "column '{}' is NOT NULL, but the source's {} turns values of '{}' into NULL (make the "
      "column nullable, or change the option)",
      column, field.null_rule, field.name);
}

}  // namespace sluice
