#include "connectors/mysql/binlog/column_def.h"

#include <algorithm>

namespace sluice::mysql::binlog {
namespace {

constexpr uint32_t kBinaryCollation = 63;

TypeId IntType(FieldType t, bool is_unsigned) {
  switch (t) {
    case FieldType::kTiny:
      return is_unsigned ? TypeId::kUInt8 : TypeId::kInt8;
    case FieldType::kShort:
      return is_unsigned ? TypeId::kUInt16 : TypeId::kInt16;
    case FieldType::kInt24:
    case FieldType::kLong:
      return is_unsigned ? TypeId::kUInt32 : TypeId::kInt32;
    default:
      return is_unsigned ? TypeId::kUInt64 : TypeId::kInt64;
  }
}

uint16_t Clamp16(uint32_t v) {
  return static_cast<uint16_t>(std::min<uint32_t>(v, UINT16_MAX));
}

DataType DefaultType(const TableMapColumn& c) {
  switch (c.type) {
    case FieldType::kTiny:
    case FieldType::kShort:
    case FieldType::kInt24:
    case FieldType::kLong:
    case FieldType::kLongLong:
      return DataType::Of(IntType(c.type, c.is_unsigned == 1));
    case FieldType::kFloat:
      return DataType::Of(TypeId::kFloat32);
    case FieldType::kDouble:
      return DataType::Of(TypeId::kFloat64);
    case FieldType::kNewDecimal:
      return DataType::Decimal(c.precision, c.scale);
    case FieldType::kYear:
      return DataType::Of(TypeId::kInt16);
    case FieldType::kDate:
    case FieldType::kNewDate:
      return DataType::Of(TypeId::kDate);
    case FieldType::kTime:
    case FieldType::kTime2:
      return DataType{TypeId::kTime, 0, c.scale};
    case FieldType::kDateTime:
    case FieldType::kDateTime2:
      return DataType{TypeId::kTimestamp, 0, c.scale};
    case FieldType::kTimestamp:
    case FieldType::kTimestamp2:
      return DataType{TypeId::kTimestampTz, 0, c.scale};
    case FieldType::kBit:
      return DataType::Of(TypeId::kUInt64);
    case FieldType::kJson:
      return DataType::Of(TypeId::kJson);
    case FieldType::kEnum:
    case FieldType::kSet:
      return DataType::Of(c.values.empty() ? TypeId::kUInt64 : TypeId::kString);
    case FieldType::kString:
      if (c.real_type == FieldType::kEnum || c.real_type == FieldType::kSet) {
        return DataType::Of(c.values.empty() ? TypeId::kUInt64 : TypeId::kString);
      }
      [[fallthrough]];
    case FieldType::kVarchar:
    case FieldType::kVarString:
      return DataType{c.collation == kBinaryCollation ? TypeId::kBytes : TypeId::kString,
                      Clamp16(c.length), 0};
    case FieldType::kTinyBlob:
    case FieldType::kMediumBlob:
    case FieldType::kLongBlob:
    case FieldType::kBlob:
      return DataType::Of(c.collation == 0 || c.collation == kBinaryCollation ? TypeId::kBytes
                                                                              : TypeId::kString);
    default:  // GEOMETRY, and types the row decoder refuses anyway
      return DataType::Of(TypeId::kBytes);
  }
}

}  // namespace

std::vector<ColumnDef> DefaultColumnDefs(const TableMap& map) {
  std::vector<ColumnDef> out;
  out.reserve(map.columns.size());
  for (size_t i = 0; i < map.columns.size(); ++i) {
    const TableMapColumn& c = map.columns[i];
    ColumnDef def;
    def.name = c.name.empty() ? "col" + std::to_string(i + 1) : c.name;
    def.type = DefaultType(c);
    out.push_back(std::move(def));
  }
  return out;
}

Schema SchemaOf(const std::vector<ColumnDef>& columns) {
  Schema schema;
  for (const ColumnDef& c : columns) schema.fields.push_back(Field{c.name, c.type});
  return schema;
}

}  // namespace sluice::mysql::binlog
