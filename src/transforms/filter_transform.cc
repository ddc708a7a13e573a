// filter: keeps the rows where a boolean expression is TRUE.
//
// FALSE and NULL both drop the row (SQL WHERE semantics). A row whose expression fails (a bad
// CAST, a division by zero) is not silently dropped: it goes to the reject sink with the
// reason, then leaves the batch like a filtered row.
//
// On a change stream the target must end up as the filtered source, so the filter decides
// what a change does to the target rather than which images travel:
//   - an insert, or an update's new image, is kept when the row passes;
//   - a new image that fails removes the row: its old image (kept, see below) already does
//     so; without one (PostgreSQL sends none unless REPLICA IDENTITY FULL or the key moved)
//     the new image becomes a delete of its key, since the row may be in the target from
//     before the update;
//   - a delete and an update's old image are always kept: they remove a key, which is right
//     whether or not the row was in the target, and their image may hold only the key
//     (PostgreSQL's default replica identity), on which the filter cannot be judged.
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
      if (Removes(batch.kind(e.row))) continue;  // kept whatever the filter says
      SLUICE_RETURN_IF_ERROR(rejects.Reject(output_schema(), batch, e.row, label_, e.message));
    }
    keep.resize(rows);
    size_t kept = 0;
    const bool typed = result.id() == TypeId::kBool;  // a NULL literal filter keeps nothing
    for (size_t i = 0; i < rows; ++i) {
      keep[i] = typed && !result.IsNull(i) && result.GetBool(i) ? 1 : 0;
      kept += keep[i];
    }
    if (!batch.row_kinds.empty()) kept = KeepChanges(batch, keep, errors);
    if (kept < rows) batch.Filter(keep);
    return Status::OK();
  }

 private:
  static bool Removes(RowKind kind) {
    return kind == RowKind::kDelete || kind == RowKind::kUpdateBefore;
  }

  // The change-stream rules of the header, over `keep` (the rows that pass); returns the count
  // kept. A new image that failed to evaluate was rejected: it stays out.
  static size_t KeepChanges(Batch& batch, std::vector<uint8_t>& keep,
                            const std::vector<RowError>& errors) {
    thread_local std::vector<uint8_t> rejected;
    rejected.assign(keep.size(), 0);
    for (const RowError& e : errors) rejected[e.row] = 1;
    size_t kept = 0;
    for (size_t i = 0; i < keep.size(); ++i) {
      const RowKind kind = batch.row_kinds[i];
      if (Removes(kind)) {
        keep[i] = 1;
      } else if (kind == RowKind::kUpdateAfter && !keep[i] && !rejected[i]) {
        const bool has_old_image = i > 0 && batch.row_kinds[i - 1] == RowKind::kUpdateBefore;
        if (!has_old_image) {
          batch.row_kinds[i] = RowKind::kDelete;
          keep[i] = 1;
        }
      }
      kept += keep[i];
    }
    return kept;
  }

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
