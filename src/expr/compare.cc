#include "expr/compare.h"

#include <fmt/format.h>

#include "expr/decimal.h"
#include "expr/type_rules.h"

namespace sluice::expr {

namespace {

// Loads a numeric operand for an exact decimal comparison. Floats load exactly; NaN and
// infinities (which no decimal equals) are reported through `special`: +1 above every
// decimal, -1 below.
bool LoadExact(const Column& c, size_t row, NumClass cls, Decimal& out, int& special) {
  special = 0;
  switch (cls) {
    case NumClass::kSigned:
      out.SetInt(c.GetInt(row));
      return true;
    case NumClass::kUnsigned:
      out.SetUInt(c.GetUInt(row));
      return true;
    case NumClass::kFloat: {
      double d = c.GetDouble(row);
      if (out.SetDoubleExact(d)) return true;
      special = (std::isnan(d) || d > 0) ? 1 : -1;
      return true;
    }
    default:
      return out.Parse(c.GetView(row));
  }
}

class CompareNode final : public ComputeNode {
 public:
  CompareNode(Op op, CompareClass cls, size_t offset, NodePtr left, NodePtr right)
      : ComputeNode(DataType::Of(TypeId::kBool), offset, {left, right}),
        cls_(cls),
        lc_(NumClassOf(left->type().id)),
        rc_(NumClassOf(right->type().id)) {
    // The outcome for a comparison result of -1, 0, 1: a lookup instead of a branch per row.
    switch (op) {
      case Op::kEq:
        outcome_[0] = 0, outcome_[1] = 1, outcome_[2] = 0;
        break;
      case Op::kNe:
        outcome_[0] = 1, outcome_[1] = 0, outcome_[2] = 1;
        break;
      case Op::kLt:
        outcome_[0] = 1, outcome_[1] = 0, outcome_[2] = 0;
        break;
      case Op::kLe:
        outcome_[0] = 1, outcome_[1] = 1, outcome_[2] = 0;
        break;
      case Op::kGt:
        outcome_[0] = 0, outcome_[1] = 0, outcome_[2] = 1;
        break;
      default:
        outcome_[0] = 0, outcome_[1] = 1, outcome_[2] = 1;
        break;  // kGe
    }
  }

 protected:
  void Compute(const std::vector<const Column*>& args, size_t rows, Column& out,
               RowErrors& errors) const override {
    const Column& a = *args[0];
    const Column& b = *args[1];
    switch (cls_) {
      case CompareClass::kInt: {
        const bool lu = lc_ == NumClass::kUnsigned;
        const bool ru = rc_ == NumClass::kUnsigned;
        if (!lu && !ru) {
          Loop(a, b, rows, out, [&](size_t i) {
            int64_t x = a.GetInt(i), y = b.GetInt(i);
            return (x > y) - (x < y);
          });
        } else {
          Loop(a, b, rows, out, [&](size_t i) {
            Int128 x = LoadInt128(a, i, lu), y = LoadInt128(b, i, ru);
            return (x > y) - (x < y);
          });
        }
        return;
      }
      case CompareClass::kIntFloat:
        if (lc_ == NumClass::kFloat) {
          const bool ru = rc_ == NumClass::kUnsigned;
          Loop(a, b, rows, out, [&](size_t i) {
            return -CompareInt128Double(LoadInt128(b, i, ru), a.GetDouble(i));
          });
        } else {
          const bool lu = lc_ == NumClass::kUnsigned;
          Loop(a, b, rows, out,
               [&](size_t i) { return CompareInt128Double(LoadInt128(a, i, lu), b.GetDouble(i)); });
        }
        return;
      case CompareClass::kFloat:
        Loop(a, b, rows, out,
             [&](size_t i) { return CompareDouble(a.GetDouble(i), b.GetDouble(i)); });
        return;
      case CompareClass::kDecimal:
      case CompareClass::kDecimalFloat:
        CompareDecimals(a, b, rows, out, errors);
        return;
      case CompareClass::kFixed:
        Loop(a, b, rows, out, [&](size_t i) {
          int64_t x = a.GetInt(i), y = b.GetInt(i);
          return (x > y) - (x < y);
        });
        return;
      case CompareClass::kBytes:
        Loop(a, b, rows, out, [&](size_t i) {
          int c = a.GetView(i).compare(b.GetView(i));
          return (c > 0) - (c < 0);
        });
        return;
    }
  }

