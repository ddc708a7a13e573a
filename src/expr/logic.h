// Boolean logic and conditionals: AND, OR, NOT, IS [NOT] NULL, CASE, COALESCE.
//
// Three-valued logic as in SQL: NULL AND FALSE is FALSE, NULL OR TRUE is TRUE, NOT NULL is
// NULL. Every branch is computed for the whole batch (cheaper than splitting the batch), but a
// branch's row errors count only where SQL's lazy evaluation would have run it: the right side
// of AND where the left is not FALSE, a CASE result where its WHEN chose it, a COALESCE
// argument where all before it were NULL.
#pragma once

#include <vector>

#include "expr/node.h"

namespace sluice::expr {

// `is_and` chooses AND or OR; both operands are bool (or the NULL literal).
NodePtr MakeAndOr(bool is_and, size_t offset, NodePtr left, NodePtr right);
NodePtr MakeNot(size_t offset, NodePtr operand);
NodePtr MakeIsNull(bool negated, size_t offset, NodePtr operand);

// CASE WHEN conditions[k] THEN values[k] ... ELSE else_value END. Values (and else_value,
// which may be null for no ELSE) must already be of `type`.
NodePtr MakeCase(DataType type, size_t offset, std::vector<NodePtr> conditions,
                 std::vector<NodePtr> values, NodePtr else_value);
// The first non-NULL argument; arguments must already be of `type`.
NodePtr MakeCoalesce(DataType type, size_t offset, std::vector<NodePtr> args);

}  // namespace sluice::expr
