// Node: one operator of a compiled expression, evaluated a whole batch at a time.
//
// The binder (binder.h) builds an immutable tree of Nodes; Expression::Evaluate runs it on many
// threads at once, so Eval is const and keeps its working state on the stack or in the calling
// thread's scratch pool. Each node costs one virtual call per batch, never one per row.
//
// Row errors are values: a node that cannot compute a row appends a RowError and makes the
// row NULL. Conditional nodes (CASE, AND, OR, COALESCE) keep a branch's errors only for the
// rows where SQL would have evaluated that branch, so `CASE WHEN x = 0 THEN 0 ELSE 1 / x END`
// does not report a division by zero.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/column.h"
#include "core/types.h"
#include "expr/expression.h"

namespace sluice::expr {

using RowErrors = std::vector<RowError>;

class Node {
 public:
  Node(DataType type, size_t offset) : type_(type), offset_(offset) {}
  virtual ~Node() = default;

  // Computes `rows` values. Returns either `scratch` (reset to type() and filled) or a column
  // the node already holds (a column of `batch`, for a plain column reference), so reading a
  // column costs no copy.
  virtual const Column& Eval(const Batch& batch, size_t rows, Column& scratch,
                             RowErrors& errors) const = 0;

  // A literal or a folded constant subtree; constant nodes hold a one-row column.
  virtual bool is_constant() const { return false; }
  // Whether every input is a constant, so the binder may compute the node once at compile
  // time. Every function is deterministic within a run (now() is fixed per run).
  virtual bool foldable() const { return false; }

  const DataType& type() const { return type_; }
  size_t offset() const { return offset_; }

 protected:
  DataType type_;
  size_t offset_;  // byte offset in the expression text, for messages
};

using NodePtr = std::shared_ptr<const Node>;

// A column of the input batch.
class ColumnRefNode final : public Node {
 public:
  ColumnRefNode(DataType type, size_t offset, size_t index, std::string name)
      : Node(type, offset), index_(index), name_(std::move(name)) {}
  const Column& Eval(const Batch& batch, size_t rows, Column& scratch,
                     RowErrors& errors) const override;

 private:
  size_t index_;
  std::string name_;  // for the error of a cell that holds no value
};

// A constant: a literal or a folded literal-only subtree.
class ConstantNode final : public Node {
 public:
  // `value` holds exactly one row (possibly NULL) of type `type`.
  ConstantNode(Column value, size_t offset);
  const Column& Eval(const Batch& batch, size_t rows, Column& scratch,
                     RowErrors& errors) const override;
  bool is_constant() const override { return true; }
  const Column& value() const { return value_; }
  bool is_null() const { return value_.IsNull(0); }

 private:
  Column value_;
};

inline bool AllConstant(const std::vector<NodePtr>& nodes) {
  for (const NodePtr& n : nodes) {
    if (n && !n->is_constant()) return false;
  }
  return true;
}

// A node computed from its arguments: evaluates every argument for the whole batch, then hands
// the argument columns to Compute. Most operators and functions are ComputeNodes.
class ComputeNode : public Node {
 public:
  ComputeNode(DataType type, size_t offset, std::vector<NodePtr> args)
      : Node(type, offset), args_(std::move(args)) {}
  const Column& Eval(const Batch& batch, size_t rows, Column& scratch,
                     RowErrors& errors) const final;
  const std::vector<NodePtr>& args() const { return args_; }
  bool foldable() const override { return AllConstant(args_); }

 protected:
  // Fills `out` (already reset to type()) with `rows` values.
  virtual void Compute(const std::vector<const Column*>& args, size_t rows, Column& out,
                       RowErrors& errors) const = 0;

  std::vector<NodePtr> args_;
};

// Whether any argument is NULL at `row` (strict functions return NULL then).
inline bool AnyNull(const std::vector<const Column*>& args, size_t row) {
  for (const Column* c : args) {
    if (c->IsNull(row)) return true;
  }
  return false;
}

// A NULL of `type` (used when a NULL literal meets a typed operand).
NodePtr MakeNullConstant(DataType type, size_t offset);

// A pool of columns per thread so nodes can borrow scratch space without allocating once the
// pool is warm. Borrowed columns keep their capacity when returned.
class ScratchColumn {
 public:
  ScratchColumn();
  ~ScratchColumn();
  ScratchColumn(const ScratchColumn&) = delete;
  ScratchColumn& operator=(const ScratchColumn&) = delete;
  ScratchColumn(ScratchColumn&& other) noexcept : column_(std::move(other.column_)) {}

  Column& operator*() { return *column_; }
  Column* operator->() { return column_.get(); }

 private:
  std::unique_ptr<Column> column_;
};

// Appends `error` for each row of `branch_errors` whose `taken` byte is non-zero.
void KeepErrorsWhere(const RowErrors& branch_errors, const std::vector<uint8_t>& taken,
                     RowErrors& errors);

}  // namespace sluice::expr
