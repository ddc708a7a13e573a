// Schema: the ordered, named, typed fields of the rows flowing through a pipeline.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.h"

namespace sluice {

struct Field {
  std::string name;
  DataType type;
  bool nullable = true;

  bool operator==(const Field&) const = default;
};

struct Schema {
  std::vector<Field> fields;

  size_t size() const { return fields.size(); }
  // Exact, case-sensitive match first, then a case-insensitive one (SQL names are often
  // folded differently by different databases).
  std::optional<size_t> IndexOf(std::string_view name) const;
  std::vector<std::string> Names() const;
  std::string ToString() const;  // "id int64, name string"

  bool operator==(const Schema&) const = default;
};

}  // namespace sluice
