// Filters and key ranges for reading an SQLite table in parallel parts.
//
// A read is `SELECT ... FROM t WHERE <filter> [AND <key range>]`. Ranges are cut at quantiles
// of the real key distribution (the k-quantile keys of an ORDER BY key scan), so a skewed key
// such as 1..1000 plus 10^9..10^9+10 still gives parts of equal row counts. Boundary values
// keep SQLite's storage class, so a split compares exactly like the key it was read from.
// NULL keys belong to the first range so that none is lost.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "connectors/sqlite/sqlite_handle.h"

namespace sluice::sqlite {

// Conditions joined by AND, with their named parameters.
struct Filter {
  std::vector<std::string> conditions;  // each complete in itself, parenthesised if needed
  std::vector<std::pair<std::string, SqlValue>> params;  // ":name" -> value

  std::string WhereClause() const;  // " WHERE a AND b", or "" without conditions
  Status BindTo(Statement& stmt) const;
};

// One part of a split read: low <= key < high, plus the NULL keys when with_nulls.
struct KeyRange {
  std::optional<SqlValue> low;   // absent: unbounded
  std::optional<SqlValue> high;  // absent: unbounded
  bool with_nulls = false;

  // Adds this range's condition on `key_expr` to `filter`.
  void AddTo(const std::string& key_expr, Filter& filter) const;
  // A self-contained text form for Split::payload.
  std::string Encode() const;
  static Result<KeyRange> Decode(std::string_view payload);
  bool operator==(const KeyRange&) const = default;
};

struct PlannedRange {
  KeyRange range;
  int64_t rows = 0;
  std::string description;  // "id in [1, 252)"
};

// Cuts the rows of `table_sql` (a quoted table name) matching `filter` into at most
// `max_splits` ranges of `key_expr` holding about the same number of rows. `key_label` names
// the key in descriptions; `key_nullable` says whether NULL keys can exist. Returns one
// unbounded range when there are fewer rows than parts or max_splits <= 1.
Result<std::vector<PlannedRange>> PlanKeyRanges(Database& db, const std::string& table_sql,
                                                const Filter& filter, const std::string& key_expr,
                                                const std::string& key_label, bool key_nullable,
                                                int max_splits);

}  // namespace sluice::sqlite
