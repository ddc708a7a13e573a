// The logical types sluice carries between systems.
//
// Every type maps to one of two physical layouts in a Column (see column.h):
//  - fixed: one int64 slot per row (booleans, integers, floats as bit patterns, dates, times);
//  - var:   bytes in one contiguous buffer addressed by offsets (text, binary, decimal, JSON,
//  UUID).
// Decimal travels as canonical text ("-12.3400", no exponent) so no digit is ever lost to a double.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {

enum class TypeId : uint8_t {
  kNull,  // the type of a NULL literal before it meets a real type
  kBool,  // fixed: 0 or 1
  kInt8,  // fixed: int64 value
  kInt16,
  kInt32,
  kInt64,
  kUInt8,  // fixed: uint64 value stored in the int64 slot
  kUInt16,
  kUInt32,
  kUInt64,
  kFloat32,      // fixed: the double holding the float (exact), as bits
  kFloat64,      // fixed: double bits
  kDecimal,      // var: canonical decimal text, precision/scale in DataType
  kString,       // var: UTF-8 text
  kBytes,        // var: raw bytes
  kDate,         // fixed: days since 1970-01-01 (proleptic Gregorian)
  kTime,         // fixed: microseconds; may be negative or over 24h (MySQL TIME)
  kTimestamp,    // fixed: microseconds since 1970-01-01 00:00 wall-clock, no zone
  kTimestampTz,  // fixed: microseconds since the Unix epoch, an instant (UTC)
  kJson,         // var: JSON text
  kUuid,         // var: canonical lowercase text, 36 chars
};

struct DataType {
  TypeId id = TypeId::kNull;
  // kDecimal: total digits and digits after the point; precision 0 means unconstrained.
  // kTime/kTimestamp/kTimestampTz: scale is the fractional-second digits (0..6), for DDL.
  // kString/kBytes: precision is a maximum length when known (0 = unbounded).
  uint16_t precision = 0;
  uint16_t scale = 0;

  static DataType Of(TypeId id) { return DataType{id, 0, 0}; }
  static DataType Decimal(uint16_t precision, uint16_t scale) {
    return DataType{TypeId::kDecimal, precision, scale};
  }

  bool operator==(const DataType&) const = default;
};

// Whether values of `id` live in the var-width buffer of a column.
constexpr bool IsVarWidth(TypeId id) {
  switch (id) {
    case TypeId::kDecimal:
    case TypeId::kString:
    case TypeId::kBytes:
    case TypeId::kJson:
    case TypeId::kUuid:
      return true;
    default:
      return false;
  }
}
constexpr bool IsSignedInteger(TypeId id) {
  return id >= TypeId::kInt8 && id <= TypeId::kInt64;
}
constexpr bool IsUnsignedInteger(TypeId id) {
  return id >= TypeId::kUInt8 && id <= TypeId::kUInt64;
}
constexpr bool IsInteger(TypeId id) {
  return IsSignedInteger(id) || IsUnsignedInteger(id);
}
// The bytes of an integer type's values (1, 2, 4, 8); 0 for any other type.
constexpr int IntegerBytes(TypeId id) {
  switch (id) {
    case TypeId::kInt8:
    case TypeId::kUInt8:
      return 1;
    case TypeId::kInt16:
    case TypeId::kUInt16:
      return 2;
    case TypeId::kInt32:
    case TypeId::kUInt32:
      return 4;
    case TypeId::kInt64:
    case TypeId::kUInt64:
      return 8;
    default:
      return 0;
  }
}
constexpr bool IsFloating(TypeId id) {
  return id == TypeId::kFloat32 || id == TypeId::kFloat64;
}
constexpr bool IsNumeric(TypeId id) {
  return IsInteger(id) || IsFloating(id) || id == TypeId::kDecimal;
}
constexpr bool IsTemporal(TypeId id) {
  return id == TypeId::kDate || id == TypeId::kTime || id == TypeId::kTimestamp ||
         id == TypeId::kTimestampTz;
}

// Lowercase names used in job files, plans and errors: "int64", "decimal(10,2)", "timestamptz".
std::string TypeName(const DataType& type);
const char* TypeIdName(TypeId id);
// Parses the names TypeName produces, plus common SQL spellings (bigint, varchar, text, ...).
std::optional<DataType> ParseTypeName(std::string_view name);

}  // namespace sluice
