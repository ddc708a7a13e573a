#include "expr/arith.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "core/value_text.h"
#include "expr/decimal.h"

namespace sluice::expr {

namespace {

bool IsArithOp(Op op) {
  return op == Op::kAdd || op == Op::kSub || op == Op::kMul || op == Op::kDiv || op == Op::kMod;
}

DataType AsDecimal(const DataType& t) {
  if (t.id == TypeId::kDecimal) return t;
  return DataType::Decimal(DecimalDigitsOf(t.id), 0);
}

// Declared precision/scale of a decimal result, so targets can create a fitting column.
// Unconstrained (0, 0) when an input is unconstrained or the result would be absurdly wide.
DataType DecimalResultType(Op op, const DataType& a, const DataType& b) {
  DataType x = AsDecimal(a);
  DataType y = AsDecimal(b);
  if (x.precision == 0 || y.precision == 0) return DataType::Decimal(0, 0);
  int p1 = x.precision, s1 = x.scale, p2 = y.precision, s2 = y.scale;
  int precision = 0;
  int scale = 0;
  switch (op) {
    case Op::kMul:
      precision = p1 + p2;
      scale = s1 + s2;
      break;
    case Op::kDiv:
      scale = std::max({6, s1, s2});
      precision = (p1 - s1) + s2 + scale;
      break;
    default:  // + - %
      scale = std::max(s1, s2);
      precision = std::max(p1 - s1, p2 - s2) + scale + (op == Op::kMod ? 0 : 1);
      break;
  }
  if (precision > 1000) return DataType::Decimal(0, 0);
  return DataType::Decimal(static_cast<uint16_t>(precision), static_cast<uint16_t>(scale));
}

void AddError(RowErrors& errors, size_t row, std::string message) {
  errors.push_back(RowError{row, std::move(message)});
}

std::string IntText(Int128 v) {
  if (v < 0) return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{}", static_cast<uint64_t>(v));
}

double LoadDouble(const Column& c, size_t row, NumClass cls) {
  switch (cls) {
    case NumClass::kSigned:
      return static_cast<double>(c.GetInt(row));
    case NumClass::kUnsigned:
      return static_cast<double>(c.GetUInt(row));
    default:
      return c.GetDouble(row);
  }
}

// Loads an integer or decimal operand; false (with a row error) for malformed decimal text.
bool LoadDecimal(const Column& c, size_t row, NumClass cls, Decimal& out, RowErrors& errors) {
  switch (cls) {
    case NumClass::kSigned:
      out.SetInt(c.GetInt(row));
      return true;
    case NumClass::kUnsigned:
      out.SetUInt(c.GetUInt(row));
      return true;
    default:
      if (out.Parse(c.GetView(row))) return true;
      AddError(errors, row, fmt::format("'{}' is not a valid decimal", c.GetView(row)));
      return false;
  }
}

class ArithNode final : public ComputeNode {
 public:
  ArithNode(Op op, ArithPlan plan, size_t offset, NodePtr left, NodePtr right)
      : ComputeNode(plan.result, offset, {left, right}),
        op_(op),
        cls_(plan.cls),
        lc_(NumClassOf(left->type().id)),
        rc_(NumClassOf(right->type().id)),
        date_left_(left->type().id == TypeId::kDate) {}

 protected:
  void Compute(const std::vector<const Column*>& args, size_t rows, Column& out,
               RowErrors& errors) const override {
    const Column& a = *args[0];
    const Column& b = *args[1];
    switch (cls_) {
      case ArithClass::kInt:
      case ArithClass::kUInt:
        ComputeInt(a, b, rows, out, errors);
        return;
      case ArithClass::kFloat:
        ComputeFloat(a, b, rows, out, errors);
        return;
      case ArithClass::kDecimal:
        ComputeDecimal(a, b, rows, out, errors);
        return;
      case ArithClass::kDate:
      case ArithClass::kDateDiff:
        ComputeDate(a, b, rows, out, errors);
        return;
    }
  }

