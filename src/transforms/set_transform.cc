// set: computes columns from expressions.
//
// Each assignment either replaces the column of the same name in place (possibly changing its
// type) or appends a new column at the end. Every expression of one set step reads the step's
// INPUT columns, so `set: {a: b, b: a}` swaps a and b; to build on a computed column, use a
// second set step. A row where any assignment fails is rejected once, with the first failure.
// An expression that is just NULL produces a string column of NULLs.
#include <fmt/format.h>

#include "transforms/transform_kinds.h"

namespace sluice {

namespace {

struct Assignment {
  std::string column;
  std::unique_ptr<Expression> expression;
  size_t target = 0;  // index in the output schema
  DataType type;      // output type (kNull results become string)
};

class SetTransform final : public Transform {
 public:
  SetTransform(size_t input_columns, std::vector<Assignment> assignments, std::string label)
      : input_columns_(input_columns),
        assignments_(std::move(assignments)),
        label_(std::move(label)) {}

  void Reshape(Schema& schema) const override {
    for (const Assignment& a : assignments_) {
      if (a.target < schema.fields.size()) {
        Field& field = schema.fields[a.target];
        field.type = a.type;
        field.nullable = true;
        field.ClearNative();  // a computed value, not the source's type
        field.null_rule.clear();
        field.absent_from_changes.clear();  // computed from other columns now
      } else {
        schema.fields.push_back(Field{a.column, a.type, true});
      }
    }
  }

  std::string Describe() const override {
    std::string out = "set ";
    for (size_t i = 0; i < assignments_.size(); ++i) {
      if (i > 0) out += ", ";
      out += fmt::format("{} = {}", assignments_[i].column, assignments_[i].expression->text());
    }
    return out;
  }

  Status Apply(Batch& batch, RejectSink& rejects) const override {
    if (batch.num_columns() != input_columns_) {
      return Status::Internal("{}: batch has {} columns, schema has {}", label_,
                              batch.num_columns(), input_columns_);
    }
    const size_t rows = batch.num_rows();
    // All values first, from the untouched input batch; then the batch changes shape.
    std::vector<Column> values(assignments_.size());
    thread_local std::vector<RowError> errors;
    thread_local std::vector<uint8_t> keep;
    keep.assign(rows, 1);
    size_t rejected = 0;
    for (size_t a = 0; a < assignments_.size(); ++a) {
      const Assignment& as = assignments_[a];
      SLUICE_RETURN_IF_ERROR(as.expression->Evaluate(batch, values[a], errors));
      if (as.type.id != values[a].id()) values[a] = NullColumn(as.type, rows);
      for (const RowError& e : errors) {
        if (!keep[e.row]) continue;  // one rejection per row
        keep[e.row] = 0;
        ++rejected;
        // A set never renames or moves a column: the input's names are the first ones of the
        // output, and the batch still has the input's columns.
        SLUICE_RETURN_IF_ERROR(rejects.Reject(output_schema(), batch, e.row, label_,
                                              fmt::format("{}: {}", as.column, e.message)));
      }
    }
    batch.row_count_without_columns = rows;
    for (size_t a = 0; a < assignments_.size(); ++a) {
      const size_t target = assignments_[a].target;
      if (target < batch.columns.size()) {
        batch.columns[target] = std::move(values[a]);
      } else {
        batch.columns.push_back(std::move(values[a]));
      }
    }
    if (rejected > 0) batch.Filter(keep);
    return Status::OK();
  }

 private:
  static Column NullColumn(DataType type, size_t rows) {
    Column c(type);
    c.Reserve(rows);
    for (size_t i = 0; i < rows; ++i) c.AppendNull();
    return c;
  }

  size_t input_columns_;
  std::vector<Assignment> assignments_;
  std::string label_;
};

}  // namespace

Result<std::unique_ptr<Transform>> MakeSetTransform(const TransformSpec& spec, const Schema& input,
                                                    const ExprContext& context, std::string label) {
  if (spec.assignments.empty()) return Err(Status::Invalid("no columns to set"));
  // The columns this step appends, looked up like the input's (Schema::IndexOf: exact first).
  Schema added;
  std::vector<Assignment> assignments;
  for (const auto& [column, text] : spec.assignments) {
    if (column.empty()) return Err(Status::Invalid("a column name is empty"));
    Result<std::unique_ptr<Expression>> e = Expression::Compile(text, input, context);
    if (!e.has_value()) {
      return Err(e.error().WithContext(fmt::format("column '{}'", column)));
    }
    Assignment a;
    a.column = column;
    a.type = (*e)->result_type();
    if (a.type.id == TypeId::kNull) a.type = DataType::Of(TypeId::kString);
    a.expression = std::move(*e);
    if (std::optional<size_t> existing = input.IndexOf(column)) {
      a.target = *existing;
    } else if (std::optional<size_t> again = added.IndexOf(column)) {
      a.target = input.size() + *again;
      added.fields[*again].type = a.type;
    } else {
      a.target = input.size() + added.size();
      added.fields.push_back(Field{column, a.type, true});
    }
    assignments.push_back(std::move(a));
  }
  return std::unique_ptr<Transform>(
      new SetTransform(input.size(), std::move(assignments), std::move(label)));
}

}  // namespace sluice
