#include "expr/node.h"

#include <algorithm>

namespace sluice::expr {

const Column& ColumnRefNode::Eval(const Batch& batch, size_t rows, Column& scratch,
                                  RowErrors& errors) const {
  const Column& column = batch.columns[index_];
  if (!column.has_unchanged()) return column;
  // A change that left this value unchanged did not send it: no expression can compute from
  // it, and reading it as NULL would write a wrong result. Those rows fail (and are rejected
  // with the reason); the others read a copy in which the cells hold NULL.
  scratch.Reset(type_);
  scratch.Reserve(rows, column.is_var() ? column.data().size() : 0);
  for (size_t i = 0; i < rows; ++i) {
    if (column.IsUnchanged(i)) {
      errors.push_back(RowError{
          i, "column '" + name_ +
                 "' holds no value: the change left it unchanged and the source did not send it "
                 "(a large PostgreSQL value; ALTER TABLE ... REPLICA IDENTITY FULL makes the "
                 "source send it)"});
      scratch.AppendNull();
    } else {
      scratch.AppendFrom(column, i);
    }
  }
  return scratch;
}

ConstantNode::ConstantNode(Column value, size_t offset)
    : Node(value.type(), offset), value_(std::move(value)) {}

const Column& ConstantNode::Eval(const Batch& batch, size_t rows, Column& scratch,
                                 RowErrors& errors) const {
  (void)batch;
  (void)errors;
  scratch.Reset(type_);
  if (value_.IsNull(0)) {
    scratch.Reserve(rows);
    for (size_t i = 0; i < rows; ++i) scratch.AppendNull();
    return scratch;
  }
  if (value_.is_var()) {
    std::string_view v = value_.GetView(0);
    scratch.Reserve(rows, v.size() * rows);
    for (size_t i = 0; i < rows; ++i) scratch.AppendBytes(v);
  } else {
    // Fill the slots directly: one resize instead of a push per row.
    scratch.mutable_validity().assign(rows, 1);
    scratch.mutable_fixed().assign(rows, value_.GetInt(0));
  }
  return scratch;
}

const Column& ComputeNode::Eval(const Batch& batch, size_t rows, Column& scratch,
                                RowErrors& errors) const {
  std::vector<ScratchColumn> scratches(args_.size());
  std::vector<const Column*> inputs(args_.size());
  for (size_t i = 0; i < args_.size(); ++i) {
    inputs[i] = &args_[i]->Eval(batch, rows, *scratches[i], errors);
  }
  scratch.Reset(type_);
  scratch.Reserve(rows);
  Compute(inputs, rows, scratch, errors);
  return scratch;
}

NodePtr MakeNullConstant(DataType type, size_t offset) {
  Column c(type);
  c.AppendNull();
  return std::make_shared<ConstantNode>(std::move(c), offset);
}

namespace {

// Borrowed columns of this thread. Kept as pointers so lending one out moves no Column.
std::vector<std::unique_ptr<Column>>& Pool() {
  thread_local std::vector<std::unique_ptr<Column>> pool;
  return pool;
}

}  // namespace

ScratchColumn::ScratchColumn() {
  auto& pool = Pool();
  if (pool.empty()) {
    column_ = std::make_unique<Column>();
  } else {
    column_ = std::move(pool.back());
    pool.pop_back();
  }
}

ScratchColumn::~ScratchColumn() {
  if (!column_) return;
  column_->Clear();
  Pool().push_back(std::move(column_));
}

void KeepErrorsWhere(const RowErrors& branch_errors, const std::vector<uint8_t>& taken,
                     RowErrors& errors) {
  for (const RowError& e : branch_errors) {
    if (e.row < taken.size() && taken[e.row]) errors.push_back(e);
  }
}

}  // namespace sluice::expr
