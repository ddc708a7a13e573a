// RowFunctionNode: a strict function computed row by row by an inlined callable.
//
// Most scalar functions have the same shape: NULL in any argument gives NULL, otherwise a value
// computed from the row. The callable is a template parameter, so the per-row call is inlined
// rather than virtual; the node's single virtual call happens once per batch. State captured by
// the callable (a compiled regex, a parsed pattern) is built at bind time and only read here,
// which keeps Eval safe to run on many threads.
#pragma once

#include <utility>
#include <vector>

#include "expr/node.h"

namespace sluice::expr {

// `fn(args, row, out, errors)` appends exactly one value (or NULL, with an error) to `out`.
template <typename Fn>
class RowFunctionNode final : public ComputeNode {
 public:
  RowFunctionNode(DataType type, size_t offset, std::vector<NodePtr> args, Fn fn)
      : ComputeNode(type, offset, std::move(args)), fn_(std::move(fn)) {}

 protected:
  void Compute(const std::vector<const Column*>& args, size_t rows, Column& out,
               RowErrors& errors) const override {
    for (size_t i = 0; i < rows; ++i) {
      if (AnyNull(args, i)) {
        out.AppendNull();
      } else {
        fn_(args, i, out, errors);
      }
    }
  }

 private:
  Fn fn_;
};

template <typename Fn>
NodePtr MakeRowFunction(DataType type, size_t offset, std::vector<NodePtr> args, Fn fn) {
  return std::make_shared<RowFunctionNode<Fn>>(type, offset, std::move(args), std::move(fn));
}

using Args = std::vector<const Column*>;

}  // namespace sluice::expr
