#include "connectors/mysql/binlog_stream/modified_column.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "connectors/mysql/binlog/charset.h"
#include "connectors/mysql/binlog/field_type.h"

namespace sluice::mysql::binlog_stream {
namespace {

using binlog::FieldType;
using binlog::TableMapColumn;

constexpr uint32_t kBinaryCollation = 63;

bool IsBlob(FieldType t) {
  return t == FieldType::kTinyBlob || t == FieldType::kBlob || t == FieldType::kMediumBlob ||
         t == FieldType::kLongBlob;
}

// CHAR and BINARY (a STRING that is no ENUM or SET), VARCHAR and VARBINARY, TEXT and BLOB.
enum class Kind { kFixed, kVarying, kBlob, kEnum, kSet, kInteger, kDecimal, kOther };

// The bytes of an integer binlog type, 0 for another.
int IntegerBytes(FieldType t) {
  switch (t) {
    case FieldType::kTiny:
      return 1;
    case FieldType::kShort:
      return 2;
    case FieldType::kInt24:
      return 3;
    case FieldType::kLong:
      return 4;
    case FieldType::kLongLong:
      return 8;
    default:
      return 0;
  }
}

Kind KindOf(const TableMapColumn& c) {
  if (c.type == FieldType::kString || c.type == FieldType::kEnum || c.type == FieldType::kSet) {
    if (c.real_type == FieldType::kEnum) return Kind::kEnum;
    if (c.real_type == FieldType::kSet) return Kind::kSet;
    return c.type == FieldType::kString ? Kind::kFixed : Kind::kOther;
  }
  if (c.type == FieldType::kVarchar || c.type == FieldType::kVarString) return Kind::kVarying;
  if (IsBlob(c.type) || IsBlob(c.real_type)) return Kind::kBlob;
  if (IntegerBytes(c.type) > 0) return Kind::kInteger;
  if (c.type == FieldType::kNewDecimal) return Kind::kDecimal;
  return Kind::kOther;
}

// The most bytes a value holds: its length for CHAR and VARCHAR, by the bytes of its length
// for TEXT and BLOB (1: 255, 2: 65,535, 3: 16 MiB, 4: 4 GiB).
uint64_t Capacity(const TableMapColumn& c) {
  if (KindOf(c) != Kind::kBlob) return c.length;
  const uint32_t bytes = std::min<uint32_t>(c.length, 4);
  return bytes == 0 ? std::numeric_limits<uint64_t>::max() : (uint64_t{1} << (8 * bytes)) - 1;
}

bool IsBinary(const TableMapColumn& c) {
  return c.collation == kBinaryCollation;
}

}  // namespace

bool SameBinlogType(const TableMapColumn& a, const TableMapColumn& b) {
  // Signedness and collation only when both maps carry them (binlog_row_metadata=FULL).
  const bool sign = a.is_unsigned < 0 || b.is_unsigned < 0 || a.is_unsigned == b.is_unsigned;
  const bool collation = a.collation == 0 || b.collation == 0 || a.collation == b.collation;
  return a.type == b.type && a.real_type == b.real_type && a.length == b.length &&
         a.precision == b.precision && a.scale == b.scale && a.values == b.values && sign &&
         collation;
}

ModifiedColumn JudgeModifiedColumn(const TableMapColumn& before, const TableMapColumn& now) {
  if (before.nullable && !now.nullable) {
    return {false, false,
            "it became NOT NULL, which turns its NULLs into '' or 0 without a row change in "
            "the binlog when the session was not in strict mode"};
  }
  const bool known_collations = before.collation != 0 && now.collation != 0;
  if (known_collations && IsBinary(before) != IsBinary(now)) {
    return {false, false, "it changed between text and bytes"};
  }
  if (known_collations &&
      binlog::CharsetOfCollation(before.collation) != binlog::CharsetOfCollation(now.collation)) {
    return {false, false, "its character set changed, which converts its values"};
  }
  if (SameBinlogType(before, now) ||
      (before.type == now.type && before.real_type == now.real_type &&
       before.length == now.length && before.values == now.values && known_collations)) {
    return {true, false, ""};  // a default, a comment, a collation of the same character set
  }
  const Kind was = KindOf(before);
  const Kind is = KindOf(now);
  if ((was == Kind::kEnum || was == Kind::kSet) && was == is) {
    const bool appended =
        now.values.size() >= before.values.size() &&
        std::equal(before.values.begin(), before.values.end(), now.values.begin());
    if (appended) return {true, false, ""};
    return {false, false, "its members changed other than by new ones at the end"};
  }
  if (was == Kind::kInteger && is == Kind::kInteger) {
    // Unsigned into wider of either kind, signed into wider signed; signedness must be known.
    const int before_bytes = IntegerBytes(before.type);
    const int now_bytes = IntegerBytes(now.type);
    const bool known = before.is_unsigned >= 0 && now.is_unsigned >= 0;
    const bool wider =
        known && now_bytes > before_bytes && (before.is_unsigned == 1 || now.is_unsigned == 0);
    if (wider) return {true, true, ""};
    return {false, false,
            known && before.is_unsigned != now.is_unsigned ? "its signedness changed"
                                                           : "it became narrower"};
  }
  if (was == Kind::kDecimal && is == Kind::kDecimal) {
    const bool wider =
        now.scale >= before.scale && now.precision - now.scale >= before.precision - before.scale;
    if (wider) return {true, true, ""};
    return {false, false, "it holds fewer digits before or after the point, which rounds values"};
  }
  const bool text_kinds = (was == Kind::kVarying && (is == Kind::kVarying || is == Kind::kBlob)) ||
                          (was == Kind::kBlob && is == Kind::kBlob) ||
                          (was == Kind::kFixed && is == Kind::kFixed && !IsBinary(now));
  if (!text_kinds) {
    return {false, false,
            was == Kind::kFixed && is == Kind::kFixed
                ? "a BINARY column's length changed, which pads its values with zero bytes"
                : "its type changed"};
  }
  if (Capacity(now) < Capacity(before)) return {false, false, "it became shorter"};
  return {true, true, ""};
}

DataType TypeOfWidened(const TableMapColumn& now, TypeId id) {
  const Kind kind = KindOf(now);
  if (kind == Kind::kInteger) {
    const bool unsigned_ = now.is_unsigned == 1;
    switch (IntegerBytes(now.type)) {
      case 1:
        return DataType::Of(unsigned_ ? TypeId::kUInt8 : TypeId::kInt8);
      case 2:
        return DataType::Of(unsigned_ ? TypeId::kUInt16 : TypeId::kInt16);
      case 3:
      case 4:
        return DataType::Of(unsigned_ ? TypeId::kUInt32 : TypeId::kInt32);
      default:
        return DataType::Of(unsigned_ ? TypeId::kUInt64 : TypeId::kInt64);
    }
  }
  if (kind == Kind::kDecimal) return DataType::Decimal(now.precision, now.scale);
  if (kind != Kind::kFixed && kind != Kind::kVarying) return DataType::Of(id);
  const uint32_t per_char =
      IsBinary(now) ? 1 : binlog::MaxBytesPerCharAtLeast(binlog::CharsetOfCollation(now.collation));
  const uint32_t chars = now.length / std::max<uint32_t>(per_char, 1);
  return DataType{id, static_cast<uint16_t>(std::min<uint32_t>(chars, 65535)), 0};
}

}  // namespace sluice::mysql::binlog_stream
