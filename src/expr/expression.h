// Expressions: the small SQL-like language of filters and computed columns.
//
//   amount > 0 AND status IN ('paid', 'shipped')
//   CASE WHEN amount IS NULL THEN 0 ELSE CAST(amount * 100 AS BIGINT) END
//   concat(upper(substr(name, 1, 1)), lower(substr(name, 2)))
//   date_format(gmt_create, '%Y-%m-%d') = '${bizdate:yyyy-MM-dd}'
//
// An expression is compiled once against the input schema (names resolved, types checked,
// constants folded) and then evaluated a whole batch at a time. Compile errors carry the
// 1-based character position in the expression text.
// Thread-safety: a compiled Expression is immutable; Evaluate may run on many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/batch.h"
#include "core/schema.h"
#include "core/status.h"
#include "core/time_zone.h"

namespace sluice {

struct ExprContext {
  TimeZone zone = TimeZone::Utc();  // for now(), date_format of instants, text timestamps
  int64_t now_micros = 0;           // now(): fixed per run so every row sees the same instant
  std::string bizdate;              // yyyyMMdd, for bizdate()
};

// A row whose value could not be computed (a failed CAST, division by zero): the row is
// rejected with this reason rather than silently turned into NULL.
struct RowError {
  size_t row = 0;
  std::string message;
};

class Expression {
 public:
  virtual ~Expression() = default;
  // Parses and type-checks `text` against `input`. Errors read like
  //   "at position 12: unknown column 'amout' (did you mean 'amount'?)".
  static Result<std::unique_ptr<Expression>> Compile(std::string_view text, const Schema& input,
                                                     const ExprContext& context);
  virtual const DataType& result_type() const = 0;
  // Computes the expression for every row of `batch` into `result` (cleared and retyped to
  // result_type() by this call). Rows that fail are NULL in `result` and listed in `errors`.
  virtual Status Evaluate(const Batch& batch, Column& result,
                          std::vector<RowError>& errors) const = 0;
  virtual const std::string& text() const = 0;
};

}  // namespace sluice