 private:
  // Writes the output slots directly; `cmp` may read garbage for NULL rows (their slots are
  // zero or stale, never out of bounds), whose result is then masked.
  template <typename Cmp>
  void Loop(const Column& a, const Column& b, size_t rows, Column& out, Cmp cmp) const {
    std::vector<uint8_t>& valid = out.mutable_validity();
    std::vector<int64_t>& fixed = out.mutable_fixed();
    valid.resize(rows);
    fixed.resize(rows);
    const uint8_t* av = a.validity().data();
    const uint8_t* bv = b.validity().data();
    for (size_t i = 0; i < rows; ++i) {
      const uint8_t v = av[i] & bv[i];
      valid[i] = v;
      fixed[i] = v & outcome_[cmp(i) + 1];
    }
  }

  void CompareDecimals(const Column& a, const Column& b, size_t rows, Column& out,
                       RowErrors& errors) const {
    Decimal x, y;
    // A constant side (amount > 5) is parsed once, not once per row.
    const bool a_const = args_[0]->is_constant();
    const bool b_const = args_[1]->is_constant();
    bool a_loaded = false;
    bool b_loaded = false;
    int sx = 0;
    int sy = 0;
    for (size_t i = 0; i < rows; ++i) {
      if (a.IsNull(i) || b.IsNull(i)) {
        out.AppendNull();
        continue;
      }
      const bool a_ok = (a_const && a_loaded) || LoadExact(a, i, lc_, x, sx);
      const bool b_ok = a_ok && ((b_const && b_loaded) || LoadExact(b, i, rc_, y, sy));
      if (!b_ok) {
        const Column& bad = a_ok ? b : a;
        errors.push_back(RowError{i, fmt::format("'{}' is not a valid decimal", bad.GetView(i))});
        out.AppendNull();
        continue;
      }
      a_loaded = a_const;
      b_loaded = b_const;
      int c = 0;
      if (sx != 0 || sy != 0) {
        c = (sx > sy) - (sx < sy);  // NaN/inf against NaN/inf or a finite value
      } else {
        c = Decimal::Compare(x, y);
      }
      out.AppendBool(outcome_[c + 1] != 0);
    }
  }

  CompareClass cls_;
  NumClass lc_;
  NumClass rc_;
  uint8_t outcome_[3] = {0, 0, 0};
};

}  // namespace

std::optional<CompareClass> PlanCompare(const DataType& a, const DataType& b) {
  const bool a_bool = a.id == TypeId::kBool;
  const bool b_bool = b.id == TypeId::kBool;
  if (a_bool || b_bool) {
    if (a_bool && b_bool) return CompareClass::kFixed;
    return std::nullopt;
  }
  NumClass ca = NumClassOf(a.id);
  NumClass cb = NumClassOf(b.id);
  if (ca != NumClass::kNone && cb != NumClass::kNone) {
    const bool a_dec = ca == NumClass::kDecimal;
    const bool b_dec = cb == NumClass::kDecimal;
    const bool a_float = ca == NumClass::kFloat;
    const bool b_float = cb == NumClass::kFloat;
    if ((a_dec && b_float) || (a_float && b_dec)) return CompareClass::kDecimalFloat;
    if (a_dec || b_dec) return CompareClass::kDecimal;
    if (a_float && b_float) return CompareClass::kFloat;
    if (a_float || b_float) return CompareClass::kIntFloat;
    return CompareClass::kInt;
  }
  if (IsTextLike(a.id) && IsTextLike(b.id)) return CompareClass::kBytes;
  if (IsTemporal(a.id) && a.id == b.id) return CompareClass::kFixed;
  return std::nullopt;
}

NodePtr MakeCompare(Op op, CompareClass cls, size_t offset, NodePtr left, NodePtr right) {
  return std::make_shared<CompareNode>(op, cls, offset, std::move(left), std::move(right));
}

}  // namespace sluice::expr
