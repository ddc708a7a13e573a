// Key ranges for reading a PostgreSQL table in parallel parts.
//
// A split reads `SELECT ... WHERE <conditions> AND <key range>`. Boundaries are quantiles of
// the real key distribution (percentile_disc over the keys, or over a row sample (TABLESAMPLE
// BERNOULLI) of them for big tables), so skewed or sparse keys still give parts of similar size.
// Boundaries travel as the key's own text form and are compared as literals cast to the key's type,
// so any ordered type splits exactly (integers, numeric, text in the column's collation, dates,
// timestamps, uuid). Rows whose key is NULL belong to the first range, so none is lost.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/postgres/pg_connection.h"
#include "connectors/postgres/pg_types.h"

namespace sluice::postgres {

// One part of a split read: low <= key < high, plus the NULL keys when with_nulls.
struct KeyRange {
  std::optional<std::string> low;   // absent: unbounded
  std::optional<std::string> high;  // absent: unbounded
  bool with_nulls = false;

  // The SQL condition on `key_sql` (a quoted column) of type `key_type` (format_type text);
  // "" for an unbounded range.
  std::string Condition(const std::string& key_sql, const std::string& key_type) const;
  // A self-contained text form for Split::payload.
  std::string Encode() const;
  static Result<KeyRange> Decode(std::string_view payload);
  bool operator==(const KeyRange&) const = default;
};

struct PlannedRange {
  KeyRange range;
  std::optional<int64_t> rows;
  std::string description;  // "id in [1, 252)"
};

// Whether columns of type `t` can be split on.
bool SplittableKey(const PgType& t);

struct SplitQuery {
  std::string from;        // quoted table
  std::string conditions;  // " WHERE ..." (may be empty)
  std::string key_sql;     // quoted key column
  std::string key_label;   // for descriptions
  std::string key_type;    // format_type
  bool key_nullable = true;
  bool can_sample = true;                 // false for views
  std::optional<int64_t> estimated_rows;  // rows matching the conditions, if known
};

// Cuts the read into at most `max_splits` ranges of about the same number of rows.
Result<std::vector<PlannedRange>> PlanKeyRanges(PgConnection& conn, const SplitQuery& query,
                                                int max_splits);

}  // namespace sluice::postgres
