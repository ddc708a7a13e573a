// Column type codes as they appear in TABLE_MAP events (enum_field_types of MySQL and MariaDB,
// which agree on every code used here).
#pragma once

#include <cstdint>

namespace sluice::mysql::binlog {

enum class FieldType : uint8_t {
  kDecimal = 0,  // pre-5.0 DECIMAL, never in row events of supported servers
  kTiny = 1,
  kShort = 2,
  kLong = 3,
  kFloat = 4,
  kDouble = 5,
  kNull = 6,
  kTimestamp = 7,  // pre-5.6 TIMESTAMP: 4-byte seconds
  kLongLong = 8,
  kInt24 = 9,
  kDate = 10,
  kTime = 11,      // pre-5.6 TIME: 3-byte HHMMSS
  kDateTime = 12,  // pre-5.6 DATETIME: 8-byte YYYYMMDDhhmmss
  kYear = 13,
  kNewDate = 14,
  kVarchar = 15,
  kBit = 16,
  kTimestamp2 = 17,
  kDateTime2 = 18,
  kTime2 = 19,
  kTypedArray = 20,  // MySQL 8 multi-valued index internals
  kVector = 242,     // MySQL 9
  kJson = 245,       // MySQL binary JSON (MariaDB's JSON is a BLOB)
  kNewDecimal = 246,
  kEnum = 247,
  kSet = 248,
  kTinyBlob = 249,
  kMediumBlob = 250,
  kLongBlob = 251,
  kBlob = 252,
  kVarString = 253,
  kString = 254,
  kGeometry = 255,
};

const char* FieldTypeName(FieldType type);

}  // namespace sluice::mysql::binlog
