// Binder: Ast -> Node tree. Resolves column names against the input schema, checks and
// converts types, picks the evaluator of each operator, and folds literal-only subtrees into
// constants (so 'x' || '20240101' is computed once, not once per row).
//
// Used once per Expression::Compile on the compiling thread. Function binders (functions.h)
// use its public helpers to check and convert their arguments.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/schema.h"
#include "core/status.h"
#include "expr/ast.h"
#include "expr/expression.h"
#include "expr/node.h"

namespace sluice::expr {

class Binder {
 public:
  // `context` must outlive every node built (the Expression owns both).
  Binder(std::string_view text, const Schema& schema, const ExprContext* context)
      : text_(text), schema_(schema), context_(context) {}

  Result<NodePtr> Bind(const Ast& ast);

  // --- helpers for function binders ------------------------------------------------------
  // "at position N: message" pointing at byte `offset` of the expression.
  Status ErrorAt(size_t offset, std::string_view message) const;
  const ExprContext* context() const { return context_; }

  // Converts `node` to `to` (an implicit CAST); an error if no conversion exists. A constant
  // text converted to a temporal or uuid type is parsed now, and a bad value is a compile
  // error pointing at it.
  Result<NodePtr> Convert(NodePtr node, const DataType& to);
  // Requires a text-like argument (string, bytes, json, uuid) or NULL; `what` names the
  // function in the message ("upper()").
  Result<NodePtr> ExpectText(NodePtr node, std::string_view what);
  // Requires an integer argument (or NULL, which becomes a NULL int64).
  Result<NodePtr> ExpectInteger(NodePtr node, std::string_view what);
  // The common type of `nodes` (see type_rules.h), converting each to it. Constant strings
  // meeting a temporal type are parsed as that type. `what` names the construct for errors.
  Result<DataType> Unify(std::vector<NodePtr>& nodes, size_t offset, std::string_view what);
  // Evaluates a literal-only node once; on a row error keeps it as it is, so the error is
  // reported per row (and only for rows that reach it, e.g. in an untaken CASE branch).
  NodePtr Fold(NodePtr node) const;
  // `left op right` for a comparison operator, with the coercions comparisons apply.
  Result<NodePtr> MakeComparison(Op op, size_t offset, NodePtr left, NodePtr right);

 private:
  Result<NodePtr> BindLiteral(const Ast& ast);
  Result<NodePtr> BindColumn(const Ast& ast);
  Result<NodePtr> BindUnary(const Ast& ast);
  Result<NodePtr> BindBinary(const Ast& ast);
  Result<NodePtr> BindArith(Op op, size_t offset, NodePtr left, NodePtr right);
  Result<NodePtr> BindLogic(Op op, size_t offset, NodePtr left, NodePtr right);
  Result<NodePtr> BindIn(const Ast& ast);
  Result<NodePtr> BindLike(const Ast& ast);
  Result<NodePtr> BindBetween(const Ast& ast);
  Result<NodePtr> BindCase(const Ast& ast);
  Result<NodePtr> BindCast(const Ast& ast);
  Result<NodePtr> BindCall(const Ast& ast);
  Result<NodePtr> ExpectBool(NodePtr node, std::string_view what);

  std::string_view text_;
  const Schema& schema_;
  const ExprContext* context_;
};

}  // namespace sluice::expr
