// filter: keeps the rows where a boolean expression is TRUE.
//
// FALSE and NULL both drop the row (SQL WHERE semantics). A row whose expression fails (a bad
// CAST, a division by zero) is not silently dropped: it goes to the reject sink with the
// reason, then leaves the batch like a filtered row.
#include <fmt/format.h>

#include "transforms/transform_kinds.h"

namespace sluice {

namespace {

class FilterTransform final : public Transform {
 public:
  FilterTransform(size_t columns, std::unique_ptr<Expression> expression, std::string label)
      : columns_(columns), expression_(std::move(expression)), label_(std::move(label)) {}

  void Reshape(Schema&) const override {}
  std::string Describe() const override { return "filter " + expression_->text(); }

  Status Apply(Batch& batch, RejectSink& rejects) const override {
    if (batch.num_columns() != columns_) {
      return Status::Internal("{}: batch has {} columns, schema has {}", label_,
                              batch.num_columns(), columns_);
    }
    const size_t rows = batch.num_rows();
    if (rows == 0) return Status::OK();
    // Per-thread buffers: every reader thread runs this on its own batches, and reusing them
    // avoids an allocation per batch.
    thread_local Column result;
    thread_local std::vector<RowError> errors;
    thread_local std::vector<uint8_t> keep;
    SLUICE_RETURN_IF_ERROR(expression_->Evaluate(batch, result, errors));
    for (const RowError& e : errors) {
      SLUICE_RETURN_IF_ERROR(rejects.Reject(output_schema(), batch, e.row, label_, e.message));
    }
    keep.resize(rows);
    size_t kept = 0;
    const bool typed = result.id() == TypeId::kBool;  // a NULL literal filter keeps nothing
    for (size_t i = 0; i < rows; ++i) {
      keep[i] = typed && !result.IsNull(i) && result.GetBool(i) ? 1 : 0;
      kept += keep[i];
    }
    if (kept < rows) batch.Filter(keep);
    return Status::OK();
  }

 private:
  size_t columns_;
  std::unique_ptr<Expression> expression_;
  std::string label_;
};

}  // namespace

Result<std::unique_ptr<Transform>> MakeFilterTransform(const TransformSpec& spec,
                                                       const Schema& input,
                                                       const ExprContext& context,
                                                       std::string label) {
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<Expression> e,
                          Expression::Compile(spec.expression, input, context));
  TypeId id = e->result_type().id;
  if (id != TypeId::kBool && id != TypeId::kNull) {
    return Err(Status::Invalid("the filter must be a condition (boolean), but '{}' is {}",
                               spec.expression, TypeName(e->result_type())));
  }
  return std::unique_ptr<Transform>(
      new FilterTransform(input.size(), std::move(e), std::move(label)));
}

}  // namespace sluice
