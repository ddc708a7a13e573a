// Parser: expression text -> Ast, by precedence climbing.
//
// Precedence, lowest first (all binary operators associate to the left):
//   OR;  AND;  NOT;  comparisons, IS [NOT] NULL, [NOT] IN, [NOT] LIKE, [NOT] BETWEEN;
//   || ;  + - ;  * / % ;  unary - and +.
// Keywords are case-insensitive; a keyword used as a column name must be quoted ("end").
#pragma once

#include <string_view>

#include "core/status.h"
#include "expr/ast.h"

namespace sluice::expr {

Result<AstPtr> Parse(std::string_view text);

}  // namespace sluice::expr
