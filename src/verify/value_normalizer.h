// ValueNormalizer: turns one side's value into the text both sides of a comparison agree on.
//
// A value crosses databases with a different type on each side: MySQL BIGINT UNSIGNED lands in
// PostgreSQL numeric(20,0), an unconstrained numeric "1.50" may come back as "1.5", timestamptz
// lands in a MySQL DATETIME as wall-clock time, jsonb reorders keys. Verify hashes
// the *normalized* text, so the two forms of one value must normalize alike:
//
//   kind        normalized text
//   kNumber     bool, integers, decimals: decimal text, no trailing fraction zeros, "-0" -> "0"
//   kFloat32/64 shortest round-trip text of the value as float/double; -0.0 -> "0"
//   kDate       YYYY-MM-DD
//   kTime       [-]HH:MM:SS[.ffffff]
//   kTimestamp  YYYY-MM-DD HH:MM:SS[.ffffff] (wall clock; a date is its midnight)
//   kInstant    microseconds since the Unix epoch, UTC; wall-clock values (timestamp, date) are
//               taken as local time in the comparison's zone
//   kJson       canonical JSON (json_canonical.h): sorted keys, numbers by exact value
//   kUuid       lowercase
//   kText       strings and bytes as they are; other types as their canonical text
//
// The kind of a column is decided once from both sides' types (ResolveCompareKind); a string
// facing a typed column (text that the sync converted, e.g. into a date) is parsed as that
// type first, and compared raw if it does not parse. NULL is never normalized: the row hash
// marks it apart from every value, '' included.
//
// Thread-safety: a ValueNormalizer keeps scratch space; use one per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/column.h"
#include "core/time_zone.h"
#include "core/types.h"

namespace sluice::verify {

enum class CompareKind : uint8_t {
  kText,
  kNumber,
  kFloat32,
  kFloat64,
  kDate,
  kTime,
  kTimestamp,
  kInstant,
  kJson,
  kUuid,
};

const char* CompareKindName(CompareKind kind);

// What a column of type `a` on one side and `b` on the other are compared as. Symmetric.
CompareKind ResolveCompareKind(const DataType& a, const DataType& b);

class ValueNormalizer {
 public:
  // `own`: the type of this side's column; `zone`: for wall-clock <-> instant conversions and
  // for text timestamps without an offset.
  ValueNormalizer(DataType own, CompareKind kind, TimeZone zone);

  // Replaces `out` with the normalized text of row `row` of `column`, which must not be NULL.
  // Allocates nothing once `out` and the scratch space have grown (JSON values excepted).
  void Normalize(const Column& column, size_t row, std::string& out);

  // The value for a report (DisplayValue), except that a wall-clock value compared as an
  // instant is shown as that instant (UTC), so both sides of a change read alike.
  std::string Display(const Column& column, size_t row) const;

  CompareKind kind() const { return kind_; }

 private:
  void NormalizeTyped(const Column& column, size_t row, std::string& out) const;
  // A string or bytes value facing a typed column: parsed as that type, else kept raw.
  void Coerce(std::string_view text, std::string& out);

  DataType own_;
  CompareKind kind_;
  TimeZone zone_;
  bool coerce_ = false;  // own is text and the kind is not
  Column scratch_;       // the parsed form of a coerced value
};

// The value as a person reads it in a report: canonical text (value_text.h), strings and JSON
// in single quotes, bytes as x'hex'; "NULL" for NULL. Cut to `max_chars` characters (whole
// UTF-8 characters) with "..." appended.
std::string DisplayValue(const Column& column, size_t row, size_t max_chars = 60);

// Decimal text without trailing fraction zeros ("1.50" -> "1.5", "2.000" -> "2", "-0.0" -> "0").
// Appends to `out`. Exposed for tests.
void AppendTrimmedDecimal(std::string_view canonical, std::string& out);

// Canonical JSON (json_canonical.h); invalid JSON is appended as it is.
void AppendNormalizedJson(std::string_view text, std::string& out);

}  // namespace sluice::verify
