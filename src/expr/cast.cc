#include "expr/cast.h"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "core/value_text.h"
#include "expr/decimal.h"
#include "expr/type_rules.h"

namespace sluice::expr {

namespace {

constexpr bool IsNumericOrBool(TypeId id) {
  return IsNumeric(id) || id == TypeId::kBool;
}

// Target range of an integer type, as 128-bit bounds.
void IntegerRange(TypeId id, Int128& lo, Int128& hi) {
  switch (id) {
    case TypeId::kInt8:
      lo = INT8_MIN, hi = INT8_MAX;
      return;
    case TypeId::kInt16:
      lo = INT16_MIN, hi = INT16_MAX;
      return;
    case TypeId::kInt32:
      lo = INT32_MIN, hi = INT32_MAX;
      return;
    case TypeId::kInt64:
      lo = INT64_MIN, hi = INT64_MAX;
      return;
    case TypeId::kUInt8:
      lo = 0, hi = UINT8_MAX;
      return;
    case TypeId::kUInt16:
      lo = 0, hi = UINT16_MAX;
      return;
    case TypeId::kUInt32:
      lo = 0, hi = UINT32_MAX;
      return;
    default:
      lo = 0, hi = UINT64_MAX;
      return;
  }
}

int64_t FloorMod(int64_t a, int64_t b) {
  int64_t m = a % b;
  return m < 0 ? m + b : m;
}
int64_t FloorDiv(int64_t a, int64_t b) {
  return (a - FloorMod(a, b)) / b;
}

class CastNode final : public ComputeNode {
 public:
  CastNode(NodePtr operand, DataType to, std::string type_text, size_t offset,
           const ExprContext* context)
      : ComputeNode(to, offset, {std::move(operand)}),
        from_(args_[0]->type()),
        type_text_(std::move(type_text)),
        context_(context) {}

 protected:
  void Compute(const std::vector<const Column*>& args, size_t rows, Column& out,
               RowErrors& errors) const override {
    const Column& in = *args[0];
    for (size_t i = 0; i < rows; ++i) {
      if (in.IsNull(i)) {
        out.AppendNull();
        continue;
      }
      Status st = CastOne(in, i, out);
      if (!st.ok()) {
        errors.push_back(RowError{
            i, fmt::format("CAST({} AS {}): {}", ValueText(in, i), type_text_, st.message())});
        out.AppendNull();
      }
    }
  }

 private:
  // The value as it appears in an error: text quoted, everything else canonical.
  std::string ValueText(const Column& in, size_t row) const {
    std::string v;
    FormatValue(in, row, v);
    if (v.size() > 64) v = v.substr(0, 60) + "...";
    if (IsTextLike(from_.id) || IsTemporal(from_.id)) return fmt::format("'{}'", v);
    return v;
  }

  // Converts one non-NULL value and appends it to `out`; on error appends nothing.
  Status CastOne(const Column& in, size_t row, Column& out) const {
    const TypeId to = type_.id;
    const TypeId from = from_.id;
    if (IsTextLike(from)) return FromText(in.GetView(row), out);
    if (to == TypeId::kString || to == TypeId::kBytes || to == TypeId::kJson) {
      FormatValue(in, row, out.MutableData());
      out.CommitVar();
      return Status::OK();
    }
    if (IsNumericOrBool(from)) return FromNumber(in, row, out);
    return FromTemporal(in.GetInt(row), out);
  }

  Status FromText(std::string_view text, Column& out) const {
    if (type_.id == TypeId::kDecimal) {
      thread_local Decimal d;  // keeps its buffer from row to row
      if (!d.ParseScientific(text)) {
        // Let value_text explain what is wrong with the text.
        Result<std::string> canonical = CanonicalDecimal(text, 0, 0);
        return canonical.has_value() ? NotDecimal(text) : canonical.error();
      }
      return AppendDecimal(d, out);
    }
    return ParseAndAppend(text, out, context_->zone);
  }

  Status FromNumber(const Column& in, size_t row, Column& out) const {
    const TypeId to = type_.id;
    const NumClass cls = NumClassOf(from_.id);
    if (to == TypeId::kBool) {
      switch (cls) {
        case NumClass::kFloat:
          out.AppendBool(in.GetDouble(row) != 0);
          break;
        case NumClass::kDecimal: {
          thread_local Decimal d;
          if (!d.Parse(in.GetView(row))) return NotDecimal(in.GetView(row));
          out.AppendBool(!d.is_zero());
          break;
        }
        default:
          out.AppendBool(in.GetInt(row) != 0);
          break;
      }
      return Status::OK();
    }
    if (IsInteger(to)) return ToInteger(in, row, cls, out);
    if (IsFloating(to)) {
      double v = 0;
      switch (cls) {
        case NumClass::kSigned:
          v = static_cast<double>(in.GetInt(row));
          break;
        case NumClass::kUnsigned:
          v = static_cast<double>(in.GetUInt(row));
          break;
        case NumClass::kFloat:
          v = in.GetDouble(row);
          break;
        default: {
          thread_local Decimal d;
          if (!d.Parse(in.GetView(row))) return NotDecimal(in.GetView(row));
          v = d.ToDouble();
        }
      }
      if (to == TypeId::kFloat32) {
        float f = static_cast<float>(v);
        if (std::isinf(f) && std::isfinite(v)) {
          return Status::DataError("{} is out of range for float32", ValueText(in, row));
        }
        v = static_cast<double>(f);
      }
      out.AppendDouble(v);
      return Status::OK();
    }
    if (to == TypeId::kDecimal) {
      thread_local Decimal d;
      switch (cls) {
        case NumClass::kSigned:
          d.SetInt(in.GetInt(row));
          break;
        case NumClass::kUnsigned:
          d.SetUInt(in.GetUInt(row));
          break;
        case NumClass::kFloat: {
          double v = in.GetDouble(row);
          if (!std::isfinite(v)) return Status::DataError("not a finite number");
          thread_local std::string text;
          text.clear();
          if (from_.id == TypeId::kFloat32) {
            FormatFloat(static_cast<float>(v), text);
          } else {
            FormatDouble(v, text);
          }
          if (!d.ParseScientific(text)) return NotDecimal(text);
          break;
        }
        default:
          if (!d.Parse(in.GetView(row))) return NotDecimal(in.GetView(row));
      }
      return AppendDecimal(d, out);
    }
    return Status::Internal("no conversion from {} to {}", TypeName(from_), TypeName(type_));
  }

