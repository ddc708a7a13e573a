// A column added at the source with a default (Field::added_default, core/schema.h) reaches a
// SQL target's ALTER TABLE ... ADD COLUMN with the same value as its DEFAULT, so the rows the
// target already holds get what the source gave its own existing rows. Shared by the
// PostgreSQL, MySQL/MariaDB and SQLite targets; each quotes the value its own way.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/schema.h"
#include "core/status.h"

namespace sluice::sql_common {

// " DEFAULT <literal>" for `field`'s constant added default, "" when it has none (the existing
// rows hold NULL). A numeric value goes bare (it was checked to be a number), every other one
// through `quote` (the target's string literal; the target converts it to the column's type).
// A default the source could not give as a constant (Field::added_default_unknown) cannot be
// matched: an error naming target, column and default, and how to recover.
Result<std::string> AddedDefaultClause(const Field& field, std::string_view target,
                                       const std::function<std::string(std::string_view)>& quote);

// Whether `text` is a plain decimal number: -12, 3.50, 1e-5.
bool IsPlainNumber(std::string_view text);

}  // namespace sluice::sql_common
