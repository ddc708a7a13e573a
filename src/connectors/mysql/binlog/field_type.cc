#include "connectors/mysql/binlog/field_type.h"

namespace sluice::mysql::binlog {

const char* FieldTypeName(FieldType type) {
  switch (type) {
    case FieldType::kDecimal:
      return "DECIMAL";
    case FieldType::kTiny:
      return "TINY";
    case FieldType::kShort:
      return "SHORT";
    case FieldType::kLong:
      return "LONG";
    case FieldType::kFloat:
      return "FLOAT";
    case FieldType::kDouble:
      return "DOUBLE";
    case FieldType::kNull:
      return "NULL";
    case FieldType::kTimestamp:
      return "TIMESTAMP";
    case FieldType::kLongLong:
      return "LONGLONG";
    case FieldType::kInt24:
      return "INT24";
    case FieldType::kDate:
      return "DATE";
    case FieldType::kTime:
      return "TIME";
    case FieldType::kDateTime:
      return "DATETIME";
    case FieldType::kYear:
      return "YEAR";
    case FieldType::kNewDate:
      return "NEWDATE";
    case FieldType::kVarchar:
      return "VARCHAR";
    case FieldType::kBit:
      return "BIT";
    case FieldType::kTimestamp2:
      return "TIMESTAMP2";
    case FieldType::kDateTime2:
      return "DATETIME2";
    case FieldType::kTime2:
      return "TIME2";
    case FieldType::kTypedArray:
      return "TYPED_ARRAY";
    case FieldType::kVector:
      return "VECTOR";
    case FieldType::kJson:
      return "JSON";
    case FieldType::kNewDecimal:
      return "NEWDECIMAL";
    case FieldType::kEnum:
      return "ENUM";
    case FieldType::kSet:
      return "SET";
    case FieldType::kTinyBlob:
      return "TINY_BLOB";
    case FieldType::kMediumBlob:
      return "MEDIUM_BLOB";
    case FieldType::kLongBlob:
      return "LONG_BLOB";
    case FieldType::kBlob:
      return "BLOB";
    case FieldType::kVarString:
      return "VAR_STRING";
    case FieldType::kString:
      return "STRING";
    case FieldType::kGeometry:
      return "GEOMETRY";
  }
  return "UNKNOWN_FIELD_TYPE";
}

}  // namespace sluice::mysql::binlog
