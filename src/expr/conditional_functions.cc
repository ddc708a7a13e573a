// coalesce, ifnull, nullif, if: thin wrappers over the CASE and COALESCE nodes, so they share
// their lazy error rules.
#include "expr/functions.h"
#include "expr/logic.h"

namespace sluice::expr {

namespace {

Result<NodePtr> BindCoalesce(Binder& b, std::vector<NodePtr> args, size_t offset) {
  SLUICE_ASSIGN_OR_RETURN(DataType type, b.Unify(args, offset, "coalesce()"));
  if (type.id == TypeId::kNull) return args[0];
  return MakeCoalesce(type, offset, std::move(args));
}

// nullif(a, b): NULL when a = b, else a.
Result<NodePtr> BindNullIf(Binder& b, std::vector<NodePtr> args, size_t offset) {
  NodePtr value = args[0];
  if (value->type().id == TypeId::kNull) return value;
  SLUICE_ASSIGN_OR_RETURN(NodePtr equal, b.MakeComparison(Op::kEq, offset, args[0], args[1]));
  NodePtr null_value = MakeNullConstant(value->type(), offset);
  return MakeCase(value->type(), offset, {std::move(equal)}, {std::move(null_value)}, value);
}

// if(cond, a, b): a where cond is TRUE, b where it is FALSE or NULL.
Result<NodePtr> BindIf(Binder& b, std::vector<NodePtr> args, size_t offset) {
  NodePtr cond = args[0];
  TypeId id = cond->type().id;
  if (id != TypeId::kBool && id != TypeId::kNull) {
    return Err(b.ErrorAt(cond->offset(),
                         "if() expects a boolean condition, got " + TypeName(cond->type())));
  }
  std::vector<NodePtr> values{args[1], args[2]};
  SLUICE_ASSIGN_OR_RETURN(DataType type, b.Unify(values, offset, "if()"));
  return MakeCase(type, offset, {std::move(cond)}, {values[0]}, values[1]);
}

}  // namespace

void AddConditionalFunctions(std::vector<FunctionDef>& table) {
  table.push_back({"coalesce", 1, -1, &BindCoalesce});
  table.push_back({"ifnull", 2, 2, &BindCoalesce});
  table.push_back({"nullif", 2, 2, &BindNullIf});
  table.push_back({"if", 3, 3, &BindIf});
}

}  // namespace sluice::expr
