// Comparisons: = <> < <= > >= between values of compatible types, exactly.
//
// Numbers of different types compare by value with no rounding: uint64 18446744073709551615 is
// greater than int64 -1, decimal 0.1 is less than the float64 nearest 0.1 (which is slightly
// more). Float NaN equals NaN and is greater than every other number, so ordering stays total.
// Text compares bytewise, which is code point order for UTF-8. Temporal values must be of the
// same type by the time they get here (the binder converts date to timestamp and so on).
#pragma once

#include <optional>

#include "expr/ast.h"
#include "expr/node.h"

namespace sluice::expr {

enum class CompareClass : uint8_t {
  kInt,           // integer with integer
  kIntFloat,      // integer with float
  kFloat,         // float with float
  kDecimal,       // decimal with integer or decimal
  kDecimalFloat,  // decimal with float
  kFixed,         // same fixed type: bool, date, time, timestamp, timestamptz
  kBytes,         // text-like with text-like
};

// How values of `a` and `b` compare, or nullopt when they cannot be compared.
std::optional<CompareClass> PlanCompare(const DataType& a, const DataType& b);

NodePtr MakeCompare(Op op, CompareClass cls, size_t offset, NodePtr left, NodePtr right);

}  // namespace sluice::expr
