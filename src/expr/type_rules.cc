#include "expr/type_rules.h"

#include <algorithm>

namespace sluice::expr {

int CompareInt128Double(Int128 a, double b) {
  if (std::isnan(b)) return -1;  // NaN sorts above every number
  // Every int64/uint64 lies well inside +-2^127, so these bounds settle huge doubles.
  constexpr double kTwo127 = 170141183460469231731687303715884105728.0;
  if (b >= kTwo127) return -1;
  if (b <= -kTwo127) return 1;
  double whole = std::trunc(b);
  Int128 w = static_cast<Int128>(whole);  // exact: |whole| < 2^127 and is an integer
  if (a != w) return a < w ? -1 : 1;
  if (b > whole) return -1;
  if (b < whole) return 1;
  return 0;
}

uint16_t DecimalDigitsOf(TypeId id) {
  switch (id) {
    case TypeId::kBool:
      return 1;
    case TypeId::kInt8:
      return 3;
    case TypeId::kUInt8:
      return 3;
    case TypeId::kInt16:
      return 5;
    case TypeId::kUInt16:
      return 5;
    case TypeId::kInt32:
      return 10;
    case TypeId::kUInt32:
      return 10;
    case TypeId::kInt64:
      return 19;
    case TypeId::kUInt64:
      return 20;
    default:
      return 0;
  }
}

namespace {

// decimal(p,s) joined with decimal(q,t): room for the larger integer part and larger scale.
DataType JoinDecimals(const DataType& a, const DataType& b) {
  auto as_decimal = [](const DataType& t) {
    if (t.id == TypeId::kDecimal) return t;
    return DataType::Decimal(DecimalDigitsOf(t.id), 0);
  };
  DataType x = as_decimal(a);
  DataType y = as_decimal(b);
  if (x.precision == 0 || y.precision == 0) return DataType::Decimal(0, 0);
  uint16_t scale = std::max(x.scale, y.scale);
  int int_digits = std::max(x.precision - x.scale, y.precision - y.scale);
  int precision = int_digits + scale;
  if (precision > 1000) return DataType::Decimal(0, 0);
  return DataType::Decimal(static_cast<uint16_t>(precision), scale);
}

}  // namespace

std::optional<DataType> CommonType(const DataType& a, const DataType& b) {
  if (a.id == TypeId::kNull) return b;
  if (b.id == TypeId::kNull) return a;
  if (a == b) return a;
  if (a.id == b.id) {
    if (a.id == TypeId::kDecimal) return JoinDecimals(a, b);
    return DataType::Of(a.id);  // e.g. two strings of different maximum lengths
  }
  NumClass ca = NumClassOf(a.id);
  NumClass cb = NumClassOf(b.id);
  bool a_bool = a.id == TypeId::kBool;
  bool b_bool = b.id == TypeId::kBool;
  if (ca != NumClass::kNone && cb != NumClass::kNone && !a_bool && !b_bool) {
    if (ca == NumClass::kFloat || cb == NumClass::kFloat) return DataType::Of(TypeId::kFloat64);
    if (ca == NumClass::kDecimal || cb == NumClass::kDecimal) return JoinDecimals(a, b);
    if (ca == NumClass::kUnsigned && cb == NumClass::kUnsigned) {
      return DataType::Of(TypeId::kUInt64);
    }
    // A signed type meets an unsigned one: int64 holds uint8..uint32 but not uint64.
    if (a.id == TypeId::kUInt64 || b.id == TypeId::kUInt64) return DataType::Decimal(20, 0);
    return DataType::Of(TypeId::kInt64);
  }
  if (IsTextLike(a.id) && IsTextLike(b.id)) {
    if (a.id == TypeId::kBytes || b.id == TypeId::kBytes) return DataType::Of(TypeId::kBytes);
    return DataType::Of(TypeId::kString);
  }
  auto temporal_rank = [](TypeId id) {
    switch (id) {
      case TypeId::kDate:
        return 1;
      case TypeId::kTimestamp:
        return 2;
      case TypeId::kTimestampTz:
        return 3;
      default:
        return 0;
    }
  };
  int ra = temporal_rank(a.id);
  int rb = temporal_rank(b.id);
  if (ra > 0 && rb > 0) return DataType::Of(ra > rb ? a.id : b.id);
  return std::nullopt;
}

}  // namespace sluice::expr
