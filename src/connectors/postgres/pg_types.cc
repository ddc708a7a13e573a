#include "connectors/postgres/pg_types.h"

#include <fmt/format.h>

namespace sluice::postgres {
namespace {

// numeric's typmod: ((precision << 16) | scale) + 4; PostgreSQL 15 allows a negative scale
// (numeric(5,-2) rounds to hundreds) and a scale above the precision (numeric(3,5)).
DataType NumericType(int32_t typmod) {
  if (typmod < 4) return DataType::Decimal(0, 0);
  const int precision = ((typmod - 4) >> 16) & 0xffff;
  int scale = (typmod - 4) & 0x7ff;
  if (scale & 0x400) scale -= 0x800;  // sign-extend the 11-bit scale
  if (scale < 0) return DataType::Decimal(static_cast<uint16_t>(precision - scale), 0);
  if (scale > precision)
    return DataType::Decimal(static_cast<uint16_t>(scale), static_cast<uint16_t>(scale));
  return DataType::Decimal(static_cast<uint16_t>(precision), static_cast<uint16_t>(scale));
}

DataType WithScale(TypeId id, int32_t typmod) {
  DataType t = DataType::Of(id);
  t.scale = static_cast<uint16_t>(typmod >= 0 && typmod <= 6 ? typmod : 6);
  return t;
}

DataType StringOf(int32_t typmod) {
  DataType t = DataType::Of(TypeId::kString);
  if (typmod > 4) t.precision = static_cast<uint16_t>(std::min(typmod - 4, 65535));
  return t;
}

ReadMapping Mapped(DataType type, Wire wire, std::string select = "{}") {
  return ReadMapping{type, wire, std::move(select)};
}

// Types read as their PostgreSQL text form: no sluice type holds them exactly, but their text
// goes back into the same PostgreSQL type unchanged.
bool ReadAsText(uint32_t type_oid) {
  switch (type_oid) {
    case oid::kInterval:
    case oid::kTimeTz:
    case oid::kInet:
    case oid::kCidr:
    case oid::kMacaddr:
    case oid::kMacaddr8:
    case oid::kBit:
    case oid::kVarbit:
    case oid::kXml:
    case oid::kChar:
    case oid::kPgLsn:
      return true;
    default:
      return false;
  }
}

bool IsSmallInteger(TypeId id) {  // exact in float4
  return id == TypeId::kInt8 || id == TypeId::kInt16 || id == TypeId::kUInt8 ||
         id == TypeId::kUInt16;
}

}  // namespace

Result<ReadMapping> MapForRead(const PgType& t, bool unknown_as_text) {
  switch (t.oid) {
    case oid::kBool:
      return Mapped(DataType::Of(TypeId::kBool), Wire::kBool);
    case oid::kInt2:
      return Mapped(DataType::Of(TypeId::kInt16), Wire::kInt2);
    case oid::kInt4:
      return Mapped(DataType::Of(TypeId::kInt32), Wire::kInt4);
    case oid::kInt8:
      return Mapped(DataType::Of(TypeId::kInt64), Wire::kInt8);
    case oid::kOid:
      return Mapped(DataType::Of(TypeId::kUInt32), Wire::kOid);
    case oid::kFloat4:
      return Mapped(DataType::Of(TypeId::kFloat32), Wire::kFloat4);
    case oid::kFloat8:
      return Mapped(DataType::Of(TypeId::kFloat64), Wire::kFloat8);
    case oid::kNumeric:
      return Mapped(NumericType(t.typmod), Wire::kNumeric);
    case oid::kMoney:  // money's binary form depends on lc_monetary; numeric does not
      return Mapped(DataType::Decimal(0, 0), Wire::kNumeric, "{}::numeric");
    case oid::kText:
    case oid::kName:
      return Mapped(DataType::Of(TypeId::kString), Wire::kText);
    case oid::kVarchar:
    case oid::kBpchar:
      return Mapped(StringOf(t.typmod), Wire::kText);
    case oid::kBytea:
      return Mapped(DataType::Of(TypeId::kBytes), Wire::kBytea);
    case oid::kDate:
      return Mapped(DataType::Of(TypeId::kDate), Wire::kDate);
    case oid::kTime:
      return Mapped(WithScale(TypeId::kTime, t.typmod), Wire::kTime);
    case oid::kTimestamp:
      return Mapped(WithScale(TypeId::kTimestamp, t.typmod), Wire::kTimestamp);
    case oid::kTimestampTz:
      return Mapped(WithScale(TypeId::kTimestampTz, t.typmod), Wire::kTimestampTz);
    case oid::kUuid:
      return Mapped(DataType::Of(TypeId::kUuid), Wire::kUuid);
    case oid::kJson:
      return Mapped(DataType::Of(TypeId::kJson), Wire::kText);
    case oid::kJsonb:
      return Mapped(DataType::Of(TypeId::kJson), Wire::kJsonb);
    default:
      break;
  }
  if (t.oid == oid::kInet) {
    // inet::text always appends the netmask ("10.0.0.1/32"); format() uses the type's own
    // output ("10.0.0.1"). format('%s', NULL) is '', which no inet prints, so NULLIF keeps
    // NULL apart.
    return Mapped(DataType::Of(TypeId::kString), Wire::kText, "NULLIF(format('%s', {}), '')");
  }
  if (ReadAsText(t.oid) || t.category == 'S') {
    return Mapped(DataType::Of(TypeId::kString), Wire::kText, "{}::text");
  }
  if (t.typtype == 'e') {  // an enum's binary form is its label
    return Mapped(DataType::Of(TypeId::kString), Wire::kText);
  }
  if (t.category == 'A') {
    // to_json keeps numbers as numbers and nests multi-dimensional arrays; lower bounds
    // other than 1 are not kept.
    return Mapped(DataType::Of(TypeId::kJson), Wire::kText, "to_json({})");
  }
  if (unknown_as_text) return Mapped(DataType::Of(TypeId::kString), Wire::kText, "{}::text");
  return Err(Status::Invalid(
      "type '{}' is not supported (set unknown_types: text to read it as its text form)",
      t.declared.empty() ? t.name : t.declared));
}

std::string PgTypeFor(const DataType& type) {
  switch (type.id) {
    case TypeId::kNull:
      return "text";
    case TypeId::kBool:
      return "boolean";
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kUInt8:
      return "smallint";
    case TypeId::kInt32:
    case TypeId::kUInt16:
      return "integer";
    case TypeId::kInt64:
    case TypeId::kUInt32:
      return "bigint";
    case TypeId::kUInt64:
      return "numeric(20,0)";
    case TypeId::kFloat32:
      return "real";
    case TypeId::kFloat64:
      return "double precision";
    case TypeId::kDecimal:
      if (type.precision == 0) return "numeric";
      return fmt::format("numeric({},{})", type.precision, type.scale);
    case TypeId::kString:
      return type.precision > 0 ? fmt::format("varchar({})", type.precision) : "text";
    case TypeId::kBytes:
      return "bytea";
    case TypeId::kDate:
      return "date";
    // Always with microseconds: a scale of 0 may mean "unknown", and a column with fewer
    // digits would round the values.
    // interval, not time: sluice's time holds MySQL's TIME (-838:59:59 to 838:59:59), and a
    // created column must hold every value of its type. Written in interval's binary form.
    case TypeId::kTime:
      return "interval";
    case TypeId::kTimestamp:
      return "timestamp";
    case TypeId::kTimestampTz:
      return "timestamptz";
    case TypeId::kJson:
      return "jsonb";
    case TypeId::kUuid:
      return "uuid";
  }
  return "text";
}

PgType CreatedPgType(const DataType& type) {
  PgType t;
  t.declared = PgTypeFor(type);
  t.category = 'N';
  switch (type.id) {
    case TypeId::kBool:
      t.oid = oid::kBool;
      break;
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kUInt8:
      t.oid = oid::kInt2;
      break;
    case TypeId::kInt32:
    case TypeId::kUInt16:
      t.oid = oid::kInt4;
      break;
    case TypeId::kInt64:
    case TypeId::kUInt32:
      t.oid = oid::kInt8;
      break;
    case TypeId::kUInt64:
      t.oid = oid::kNumeric;
      t.typmod = (20 << 16) + 4;
      break;
    case TypeId::kFloat32:
      t.oid = oid::kFloat4;
      break;
    case TypeId::kFloat64:
      t.oid = oid::kFloat8;
      break;
    case TypeId::kDecimal:
      t.oid = oid::kNumeric;
      if (type.precision > 0) t.typmod = ((type.precision << 16) | type.scale) + 4;
      break;
    case TypeId::kString:
      t.category = 'S';
      t.oid = t.declared == "text" ? oid::kText : oid::kVarchar;
      if (t.oid == oid::kVarchar) t.typmod = type.precision + 4;
      break;
    case TypeId::kBytes:
      t.oid = oid::kBytea;
      break;
    case TypeId::kDate:
      t.oid = oid::kDate;
      break;
    case TypeId::kTime:
      t.oid = oid::kInterval;
      t.category = 'T';
      break;
    case TypeId::kTimestamp:
      t.oid = oid::kTimestamp;
      break;
    case TypeId::kTimestampTz:
      t.oid = oid::kTimestampTz;
      break;
    case TypeId::kJson:
      t.oid = oid::kJsonb;
      break;
    case TypeId::kUuid:
      t.oid = oid::kUuid;
      break;
    case TypeId::kNull:
      t.oid = oid::kText;
      t.category = 'S';
      break;
  }
  return t;
}

TargetKind TargetKindOf(const PgType& t) {
  switch (t.oid) {
    case oid::kBool:
      return TargetKind::kBool;
    case oid::kInt2:
      return TargetKind::kInt2;
    case oid::kInt4:
      return TargetKind::kInt4;
    case oid::kInt8:
      return TargetKind::kInt8;
    case oid::kOid:
      return TargetKind::kOid;
    case oid::kFloat4:
      return TargetKind::kFloat4;
    case oid::kFloat8:
      return TargetKind::kFloat8;
    case oid::kNumeric:
      return TargetKind::kNumeric;
    case oid::kMoney:
      return TargetKind::kMoney;
    case oid::kText:
    case oid::kName:
    case oid::kVarchar:
    case oid::kBpchar:
      return TargetKind::kText;
    case oid::kJson:
      return TargetKind::kJson;
    case oid::kJsonb:
      return TargetKind::kJsonb;
    case oid::kXml:
      return TargetKind::kXml;
    case oid::kBytea:
      return TargetKind::kBytea;
    case oid::kDate:
      return TargetKind::kDate;
    case oid::kTime:
      return TargetKind::kTime;
    case oid::kTimestamp:
      return TargetKind::kTimestamp;
    case oid::kTimestampTz:
      return TargetKind::kTimestampTz;
    case oid::kUuid:
      return TargetKind::kUuid;
    case oid::kInterval:
      return TargetKind::kInterval;
    default:
      break;
  }
  if (t.typtype == 'e') return TargetKind::kEnum;
  if (t.category == 'A') return TargetKind::kArray;
  if (t.category == 'S') return TargetKind::kText;  // citext and friends take text's binary form
  return TargetKind::kOther;
}

ColumnWrite PlanColumnWrite(const DataType& incoming, const PgType& target) {
  ColumnWrite w;
  w.incoming = incoming.id;
  w.target = TargetKindOf(target);
  if (w.target == TargetKind::kNumeric) {
    DataType n = NumericType(target.typmod);
    w.precision = n.precision;
    w.scale = n.scale;
  }
  w.json_elements = target.name == "_json" || target.name == "_jsonb";
  const TypeId in = incoming.id;
  bool ok = false;
  bool text_only = false;
  switch (w.target) {
    case TargetKind::kBool:
      ok = in == TypeId::kBool;
      break;
    case TargetKind::kInt2:
    case TargetKind::kInt4:
    case TargetKind::kInt8:
    case TargetKind::kOid:
      ok = IsInteger(in);
      break;  // range checked per value
    case TargetKind::kFloat4:
      ok = in == TypeId::kFloat32 || IsSmallInteger(in);
      break;
    case TargetKind::kFloat8:
      ok = IsFloating(in) || IsInteger(in);
      break;  // exactness checked
    case TargetKind::kNumeric:
      ok = IsNumeric(in);
      break;
    case TargetKind::kText:
      ok = in != TypeId::kBytes;
      break;
    case TargetKind::kJson:
    case TargetKind::kJsonb:
      ok = in == TypeId::kJson || in == TypeId::kString;
      break;
    case TargetKind::kXml:
    case TargetKind::kEnum:
      ok = in == TypeId::kString;
      break;
    case TargetKind::kBytea:
      ok = in == TypeId::kBytes || in == TypeId::kString;
      break;
    case TargetKind::kDate:
      ok = in == TypeId::kDate;
      break;
    case TargetKind::kTime:
      ok = in == TypeId::kTime;
      break;  // 0..24h checked per value
    case TargetKind::kTimestamp:
      ok = in == TypeId::kTimestamp;
      break;
    case TargetKind::kTimestampTz:
      ok = in == TypeId::kTimestampTz;
      break;
    case TargetKind::kUuid:
      ok = in == TypeId::kUuid || in == TypeId::kString;
      break;
    case TargetKind::kInterval:
      ok = in == TypeId::kString || in == TypeId::kTime;
      text_only = in != TypeId::kTime;  // a time is an interval of microseconds
      break;
    case TargetKind::kMoney:
      ok = in == TypeId::kString || in == TypeId::kDecimal || IsInteger(in);
      text_only = true;
      break;
    case TargetKind::kArray:
      ok = in == TypeId::kString || in == TypeId::kJson;
      text_only = true;
      break;
    case TargetKind::kOther:
      ok = in == TypeId::kString;
      text_only = true;
      break;
  }
  if (in == TypeId::kNull) {
    ok = true;  // only NULLs arrive
    text_only = false;
  }
  w.binary = !text_only;
  if (!ok) {
    w.problem =
        fmt::format("{} but incoming is {}",
                    target.declared.empty() ? target.name : target.declared, TypeName(incoming));
  }
  return w;
}

}  // namespace sluice::postgres
