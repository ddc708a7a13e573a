#include "expr/binder.h"

#include <charconv>

#include <fmt/format.h>

#include "core/value_text.h"
#include "expr/arith.h"
#include "expr/cast.h"
#include "expr/compare.h"
#include "expr/decimal.h"
#include "expr/functions.h"
#include "expr/in_list.h"
#include "expr/lexer.h"
#include "expr/like.h"
#include "expr/logic.h"
#include "expr/suggest.h"
#include "expr/type_rules.h"

namespace sluice::expr {

namespace {

NodePtr Literal(Column value, size_t offset) {
  return std::make_shared<ConstantNode>(std::move(value), offset);
}

bool IsComparison(Op op) {
  return op == Op::kEq || op == Op::kNe || op == Op::kLt || op == Op::kLe || op == Op::kGt ||
         op == Op::kGe;
}

// Types a constant text is parsed into when it meets them (in a comparison, CASE, IN).
bool ParsesConstantText(TypeId id) {
  return IsTemporal(id) || id == TypeId::kUuid;
}

// "20240131": eight digits, the business-date form.
bool IsCompactDate(std::string_view text) {
  if (text.size() != 8) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

Status Binder::ErrorAt(size_t offset, std::string_view message) const {
  return expr::ErrorAt(text_, offset, message);
}

NodePtr Binder::Fold(NodePtr node) const {
  if (node->is_constant() || !node->foldable()) return node;
  Batch one_row;  // no columns: a foldable node reads none
  one_row.row_count_without_columns = 1;
  Column scratch;
  RowErrors errors;
  const Column& value = node->Eval(one_row, 1, scratch, errors);
  if (!errors.empty()) return node;
  return Literal(value, node->offset());
}

Result<NodePtr> Binder::Convert(NodePtr node, const DataType& to) {
  const DataType& from = node->type();
  if (from == to) return node;
  if (from.id == TypeId::kNull) return MakeNullConstant(to, node->offset());
  if (!CanCast(from, to)) {
    return Err(ErrorAt(node->offset(),
                       fmt::format("cannot convert {} to {}", TypeName(from), TypeName(to))));
  }
  if (node->is_constant() && IsTextLike(from.id) && ParsesConstantText(to.id)) {
    std::string_view text = static_cast<const ConstantNode&>(*node).value().GetView(0);
    Column parsed(to);
    Status st = ParseAndAppend(text, parsed, context_->zone);
    if (!st.ok() && IsTemporal(to.id) && IsCompactDate(text)) {
      // bizdate() and ${bizdate} are yyyyMMdd: accept that form of a date literal too.
      std::string iso =
          fmt::format("{}-{}-{}", text.substr(0, 4), text.substr(4, 2), text.substr(6, 2));
      parsed.Reset(to);
      if (ParseAndAppend(iso, parsed, context_->zone).ok()) st = Status::OK();
    }
    if (!st.ok()) return Err(ErrorAt(node->offset(), st.message()));
    return Literal(std::move(parsed), node->offset());
  }
  return Fold(MakeCast(std::move(node), to, TypeName(to), 0, context_));
}

Result<NodePtr> Binder::ExpectText(NodePtr node, std::string_view what) {
  TypeId id = node->type().id;
  if (id == TypeId::kNull) return MakeNullConstant(DataType::Of(TypeId::kString), node->offset());
  if (!IsTextLike(id)) {
    return Err(ErrorAt(node->offset(),
                       fmt::format("{} expects text, got {}", what, TypeName(node->type()))));
  }
  return node;
}

Result<NodePtr> Binder::ExpectInteger(NodePtr node, std::string_view what) {
  TypeId id = node->type().id;
  if (id == TypeId::kNull) return MakeNullConstant(DataType::Of(TypeId::kInt64), node->offset());
  if (!IsInteger(id)) {
    return Err(ErrorAt(node->offset(),
                       fmt::format("{} expects an integer, got {}", what, TypeName(node->type()))));
  }
  return node;
}

Result<NodePtr> Binder::ExpectBool(NodePtr node, std::string_view what) {
  TypeId id = node->type().id;
  if (id == TypeId::kNull || id == TypeId::kBool) return node;
  return Err(ErrorAt(node->offset(),
                     fmt::format("{} expects a boolean, got {}", what, TypeName(node->type()))));
}

Result<DataType> Binder::Unify(std::vector<NodePtr>& nodes, size_t offset, std::string_view what) {
  (void)offset;
  bool parses_text = false;
  for (const NodePtr& n : nodes) parses_text |= ParsesConstantText(n->type().id);
  DataType common = DataType::Of(TypeId::kNull);
  for (const NodePtr& n : nodes) {
    // A constant text next to a date is a date literal; it takes the other side's type.
    if (parses_text && n->is_constant() && IsTextLike(n->type().id)) continue;
    std::optional<DataType> t = CommonType(common, n->type());
    if (!t) {
      return Err(ErrorAt(n->offset(), fmt::format("{} mixes {} and {}", what, TypeName(common),
                                                  TypeName(n->type()))));
    }
    common = *t;
  }
  if (common.id == TypeId::kNull && parses_text) common = DataType::Of(TypeId::kString);
  for (NodePtr& n : nodes) {
    if (common.id == TypeId::kNull) break;
    SLUICE_ASSIGN_OR_RETURN(n, Convert(n, common));
  }
  return common;
}

Result<NodePtr> Binder::MakeComparison(Op op, size_t offset, NodePtr left, NodePtr right) {
  const DataType a = left->type();
  const DataType b = right->type();
  if (a.id == TypeId::kNull || b.id == TypeId::kNull) {
    return MakeNullConstant(DataType::Of(TypeId::kBool), offset);
  }
  if (ParsesConstantText(a.id) && IsTextLike(b.id) && right->is_constant()) {
    SLUICE_ASSIGN_OR_RETURN(right, Convert(std::move(right), a));
  } else if (ParsesConstantText(b.id) && IsTextLike(a.id) && left->is_constant()) {
    SLUICE_ASSIGN_OR_RETURN(left, Convert(std::move(left), b));
  } else if (IsTemporal(a.id) && IsTemporal(b.id) && a.id != b.id) {
    // date < timestamp < timestamptz: the narrower side widens (in the job's time zone).
    if (std::optional<DataType> common = CommonType(a, b)) {
      SLUICE_ASSIGN_OR_RETURN(left, Convert(std::move(left), *common));
      SLUICE_ASSIGN_OR_RETURN(right, Convert(std::move(right), *common));
    }
  }
  std::optional<CompareClass> cls = PlanCompare(left->type(), right->type());
  if (!cls) {
    return Err(ErrorAt(offset, fmt::format("cannot compare {} with {}", TypeName(left->type()),
                                           TypeName(right->type()))));
  }
  return Fold(expr::MakeCompare(op, *cls, offset, std::move(left), std::move(right)));
}

Result<NodePtr> Binder::Bind(const Ast& ast) {
  switch (ast.kind) {
    case AstKind::kLiteral:
      return BindLiteral(ast);
    case AstKind::kColumn:
      return BindColumn(ast);
    case AstKind::kUnary:
      return BindUnary(ast);
    case AstKind::kBinary:
      return BindBinary(ast);
    case AstKind::kIsNull: {
      SLUICE_ASSIGN_OR_RETURN(NodePtr operand, Bind(*ast.args[0]));
      return Fold(MakeIsNull(ast.negated, ast.offset, std::move(operand)));
    }
    case AstKind::kIn:
      return BindIn(ast);
    case AstKind::kLike:
      return BindLike(ast);
    case AstKind::kBetween:
      return BindBetween(ast);
    case AstKind::kCase:
      return BindCase(ast);
    case AstKind::kCast:
      return BindCast(ast);
    case AstKind::kCall:
      return BindCall(ast);
  }
  return Err(Status::Internal("unknown expression node"));
}

Result<NodePtr> Binder::BindLiteral(const Ast& ast) {
  const std::string& t = ast.text;
  switch (ast.literal) {
    case LiteralKind::kNull: {
      return MakeNullConstant(DataType::Of(TypeId::kNull), ast.offset);
    }
    case LiteralKind::kBool: {
      Column c(DataType::Of(TypeId::kBool));
      c.AppendBool(t == "true");
      return Literal(std::move(c), ast.offset);
    }
    case LiteralKind::kInteger: {
      // The narrowest of int64, uint64 and decimal that holds the value.
      int64_t i = 0;
      auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), i);
      if (ec == std::errc() && p == t.data() + t.size()) {
        Column c(DataType::Of(TypeId::kInt64));
        c.AppendInt(i);
        return Literal(std::move(c), ast.offset);
      }
      uint64_t u = 0;
      auto [pu, ecu] = std::from_chars(t.data(), t.data() + t.size(), u);
      if (ecu == std::errc() && pu == t.data() + t.size()) {
        Column c(DataType::Of(TypeId::kUInt64));
        c.AppendUInt(u);
        return Literal(std::move(c), ast.offset);
      }
      [[fallthrough]];
    }
    case LiteralKind::kDecimal: {
      Decimal d;
      if (!d.Parse(t)) return Err(ErrorAt(ast.offset, fmt::format("bad number '{}'", t)));
      int precision = std::max(d.Digits(), d.scale());
      DataType type = precision > 1000 ? DataType::Decimal(0, 0)
                                       : DataType::Decimal(static_cast<uint16_t>(precision),
                                                           static_cast<uint16_t>(d.scale()));
      Column c(type);
      d.AppendTo(c.MutableData());
      c.CommitVar();
      return Literal(std::move(c), ast.offset);
    }
    case LiteralKind::kFloat: {
      Result<double> v = ParseDouble(t);
      if (!v.has_value()) return Err(ErrorAt(ast.offset, v.error().message()));
      Column c(DataType::Of(TypeId::kFloat64));
      c.AppendDouble(*v);
      return Literal(std::move(c), ast.offset);
    }
    case LiteralKind::kString: {
      Column c(DataType::Of(TypeId::kString));
      c.AppendBytes(t);
      return Literal(std::move(c), ast.offset);
    }
  }
  return Err(Status::Internal("unknown literal"));
}

Result<NodePtr> Binder::BindColumn(const Ast& ast) {
  std::optional<size_t> index = schema_.IndexOf(ast.text);
  if (!index) {
    return Err(ErrorAt(ast.offset, fmt::format("unknown column '{}'{}", ast.text,
                                               DidYouMean(ast.text, schema_.Names()))));
  }
  if (!schema_.fields[*index].absent_from_changes.empty()) {
    return Err(ErrorAt(ast.offset,
                       fmt::format("column '{}' cannot be read: the change stream never carries "
                                   "its value ({})",
                                   ast.text, schema_.fields[*index].absent_from_changes)));
  }
  return std::make_shared<ColumnRefNode>(schema_.fields[*index].type, ast.offset, *index,
                                         schema_.fields[*index].name);
}

Result<NodePtr> Binder::BindUnary(const Ast& ast) {
  SLUICE_ASSIGN_OR_RETURN(NodePtr operand, Bind(*ast.args[0]));
  if (ast.op == Op::kNot) {
    SLUICE_ASSIGN_OR_RETURN(operand, ExpectBool(std::move(operand), "NOT"));
    if (operand->type().id == TypeId::kNull) return operand;
    return Fold(MakeNot(ast.offset, std::move(operand)));
  }
  if (operand->type().id == TypeId::kNull) return operand;
  DataType type = operand->type();
  NodePtr negated = MakeNegate(ast.offset, std::move(operand));
  if (!negated) return Err(ErrorAt(ast.offset, fmt::format("cannot negate {}", TypeName(type))));
  return Fold(std::move(negated));
}

Result<NodePtr> Binder::BindBinary(const Ast& ast) {
  SLUICE_ASSIGN_OR_RETURN(NodePtr left, Bind(*ast.args[0]));
  SLUICE_ASSIGN_OR_RETURN(NodePtr right, Bind(*ast.args[1]));
  if (ast.op == Op::kAnd || ast.op == Op::kOr) {
    return BindLogic(ast.op, ast.offset, std::move(left), std::move(right));
  }
  if (IsComparison(ast.op)) {
    return MakeComparison(ast.op, ast.offset, std::move(left), std::move(right));
  }
  if (ast.op == Op::kConcat) {
    SLUICE_ASSIGN_OR_RETURN(NodePtr n, BindConcat(*this, {left, right}, ast.offset));
    return Fold(std::move(n));
  }
  return BindArith(ast.op, ast.offset, std::move(left), std::move(right));
}

Result<NodePtr> Binder::BindArith(Op op, size_t offset, NodePtr left, NodePtr right) {
  DataType a = left->type();
  DataType b = right->type();
  if (a.id == TypeId::kNull && b.id == TypeId::kNull) return left;
  // NULL takes the other operand's type, so `x + NULL` is a NULL of x's result type.
  if (a.id == TypeId::kNull) left = MakeNullConstant(a = b, left->offset());
  if (b.id == TypeId::kNull) right = MakeNullConstant(b = a, right->offset());
  // A non-negative integer literal next to an unsigned value is unsigned too, so
  // `id + 1` on a uint64 column stays uint64 instead of failing above 2^63.
  auto adapt = [&](NodePtr& lit, const DataType& other) -> Status {
    if (!IsUnsignedInteger(other.id) || !lit->is_constant() || !IsSignedInteger(lit->type().id)) {
      return Status::OK();
    }
    const auto& c = static_cast<const ConstantNode&>(*lit);
    if (!c.is_null() && c.value().GetInt(0) >= 0) {
      SLUICE_ASSIGN_OR_RETURN(lit, Convert(lit, DataType::Of(TypeId::kUInt64)));
    }
    return Status::OK();
  };
  SLUICE_RETURN_IF_ERROR(adapt(right, a));
  SLUICE_RETURN_IF_ERROR(adapt(left, b));
  std::optional<ArithPlan> plan = PlanArith(op, left->type(), right->type());
  if (!plan) {
    return Err(ErrorAt(offset, fmt::format("cannot apply '{}' to {} and {}", OpText(op),
                                           TypeName(a), TypeName(b))));
  }
  if (plan->cls == ArithClass::kFloat) {
    const DataType f64 = DataType::Of(TypeId::kFloat64);
    if (left->type().id == TypeId::kDecimal) {
      SLUICE_ASSIGN_OR_RETURN(left, Convert(left, f64));
    }
    if (right->type().id == TypeId::kDecimal) {
      SLUICE_ASSIGN_OR_RETURN(right, Convert(right, f64));
    }
  }
  return Fold(MakeArith(op, *plan, offset, std::move(left), std::move(right)));
}

Result<NodePtr> Binder::BindLogic(Op op, size_t offset, NodePtr left, NodePtr right) {
  SLUICE_ASSIGN_OR_RETURN(left, ExpectBool(std::move(left), OpText(op)));
  SLUICE_ASSIGN_OR_RETURN(right, ExpectBool(std::move(right), OpText(op)));
  return Fold(MakeAndOr(op == Op::kAnd, offset, std::move(left), std::move(right)));
}

Result<NodePtr> Binder::BindIn(const Ast& ast) {
  SLUICE_ASSIGN_OR_RETURN(NodePtr value, Bind(*ast.args[0]));
  std::vector<NodePtr> items;
  for (size_t i = 1; i < ast.args.size(); ++i) {
    SLUICE_ASSIGN_OR_RETURN(NodePtr item, Bind(*ast.args[i]));
    if (ParsesConstantText(value->type().id) && IsTextLike(item->type().id) &&
        item->is_constant()) {
      SLUICE_ASSIGN_OR_RETURN(item, Convert(std::move(item), value->type()));
    }
    items.push_back(std::move(item));
  }
  if (value->type().id != TypeId::kNull) {
    if (NodePtr set = MakeInSet(ast.negated, ast.offset, value, items)) return Fold(set);
  }
  // Otherwise x IN (a, b) is x = a OR x = b: the same three-valued result (NULL when nothing
  // matches and x or an item is NULL).
  NodePtr any;
  for (NodePtr& item : items) {
    SLUICE_ASSIGN_OR_RETURN(NodePtr eq, MakeComparison(Op::kEq, item->offset(), value, item));
    any = any ? Fold(MakeAndOr(false, ast.offset, std::move(any), std::move(eq))) : eq;
  }
  if (ast.negated) any = Fold(MakeNot(ast.offset, std::move(any)));
  return any;
}

Result<NodePtr> Binder::BindLike(const Ast& ast) {
  SLUICE_ASSIGN_OR_RETURN(NodePtr text, Bind(*ast.args[0]));
  SLUICE_ASSIGN_OR_RETURN(text, ExpectText(std::move(text), "LIKE"));
  SLUICE_ASSIGN_OR_RETURN(NodePtr pattern, Bind(*ast.args[1]));
  SLUICE_ASSIGN_OR_RETURN(pattern, ExpectText(std::move(pattern), "LIKE"));
  NodePtr escape;
  if (ast.args.size() > 2) {
    SLUICE_ASSIGN_OR_RETURN(escape, Bind(*ast.args[2]));
    const auto* c = dynamic_cast<const ConstantNode*>(escape.get());
    if (c == nullptr || !IsTextLike(c->type().id) || c->value().GetView(0).size() > 1) {
      return Err(ErrorAt(escape->offset(), "ESCAPE expects a constant of one character"));
    }
  }
  return Fold(
      MakeLike(ast.negated, ast.offset, std::move(text), std::move(pattern), std::move(escape)));
}

Result<NodePtr> Binder::BindBetween(const Ast& ast) {
  SLUICE_ASSIGN_OR_RETURN(NodePtr value, Bind(*ast.args[0]));
  SLUICE_ASSIGN_OR_RETURN(NodePtr low, Bind(*ast.args[1]));
  SLUICE_ASSIGN_OR_RETURN(NodePtr high, Bind(*ast.args[2]));
  SLUICE_ASSIGN_OR_RETURN(NodePtr ge, MakeComparison(Op::kGe, ast.offset, value, low));
  SLUICE_ASSIGN_OR_RETURN(NodePtr le, MakeComparison(Op::kLe, ast.offset, value, high));
  NodePtr both = Fold(MakeAndOr(true, ast.offset, std::move(ge), std::move(le)));
  if (ast.negated) return Fold(MakeNot(ast.offset, std::move(both)));
  return both;
}

Result<NodePtr> Binder::BindCase(const Ast& ast) {
  size_t i = 0;
  NodePtr operand;
  if (ast.has_operand) {
    SLUICE_ASSIGN_OR_RETURN(operand, Bind(*ast.args[i++]));
  }
  const size_t end = ast.args.size() - (ast.has_else ? 1 : 0);
  std::vector<NodePtr> conditions;
  std::vector<NodePtr> results;
  for (; i < end; i += 2) {
    SLUICE_ASSIGN_OR_RETURN(NodePtr when, Bind(*ast.args[i]));
    if (operand) {
      SLUICE_ASSIGN_OR_RETURN(when, MakeComparison(Op::kEq, when->offset(), operand, when));
    } else {
      SLUICE_ASSIGN_OR_RETURN(when, ExpectBool(std::move(when), "WHEN"));
    }
    conditions.push_back(std::move(when));
    SLUICE_ASSIGN_OR_RETURN(NodePtr then, Bind(*ast.args[i + 1]));
    results.push_back(std::move(then));
  }
  if (ast.has_else) {
    SLUICE_ASSIGN_OR_RETURN(NodePtr otherwise, Bind(*ast.args.back()));
    results.push_back(std::move(otherwise));
  }
  SLUICE_ASSIGN_OR_RETURN(DataType type, Unify(results, ast.offset, "CASE"));
  NodePtr otherwise;
  if (ast.has_else) {
    otherwise = results.back();
    results.pop_back();
  }
  return Fold(
      MakeCase(type, ast.offset, std::move(conditions), std::move(results), std::move(otherwise)));
}

Result<NodePtr> Binder::BindCast(const Ast& ast) {
  SLUICE_ASSIGN_OR_RETURN(NodePtr operand, Bind(*ast.args[0]));
  if (!CanCast(operand->type(), ast.cast_type)) {
    return Err(ErrorAt(ast.offset, fmt::format("cannot cast {} to {}", TypeName(operand->type()),
                                               TypeName(ast.cast_type))));
  }
  return Fold(
      MakeCast(std::move(operand), ast.cast_type, ast.cast_type_text, ast.offset, context_));
}

Result<NodePtr> Binder::BindCall(const Ast& ast) {
  const FunctionDef* def = FindFunction(ast.text);
  if (def == nullptr) {
    return Err(ErrorAt(ast.offset, fmt::format("unknown function '{}'{}", ast.text,
                                               DidYouMean(ast.text, FunctionNames()))));
  }
  const int n = static_cast<int>(ast.args.size());
  if (n < def->min_args || (def->max_args >= 0 && n > def->max_args)) {
    std::string expected;
    if (def->max_args < 0) {
      expected = fmt::format("at least {}", def->min_args);
    } else if (def->min_args == def->max_args) {
      expected = fmt::format("{}", def->min_args);
    } else {
      expected = fmt::format("{} to {}", def->min_args, def->max_args);
    }
    return Err(ErrorAt(ast.offset, fmt::format("{}() takes {} argument{}, got {}", ast.text,
                                               expected, expected == "1" ? "" : "s", n)));
  }
  std::vector<NodePtr> args;
  for (const AstPtr& a : ast.args) {
    SLUICE_ASSIGN_OR_RETURN(NodePtr arg, Bind(*a));
    args.push_back(std::move(arg));
  }
  SLUICE_ASSIGN_OR_RETURN(NodePtr node, def->bind(*this, std::move(args), ast.offset));
  return Fold(std::move(node));
}

}  // namespace sluice::expr
