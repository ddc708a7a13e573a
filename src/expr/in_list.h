// x [NOT] IN (constant, ...) as one sorted-set lookup per row instead of one comparison per
// item. Used when every item is a constant comparable to x as integers (int, uint, and
// same-type bool/date/time/timestamp values) or as bytes (text); other lists are rewritten to
// x = a OR x = b ... by the binder. The result follows SQL: TRUE when x matches, else NULL when
// x or any item is NULL, else FALSE (negated: TRUE and FALSE swap, NULL stays).
#pragma once

#include <string>
#include <vector>

#include "expr/node.h"
#include "expr/type_rules.h"

namespace sluice::expr {

// `items` hold the constants, already converted to types comparable with `value` (NULL items
// allowed). Returns nullptr when the fast path does not apply.
NodePtr MakeInSet(bool negated, size_t offset, NodePtr value, const std::vector<NodePtr>& items);

}  // namespace sluice::expr