 private:
  // int64 op int64 for + - *: the common case, written straight into the output slots.
  template <typename OverflowOp>
  void ComputeSigned(const Column& a, const Column& b, size_t rows, Column& out, RowErrors& errors,
                     OverflowOp op) const {
    std::vector<uint8_t>& valid = out.mutable_validity();
    std::vector<int64_t>& fixed = out.mutable_fixed();
    valid.resize(rows);
    fixed.resize(rows);
    const uint8_t* av = a.validity().data();
    const uint8_t* bv = b.validity().data();
    const int64_t* ad = a.fixed().data();
    const int64_t* bd = b.fixed().data();
    for (size_t i = 0; i < rows; ++i) {
      int64_t r = 0;
      const bool overflow = op(ad[i], bd[i], &r);
      uint8_t v = av[i] & bv[i];
      if (overflow && v) [[unlikely]] {
        AddError(errors, i, fmt::format("{} {} {} overflows int64", ad[i], OpText(op_), bd[i]));
        v = 0;
      }
      valid[i] = v;
      fixed[i] = v ? r : 0;
    }
  }

  void ComputeInt(const Column& a, const Column& b, size_t rows, Column& out,
                  RowErrors& errors) const {
    if (lc_ == NumClass::kSigned && rc_ == NumClass::kSigned) {
      switch (op_) {
        case Op::kAdd:
          return ComputeSigned(a, b, rows, out, errors, [](int64_t x, int64_t y, int64_t* r) {
            return __builtin_add_overflow(x, y, r);
          });
        case Op::kSub:
          return ComputeSigned(a, b, rows, out, errors, [](int64_t x, int64_t y, int64_t* r) {
            return __builtin_sub_overflow(x, y, r);
          });
        case Op::kMul:
          return ComputeSigned(a, b, rows, out, errors, [](int64_t x, int64_t y, int64_t* r) {
            return __builtin_mul_overflow(x, y, r);
          });
        default:
          break;
      }
    }
    const bool lu = lc_ == NumClass::kUnsigned;
    const bool ru = rc_ == NumClass::kUnsigned;
    const bool to_unsigned = cls_ == ArithClass::kUInt;
    const Int128 lo = to_unsigned ? 0 : std::numeric_limits<int64_t>::min();
    const Int128 hi = to_unsigned ? static_cast<Int128>(std::numeric_limits<uint64_t>::max())
                                  : std::numeric_limits<int64_t>::max();
    for (size_t i = 0; i < rows; ++i) {
      if (a.IsNull(i) || b.IsNull(i)) {
        out.AppendNull();
        continue;
      }
      Int128 x = LoadInt128(a, i, lu);
      Int128 y = LoadInt128(b, i, ru);
      Int128 r = 0;
      bool overflow = false;
      switch (op_) {
        case Op::kAdd:
          r = x + y;
          break;  // 64-bit operands cannot overflow 128 bits
        case Op::kSub:
          r = x - y;
          break;
        case Op::kMul:
          overflow = __builtin_mul_overflow(x, y, &r);
          break;
        default:  // kMod (integer kDiv is planned as decimal)
          if (y == 0) {
            AddError(errors, i, fmt::format("division by zero: {} % 0", IntText(x)));
            out.AppendNull();
            continue;
          }
          r = x % y;
          break;
      }
      if (overflow || r < lo || r > hi) {
        AddError(errors, i,
                 fmt::format("{} {} {} overflows {}", IntText(x), OpText(op_), IntText(y),
                             to_unsigned ? "uint64" : "int64"));
        out.AppendNull();
        continue;
      }
      out.AppendInt(static_cast<int64_t>(r));
    }
  }

