// Arithmetic: + - * / % and unary minus.
//
// Result types (the binder picks them; see README.md):
//   integer op integer -> int64 (uint64 when both are unsigned); overflow is a row error
//   integer / integer  -> decimal with 6 fractional digits (exact, rounded half away from 0)
//   any decimal        -> decimal, exact (division: max(6, scales) fractional digits)
//   any float          -> float64
//   date +/- integer   -> date (days);  date - date -> int64 (days)
// Division or modulo by zero is a row error for every type.
#pragma once

#include "expr/ast.h"
#include "expr/node.h"
#include "expr/type_rules.h"

namespace sluice::expr {

enum class ArithClass : uint8_t { kInt, kUInt, kFloat, kDecimal, kDate, kDateDiff };

// The class and result type of `a op b`, or nullopt when the operator does not apply.
struct ArithPlan {
  ArithClass cls;
  DataType result;
};
std::optional<ArithPlan> PlanArith(Op op, const DataType& a, const DataType& b);

// Both operands must already be of types PlanArith accepted; a decimal operand of a float
// operation must have been cast to float64 by the binder.
NodePtr MakeArith(Op op, const ArithPlan& plan, size_t offset, NodePtr left, NodePtr right);

// Unary minus; nullopt-like nullptr when the operand is not numeric.
NodePtr MakeNegate(size_t offset, NodePtr operand);

}  // namespace sluice::expr
