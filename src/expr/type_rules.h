// Type rules shared by the binder and the evaluators: numeric classes, exact cross-type
// comparison, and the common type of CASE branches, COALESCE arguments and IN lists.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>

#include "core/column.h"
#include "core/types.h"

namespace sluice::expr {

__extension__ typedef __int128 Int128;

// How a numeric value is read from its column.
enum class NumClass : uint8_t {
  kNone,      // not numeric
  kSigned,    // int8..int64: the int64 slot
  kUnsigned,  // uint8..uint64: the slot as uint64
  kFloat,     // float32/float64: the slot as double bits
  kDecimal,   // canonical decimal text
};

constexpr NumClass NumClassOf(TypeId id) {
  if (IsSignedInteger(id) || id == TypeId::kBool) return NumClass::kSigned;
  if (IsUnsignedInteger(id)) return NumClass::kUnsigned;
  if (IsFloating(id)) return NumClass::kFloat;
  if (id == TypeId::kDecimal) return NumClass::kDecimal;
  return NumClass::kNone;
}
constexpr bool IsIntegerClass(NumClass c) {
  return c == NumClass::kSigned || c == NumClass::kUnsigned;
}

// Reads an integer-class value as a 128-bit integer, so int64 and uint64 mix exactly.
inline Int128 LoadInt128(const Column& c, size_t row, bool is_unsigned) {
  return is_unsigned ? static_cast<Int128>(c.GetUInt(row)) : static_cast<Int128>(c.GetInt(row));
}

// -1, 0, 1 with NaN equal to itself and above every other number (as PostgreSQL sorts it),
// so comparisons stay a total order.
inline int CompareDouble(double a, double b) {
  bool an = std::isnan(a);
  bool bn = std::isnan(b);
  if (an || bn) return an == bn ? 0 : (an ? 1 : -1);
  return a < b ? -1 : (a > b ? 1 : 0);
}

// Exact comparison of an integer with a double: no rounding of either side.
int CompareInt128Double(Int128 a, double b);

// The type both sides are converted to when values of `a` and `b` meet in one result (CASE,
// COALESCE, IF) or one comparison. nullopt when they cannot meet. A kNull side takes the
// other's type.
std::optional<DataType> CommonType(const DataType& a, const DataType& b);

// Integer types as decimals: enough digits for every value of the type.
uint16_t DecimalDigitsOf(TypeId integer_type);

// Whether values of the type are compared and concatenated as bytes.
constexpr bool IsTextLike(TypeId id) {
  return id == TypeId::kString || id == TypeId::kBytes || id == TypeId::kJson ||
         id == TypeId::kUuid;
}

}  // namespace sluice::expr
