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
  // The column's own type in the engine it was read from ("postgres", "interval"), so that a
  // target of the same engine creates exactly that type where the sluice type is only the
  // nearest fit. Empty for files and for columns sluice computes or retypes.
  std::string native_engine;
  std::string native_type;
  // The source option that turns values of a column the source declares NOT NULL into NULL
  // ("zero_date: null"); a NOT NULL target column conflicts with it (see `check`).
  std::string null_rule;

  void ClearNative() {
    native_engine.clear();
    native_type.clear();
  }

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

// The problem, for a target's list of mismatches, when `field` carries a null rule and goes
// into the NOT NULL target column `column`; empty when there is none.
std::string NullRuleConflict(const Field& field, std::string_view column, bool column_not_null);

}  // namespace sluice
