// Numeric functions: abs, round, floor, ceil.
//
// Decimals stay exact: round(2.345, 2) is 2.35 (half away from zero) with no binary rounding
// on the way. Floats round half away from zero too, but through binary arithmetic, so
// round(2.675e0, 2) can give 2.67 as it does in every language using doubles.
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "expr/decimal.h"
#include "expr/functions.h"
#include "expr/row_function.h"
#include "expr/type_rules.h"

namespace sluice::expr {

namespace {

Result<NodePtr> ExpectNumber(Binder& b, NodePtr node, std::string_view what) {
  TypeId id = node->type().id;
  if (id == TypeId::kNull) return MakeNullConstant(DataType::Of(TypeId::kInt64), node->offset());
  if (NumClassOf(id) == NumClass::kNone || id == TypeId::kBool) {
    return Err(b.ErrorAt(node->offset(),
                         fmt::format("{} expects a number, got {}", what, TypeName(node->type()))));
  }
  return node;
}

// The type a function that keeps its argument's kind returns.
DataType Widened(const DataType& t) {
  if (IsSignedInteger(t.id)) return DataType::Of(TypeId::kInt64);
  if (IsUnsignedInteger(t.id)) return DataType::Of(TypeId::kUInt64);
  if (IsFloating(t.id)) return DataType::Of(TypeId::kFloat64);
  return t;
}

void AppendDecimal(const Decimal& d, Column& out) {
  d.AppendTo(out.MutableData());
  out.CommitVar();
}

bool ParseOrError(const Column& c, size_t row, Decimal& d, RowErrors& errors) {
  if (d.Parse(c.GetView(row))) return true;
  errors.push_back(RowError{row, fmt::format("'{}' is not a valid decimal", c.GetView(row))});
  return false;
}

Result<NodePtr> BindAbs(Binder& b, std::vector<NodePtr> args, size_t offset) {
  SLUICE_ASSIGN_OR_RETURN(args[0], ExpectNumber(b, std::move(args[0]), "abs()"));
  const NumClass cls = NumClassOf(args[0]->type().id);
  DataType type = Widened(args[0]->type());
  return MakeRowFunction(
      type, offset, std::move(args),
      [cls](const Args& a, size_t i, Column& out, RowErrors& errors) {
        const Column& c = *a[0];
        switch (cls) {
          case NumClass::kUnsigned:
            out.AppendInt(c.GetInt(i));
            break;
          case NumClass::kFloat:
            out.AppendDouble(std::fabs(c.GetDouble(i)));
            break;
          case NumClass::kDecimal: {
            std::string_view v = c.GetView(i);
            if (!v.empty() && v[0] == '-') v.remove_prefix(1);
            out.AppendBytes(v);
            break;
          }
          default: {
            int64_t v = c.GetInt(i);
            if (v == std::numeric_limits<int64_t>::min()) {
              errors.push_back(RowError{i, fmt::format("abs({}) overflows int64", v)});
              out.AppendNull();
            } else {
              out.AppendInt(v < 0 ? -v : v);
            }
          }
        }
      });
}

// Rounds an integer to 10^places (places > 0), half away from zero; false on overflow.
bool RoundInteger(Int128 v, int places, Int128& out) {
  Int128 unit = 1;
  for (int k = 0; k < places; ++k) {
    unit *= 10;
    if (unit > static_cast<Int128>(1e20)) {
      out = 0;
      return true;
    }
  }
  Int128 rem = v % unit;
  Int128 base = v - rem;
  if (rem * 2 >= unit) base += unit;
  if (rem * 2 <= -unit) base -= unit;
  out = base;
  return true;
}

Result<NodePtr> BindRound(Binder& b, std::vector<NodePtr> args, size_t offset) {
  SLUICE_ASSIGN_OR_RETURN(args[0], ExpectNumber(b, std::move(args[0]), "round()"));
  int64_t places = 0;
  if (args.size() > 1) {
    const auto* c = dynamic_cast<const ConstantNode*>(args[1].get());
    if (c == nullptr || !IsInteger(c->type().id) || c->is_null()) {
      return Err(b.ErrorAt(args[1]->offset(), "round() expects a constant integer of places"));
    }
    places = c->value().GetInt(0);
    if (places < -100 || places > 100) {
      return Err(b.ErrorAt(args[1]->offset(), "round() places must be within -100..100"));
    }
    args.pop_back();
  }
  const DataType in = args[0]->type();
  const NumClass cls = NumClassOf(in.id);
  DataType type = Widened(in);
  if (cls == NumClass::kDecimal) {
    int scale = static_cast<int>(std::max<int64_t>(places, 0));
    type = in.precision == 0
               ? DataType::Decimal(0, 0)
               : DataType::Decimal(static_cast<uint16_t>(in.precision - in.scale + scale + 1),
                                   static_cast<uint16_t>(scale));
  }
  const int n = static_cast<int>(places);
  return MakeRowFunction(
      type, offset, std::move(args),
      [cls, n](const Args& a, size_t i, Column& out, RowErrors& errors) {
        const Column& c = *a[0];
        switch (cls) {
          case NumClass::kFloat: {
            double scale = std::pow(10.0, n);
            out.AppendDouble(std::round(c.GetDouble(i) * scale) / scale);
            return;
          }
          case NumClass::kDecimal: {
            thread_local Decimal d;  // keeps its buffer from row to row
            if (!ParseOrError(c, i, d, errors)) {
              out.AppendNull();
              return;
            }
            d.Rescale(n);
            AppendDecimal(d, out);
            return;
          }
          default: {
            const bool is_unsigned = cls == NumClass::kUnsigned;
            Int128 v = LoadInt128(c, i, is_unsigned);
            Int128 r = v;
            if (n < 0) RoundInteger(v, -n, r);
            const Int128 hi = is_unsigned ? static_cast<Int128>(UINT64_MAX) : INT64_MAX;
            const Int128 lo = is_unsigned ? 0 : INT64_MIN;
            if (r > hi || r < lo) {
              errors.push_back(
                  RowError{i, fmt::format("round() of {} overflows", static_cast<int64_t>(v))});
              out.AppendNull();
              return;
            }
            out.AppendInt(static_cast<int64_t>(r));
          }
        }
      });
}

template <bool kCeil>
Result<NodePtr> BindFloorCeil(Binder& b, std::vector<NodePtr> args, size_t offset) {
  SLUICE_ASSIGN_OR_RETURN(args[0],
                          ExpectNumber(b, std::move(args[0]), kCeil ? "ceil()" : "floor()"));
  const DataType in = args[0]->type();
  const NumClass cls = NumClassOf(in.id);
  DataType type = Widened(in);
  if (cls == NumClass::kDecimal) {
    type = in.precision == 0
               ? DataType::Decimal(0, 0)
               : DataType::Decimal(static_cast<uint16_t>(in.precision - in.scale + 1), 0);
  }
  return MakeRowFunction(type, offset, std::move(args),
                         [cls](const Args& a, size_t i, Column& out, RowErrors& errors) {
                           const Column& c = *a[0];
                           if (cls == NumClass::kFloat) {
                             double v = c.GetDouble(i);
                             out.AppendDouble(kCeil ? std::ceil(v) : std::floor(v));
                           } else if (cls == NumClass::kDecimal) {
                             thread_local Decimal d;
                             if (!ParseOrError(c, i, d, errors)) {
                               out.AppendNull();
                               return;
                             }
                             kCeil ? d.Ceil() : d.Floor();
                             AppendDecimal(d, out);
                           } else {
                             out.AppendInt(c.GetInt(i));
                           }
                         });
}

}  // namespace

void AddNumericFunctions(std::vector<FunctionDef>& table) {
  table.push_back({"abs", 1, 1, &BindAbs});
  table.push_back({"round", 1, 2, &BindRound});
  table.push_back({"floor", 1, 1, &BindFloorCeil<false>});
  table.push_back({"ceil", 1, 1, &BindFloorCeil<true>});
  table.push_back({"ceiling", 1, 1, &BindFloorCeil<true>});
}

}  // namespace sluice::expr