  void ComputeFloat(const Column& a, const Column& b, size_t rows, Column& out,
                    RowErrors& errors) const {
    for (size_t i = 0; i < rows; ++i) {
      if (a.IsNull(i) || b.IsNull(i)) {
        out.AppendNull();
        continue;
      }
      double x = LoadDouble(a, i, lc_);
      double y = LoadDouble(b, i, rc_);
      double r = 0;
      switch (op_) {
        case Op::kAdd:
          r = x + y;
          break;
        case Op::kSub:
          r = x - y;
          break;
        case Op::kMul:
          r = x * y;
          break;
        default:
          if (y == 0) {
            std::string xs;
            FormatDouble(x, xs);
            AddError(errors, i, fmt::format("division by zero: {} {} 0", xs, OpText(op_)));
            out.AppendNull();
            continue;
          }
          r = op_ == Op::kDiv ? x / y : std::fmod(x, y);
          break;
      }
      out.AppendDouble(r);
    }
  }

  void ComputeDecimal(const Column& a, const Column& b, size_t rows, Column& out,
                      RowErrors& errors) const {
    Decimal x, y, r;
    // A constant side (amount * 100) is parsed once, not once per row.
    const bool a_const = args_[0]->is_constant();
    const bool b_const = args_[1]->is_constant();
    bool a_loaded = false;
    bool b_loaded = false;
    for (size_t i = 0; i < rows; ++i) {
      if (a.IsNull(i) || b.IsNull(i) ||
          !((a_const && a_loaded) || LoadDecimal(a, i, lc_, x, errors)) ||
          !((b_const && b_loaded) || LoadDecimal(b, i, rc_, y, errors))) {
        out.AppendNull();
        continue;
      }
      a_loaded = a_const;
      b_loaded = b_const;
      bool ok = true;
      switch (op_) {
        case Op::kAdd:
          Decimal::Add(x, y, r);
          break;
        case Op::kSub:
          Decimal::Sub(x, y, r);
          break;
        case Op::kMul:
          Decimal::Mul(x, y, r);
          break;
        case Op::kDiv:
          ok = Decimal::Div(x, y, std::max({6, x.scale(), y.scale()}), r);
          break;
        default:
          ok = Decimal::Mod(x, y, r);
          break;
      }
      if (!ok) {
        AddError(
            errors, i,
            fmt::format("division by zero: {} {} {}", x.ToString(), OpText(op_), y.ToString()));
        out.AppendNull();
        continue;
      }
      r.AppendTo(out.MutableData());
      out.CommitVar();
    }
  }

  void ComputeDate(const Column& a, const Column& b, size_t rows, Column& out,
                   RowErrors& errors) const {
    static const int64_t kMinDay = DaysFromCivil(1, 1, 1);
    static const int64_t kMaxDay = DaysFromCivil(9999, 12, 31);
    for (size_t i = 0; i < rows; ++i) {
      if (a.IsNull(i) || b.IsNull(i)) {
        out.AppendNull();
        continue;
      }
      if (cls_ == ArithClass::kDateDiff) {
        out.AppendInt(a.GetInt(i) - b.GetInt(i));
        continue;
      }
      const Column& date = date_left_ ? a : b;
      const Column& days = date_left_ ? b : a;
      Int128 n = LoadInt128(days, i, (date_left_ ? rc_ : lc_) == NumClass::kUnsigned);
      Int128 r = op_ == Op::kSub ? date.GetInt(i) - n : date.GetInt(i) + n;
      if (r < kMinDay || r > kMaxDay) {
        std::string d;
        FormatDate(static_cast<int32_t>(date.GetInt(i)), d);
        AddError(errors, i,
                 fmt::format("date {} {} {} days is outside 0001-01-01..9999-12-31", d, OpText(op_),
                             IntText(n)));
        out.AppendNull();
        continue;
      }
      out.AppendInt(static_cast<int64_t>(r));
    }
  }

  Op op_;
  ArithClass cls_;
  NumClass lc_;
  NumClass rc_;
  bool date_left_;
};

class NegateNode final : public ComputeNode {
 public:
  NegateNode(DataType type, size_t offset, NodePtr operand)
      : ComputeNode(type, offset, {std::move(operand)}), cls_(NumClassOf(args_[0]->type().id)) {}

