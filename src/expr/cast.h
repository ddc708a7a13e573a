// CAST(x AS type) and the implicit conversions the binder inserts.
//
// Rules (README.md has the full table):
//   text -> anything       parsed with value_text.h (strict: no spaces, whole text)
//   anything -> text       canonical text (FormatValue); timestamptz prints in UTC ("...Z")
//   numeric -> integer     rounded half away from zero (2.5 -> 3, -2.5 -> -3), then range
//                          checked; out of range is a row error, never wraparound
//   numeric -> decimal(p,s) rounded half away from zero to s digits; too many integer digits
//                          is a row error
//   float -> decimal       via the shortest text that reads back to the same double (0.1 -> 0.1)
//   bool <-> numeric       true is 1; non-zero is true
//   date <-> timestamp     midnight / the date part;   timestamp <-> timestamptz in the job zone
//   timestamp(tz) -> time  the time of day
// A failing row becomes NULL with an error such as
//   CAST('abc' AS BIGINT): 'abc' is not a valid int64
#pragma once

#include <string>

#include "expr/expression.h"
#include "expr/node.h"

namespace sluice::expr {

// Whether CAST from `from` to `to` is allowed at all (rows may still fail).
bool CanCast(const DataType& from, const DataType& to);

// `type_text` is how the target type is named in row errors: as the user wrote it for an
// explicit CAST ("BIGINT"), the type name for an implicit one. `context` must outlive the node.
NodePtr MakeCast(NodePtr operand, const DataType& to, std::string type_text, size_t offset,
                 const ExprContext* context);

}  // namespace sluice::expr
