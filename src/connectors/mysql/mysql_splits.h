// Key ranges for reading a MySQL table in parallel parts.
//
// A read is `SELECT ... FROM t WHERE <conditions> [AND <key range>]`. Ranges are cut at
// quantiles of the real key distribution: after one COUNT, each boundary is the key found
// `step` rows past the previous boundary in key order (ORDER BY key LIMIT 1 OFFSET step, on
// the key's index), so the whole plan reads the keys about once and a skewed key such as
// 1..1000 plus 10^9..10^9+10 still gives parts of equal row counts. Boundaries are SQL
// literals in the key's own form (mysql_literal.h). NULL keys belong to the first range.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/mysql/mysql_connection.h"
#include "connectors/mysql/mysql_types.h"

namespace sluice::mysql {

// " WHERE a AND b", or "" without conditions.
std::string WhereClause(const std::vector<std::string>& conditions);

// One part of a split read: low <= key < high, plus the NULL keys when with_nulls.
struct KeyRange {
  std::optional<std::string> low;   // a SQL literal; absent: unbounded
  std::optional<std::string> high;  // a SQL literal; absent: unbounded
  bool with_nulls = false;

  // The condition on `key_sql` this range adds; "" when unbounded.
  std::string Condition(const std::string& key_sql) const;
  // A self-contained text form for Split::payload.
  std::string Encode() const;
  static Result<KeyRange> Decode(std::string_view payload);
  bool operator==(const KeyRange&) const = default;
};

struct PlannedRange {
  KeyRange range;
  int64_t rows = 0;         // estimated
  std::string description;  // "id in [1, 250001)"
};

struct KeySpec {
  std::string sql;    // `id`
  std::string label;  // id, for descriptions
  ReadKind kind = ReadKind::kInt;
  bool nullable = false;
};

// Cuts the rows of `from_sql` (a quoted table) matching `conditions` into at most `max_splits`
// ranges of `key`. Returns one unbounded range when there are too few rows or max_splits <= 1.
// `total_rows` receives the COUNT(*) under the conditions.
Result<std::vector<PlannedRange>> PlanKeyRanges(Connection& conn, const std::string& from_sql,
                                                const std::vector<std::string>& conditions,
                                                const KeySpec& key, int max_splits,
                                                int64_t& total_rows);

}  // namespace sluice::mysql