 protected:
  void Compute(const std::vector<const Column*>& args, size_t rows, Column& out,
               RowErrors& errors) const override {
    const Column& a = *args[0];
    for (size_t i = 0; i < rows; ++i) {
      if (a.IsNull(i)) {
        out.AppendNull();
        continue;
      }
      switch (cls_) {
        case NumClass::kFloat:
          out.AppendDouble(-a.GetDouble(i));
          break;
        case NumClass::kDecimal: {
          std::string_view v = a.GetView(i);
          std::string& data = out.MutableData();
          if (!v.empty() && v[0] == '-') {
            data.append(v.substr(1));
          } else if (v.find_first_not_of("0.") == std::string_view::npos) {
            data.append(v);  // zero has no sign
          } else {
            data.push_back('-');
            data.append(v);
          }
          out.CommitVar();
          break;
        }
        default: {
          Int128 x = LoadInt128(a, i, cls_ == NumClass::kUnsigned);
          Int128 r = -x;
          if (r < std::numeric_limits<int64_t>::min() || r > std::numeric_limits<int64_t>::max()) {
            AddError(errors, i, fmt::format("-({}) overflows int64", IntText(x)));
            out.AppendNull();
          } else {
            out.AppendInt(static_cast<int64_t>(r));
          }
          break;
        }
      }
    }
  }

 private:
  NumClass cls_;
};

}  // namespace

std::optional<ArithPlan> PlanArith(Op op, const DataType& a, const DataType& b) {
  if (!IsArithOp(op)) return std::nullopt;
  const bool a_int = IsInteger(a.id);
  const bool b_int = IsInteger(b.id);
  if (a.id == TypeId::kDate || b.id == TypeId::kDate) {
    if (a.id == TypeId::kDate && b.id == TypeId::kDate && op == Op::kSub) {
      return ArithPlan{ArithClass::kDateDiff, DataType::Of(TypeId::kInt64)};
    }
    if ((a.id == TypeId::kDate && b_int && (op == Op::kAdd || op == Op::kSub)) ||
        (b.id == TypeId::kDate && a_int && op == Op::kAdd)) {
      return ArithPlan{ArithClass::kDate, DataType::Of(TypeId::kDate)};
    }
    return std::nullopt;
  }
  NumClass ca = NumClassOf(a.id);
  NumClass cb = NumClassOf(b.id);
  if (ca == NumClass::kNone || cb == NumClass::kNone || a.id == TypeId::kBool ||
      b.id == TypeId::kBool) {
    return std::nullopt;
  }
  if (ca == NumClass::kFloat || cb == NumClass::kFloat) {
    return ArithPlan{ArithClass::kFloat, DataType::Of(TypeId::kFloat64)};
  }
  if (ca == NumClass::kDecimal || cb == NumClass::kDecimal || op == Op::kDiv) {
    return ArithPlan{ArithClass::kDecimal, DecimalResultType(op, a, b)};
  }
  if (ca == NumClass::kUnsigned && cb == NumClass::kUnsigned) {
    return ArithPlan{ArithClass::kUInt, DataType::Of(TypeId::kUInt64)};
  }
  return ArithPlan{ArithClass::kInt, DataType::Of(TypeId::kInt64)};
}

NodePtr MakeArith(Op op, const ArithPlan& plan, size_t offset, NodePtr left, NodePtr right) {
  return std::make_shared<ArithNode>(op, plan, offset, std::move(left), std::move(right));
}

NodePtr MakeNegate(size_t offset, NodePtr operand) {
  TypeId id = operand->type().id;
  NumClass cls = NumClassOf(id);
  if (cls == NumClass::kNone || id == TypeId::kBool) return nullptr;
  DataType type = operand->type();
  if (IsInteger(id)) type = DataType::Of(TypeId::kInt64);
  if (cls == NumClass::kFloat) type = DataType::Of(TypeId::kFloat64);
  return std::make_shared<NegateNode>(type, offset, std::move(operand));
}

}  // namespace sluice::expr