  Status ToInteger(const Column& in, size_t row, NumClass cls, Column& out) const {
    Int128 v = 0;
    switch (cls) {
      case NumClass::kSigned:
        v = in.GetInt(row);
        break;
      case NumClass::kUnsigned:
        v = static_cast<Int128>(in.GetUInt(row));
        break;
      case NumClass::kFloat: {
        double d = std::round(in.GetDouble(row));  // half away from zero
        if (!std::isfinite(d) || std::fabs(d) >= 1e30) {
          return OutOfRange(in, row);
        }
        v = static_cast<Int128>(d);
        break;
      }
      default: {
        thread_local Decimal d;
        if (!d.Parse(in.GetView(row))) return NotDecimal(in.GetView(row));
        int64_t s = 0;
        uint64_t u = 0;
        if (d.ToInt64(s)) {
          v = s;
        } else if (d.ToUInt64(u)) {
          v = static_cast<Int128>(u);
        } else {
          return OutOfRange(in, row);
        }
      }
    }
    Int128 lo = 0;
    Int128 hi = 0;
    IntegerRange(type_.id, lo, hi);
    if (v < lo || v > hi) return OutOfRange(in, row);
    out.AppendInt(static_cast<int64_t>(v));
    return Status::OK();
  }

  // Rounds to the target scale and checks the precision of a constrained decimal type.
  Status AppendDecimal(Decimal& d, Column& out) const {
    if (type_.precision > 0) {
      d.Rescale(type_.scale);
      if (d.IntegerDigits() > type_.precision - type_.scale) {
        return Status::DataError("{} does not fit decimal({},{})", d.ToString(), type_.precision,
                                 type_.scale);
      }
    }
    d.AppendTo(out.MutableData());
    out.CommitVar();
    return Status::OK();
  }

  Status FromTemporal(int64_t v, Column& out) const {
    const TimeZone& zone = context_->zone;
    const TypeId to = type_.id;
    // Everything goes through wall-clock micros, the common ground of all four types.
    int64_t local = 0;
    switch (from_.id) {
      case TypeId::kDate:
        local = v * kMicrosPerDay;
        break;
      case TypeId::kTimestamp:
        local = v;
        break;
      case TypeId::kTimestampTz:
        local = zone.UtcToLocalMicros(v);
        break;
      default:
        return Status::Internal("no conversion from {}", TypeName(from_));
    }
    switch (to) {
      case TypeId::kDate:
        out.AppendInt(FloorDiv(local, kMicrosPerDay));
        break;
      case TypeId::kTime:
        out.AppendInt(FloorMod(local, kMicrosPerDay));
        break;
      case TypeId::kTimestamp:
        out.AppendInt(local);
        break;
      case TypeId::kTimestampTz:
        out.AppendInt(from_.id == TypeId::kTimestampTz ? v : zone.LocalToUtcMicros(local));
        break;
      default:
        return Status::Internal("no conversion to {}", TypeName(type_));
    }
    return Status::OK();
  }

  Status OutOfRange(const Column& in, size_t row) const {
    return Status::DataError("{} is out of range for {}", ValueText(in, row), TypeName(type_));
  }

  static Status NotDecimal(std::string_view text) {
    return Status::DataError("'{}' is not a valid decimal", text);
  }

  DataType from_;
  std::string type_text_;
  const ExprContext* context_;
};

}  // namespace

bool CanCast(const DataType& from, const DataType& to) {
  const TypeId f = from.id;
  const TypeId t = to.id;
  if (f == TypeId::kNull || f == t) return true;
  if (t == TypeId::kNull) return false;
  if (IsTextLike(f)) return true;  // parsed per row
  if (t == TypeId::kString || t == TypeId::kBytes || t == TypeId::kJson) return true;
  if (IsNumericOrBool(f) && IsNumericOrBool(t)) return true;
  const bool f_point = f == TypeId::kDate || f == TypeId::kTimestamp || f == TypeId::kTimestampTz;
  return f_point && IsTemporal(t);
}

NodePtr MakeCast(NodePtr operand, const DataType& to, std::string type_text, size_t offset,
                 const ExprContext* context) {
  const DataType& from = operand->type();
  if (from.id == TypeId::kNull) return MakeNullConstant(to, offset);
  // Same type but for a length or fractional-second digits, which sluice does not enforce.
  if (from.id == to.id && to.id != TypeId::kDecimal) return operand;
  return std::make_shared<CastNode>(std::move(operand), to, std::move(type_text), offset, context);
}

}  // namespace sluice::expr
