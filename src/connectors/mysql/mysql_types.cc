#include "connectors/mysql/mysql_types.h"

#include <algorithm>

#include <fmt/format.h>

#include "connectors/mysql/mysql_connection.h"

namespace sluice::mysql {
namespace {

bool IsUnsigned(const MysqlColumn& c) {
  return c.column_type.find("unsigned") != std::string::npos;
}

bool IsTextType(std::string_view t) {
  return t == "char" || t == "varchar" || t == "tinytext" || t == "text" || t == "mediumtext" ||
         t == "longtext";
}

bool IsBlobType(std::string_view t) {
  return t == "binary" || t == "varbinary" || t == "tinyblob" || t == "blob" || t == "mediumblob" ||
         t == "longblob";
}

uint16_t Clamp16(int64_t v) {
  return static_cast<uint16_t>(std::clamp<int64_t>(v, 0, UINT16_MAX));
}

Result<ColumnMapping> Mapped(TypeId id, ReadKind kind, const MysqlColumn& c) {
  return ColumnMapping{DataType::Of(id), kind, QuoteIdent(c.name)};
}

}  // namespace

Result<ColumnMapping> MapColumn(const MysqlColumn& c, std::string_view table,
                                const MapOptions& options) {
  const std::string& t = c.data_type;
  const bool is_unsigned = IsUnsigned(c);
  if (t == "tinyint") {
    if (options.tinyint1_as_bool && c.column_type.starts_with("tinyint(1)") && !is_unsigned) {
      return Mapped(TypeId::kBool, ReadKind::kBool, c);
    }
    return is_unsigned ? Mapped(TypeId::kUInt8, ReadKind::kUInt, c)
                       : Mapped(TypeId::kInt8, ReadKind::kInt, c);
  }
  if (t == "smallint") {
    return is_unsigned ? Mapped(TypeId::kUInt16, ReadKind::kUInt, c)
                       : Mapped(TypeId::kInt16, ReadKind::kInt, c);
  }
  if (t == "mediumint" || t == "int" || t == "integer") {
    return is_unsigned ? Mapped(TypeId::kUInt32, ReadKind::kUInt, c)
                       : Mapped(TypeId::kInt32, ReadKind::kInt, c);
  }
  if (t == "bigint") {
    return is_unsigned ? Mapped(TypeId::kUInt64, ReadKind::kUInt, c)
                       : Mapped(TypeId::kInt64, ReadKind::kInt, c);
  }
  if (t == "decimal" || t == "numeric") {
    ColumnMapping m{DataType::Decimal(Clamp16(c.numeric_precision), Clamp16(c.numeric_scale)),
                    ReadKind::kDecimal, QuoteIdent(c.name)};
    return m;
  }
  if (t == "float" || t == "double" || t == "real") {
    const bool is_float = t == "float";
    ColumnMapping m{DataType::Of(is_float ? TypeId::kFloat32 : TypeId::kFloat64),
                    is_float ? ReadKind::kFloat : ReadKind::kDouble, QuoteIdent(c.name)};
    // FLOAT text has 6 digits and DOUBLE(M,D) text is rounded to D; the DOUBLE cast is exact.
    if (is_float || c.column_type.find('(') != std::string::npos) {
      m.select_expr = fmt::format("CAST({} AS DOUBLE)", QuoteIdent(c.name));
    }
    return m;
  }
  if (t == "bit") return Mapped(TypeId::kUInt64, ReadKind::kBit, c);
  if (t == "year") return Mapped(TypeId::kInt16, ReadKind::kYear, c);
  if (t == "date") return Mapped(TypeId::kDate, ReadKind::kDate, c);
  if (t == "time") {
    ColumnMapping m{DataType{TypeId::kTime, 0, Clamp16(c.datetime_precision)}, ReadKind::kTime,
                    QuoteIdent(c.name)};
    return m;
  }
  if (t == "datetime") {
    const bool tz = options.datetime_as_instant;
    ColumnMapping m{
        DataType{tz ? TypeId::kTimestampTz : TypeId::kTimestamp, 0, Clamp16(c.datetime_precision)},
        tz ? ReadKind::kDateTimeTz : ReadKind::kDateTime, QuoteIdent(c.name)};
    return m;
  }
  if (t == "timestamp") {
    ColumnMapping m{DataType{TypeId::kTimestampTz, 0, Clamp16(c.datetime_precision)},
                    ReadKind::kTimestampTz, QuoteIdent(c.name)};
    return m;
  }
  if (t == "json" || (c.json && IsTextType(t))) return Mapped(TypeId::kJson, ReadKind::kJson, c);
  if (IsTextType(t)) {
    if (c.binary_charset) return Mapped(TypeId::kBytes, ReadKind::kBytes, c);
    ColumnMapping m{DataType{TypeId::kString, Clamp16(t.ends_with("char") ? c.char_length : 0), 0},
                    ReadKind::kString, QuoteIdent(c.name)};
    // The server would convert these to utf8mb4 itself, writing '?' for a byte it cannot
    // convert (an ascii column can hold any byte through an introducer such as _ascii X'E9').
    // Reading their bytes lets sluice convert exactly or reject the row, naming the column.
    if (c.charset == "latin1" || c.charset == "ascii") {
      m.kind = c.charset == "latin1" ? ReadKind::kLatin1 : ReadKind::kAscii;
      m.select_expr = fmt::format("CAST({} AS BINARY)", QuoteIdent(c.name));
    }
    return m;
  }
  if (IsBlobType(t)) {
    ColumnMapping m{DataType{TypeId::kBytes, Clamp16(t.ends_with("binary") ? c.char_length : 0), 0},
                    ReadKind::kBytes, QuoteIdent(c.name)};
    return m;
  }
  if (t == "enum" || t == "set" || t == "inet4" || t == "inet6") {
    return Mapped(TypeId::kString, ReadKind::kString, c);
  }
  if (t == "uuid") return Mapped(TypeId::kUuid, ReadKind::kUuid, c);
  return Err(
      Status::Invalid("{}.{}: type '{}' is not supported (select it with a cast in a "
                      "view, or leave it out with `columns`)",
                      table, c.name, c.column_type.empty() ? t : c.column_type));
}

TargetClass TargetClassOf(const MysqlColumn& c) {
  const std::string& t = c.data_type;
  if (t == "tinyint" || t == "smallint" || t == "mediumint" || t == "int" || t == "integer" ||
      t == "bigint") {
    return IsUnsigned(c) ? TargetClass::kUInt : TargetClass::kInt;
  }
  if (t == "decimal" || t == "numeric") return TargetClass::kDecimal;
  if (t == "float") return TargetClass::kFloat;
  if (t == "double" || t == "real") return TargetClass::kDouble;
  if (t == "bit") return TargetClass::kBit;
  if (t == "year") return TargetClass::kYear;
  if (t == "date") return TargetClass::kDate;
  if (t == "datetime") return TargetClass::kDateTime;
  if (t == "timestamp") return TargetClass::kTimestamp;
  if (t == "time") return TargetClass::kTime;
  if (t == "json" || (c.json && IsTextType(t))) return TargetClass::kJson;
  if (IsTextType(t)) return c.binary_charset ? TargetClass::kBinary : TargetClass::kText;
  if (IsBlobType(t)) return TargetClass::kBinary;
  if (t == "enum" || t == "set" || t == "inet4" || t == "inet6") return TargetClass::kText;
  if (t == "uuid") return TargetClass::kUuid;
  return TargetClass::kUnsupported;
}

TargetClass CreatedClassFor(const DataType& type) {
  switch (type.id) {
    case TypeId::kBool:
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
      return TargetClass::kInt;
    case TypeId::kUInt8:
    case TypeId::kUInt16:
    case TypeId::kUInt32:
    case TypeId::kUInt64:
      return TargetClass::kUInt;
    case TypeId::kFloat32:
      return TargetClass::kFloat;
    case TypeId::kFloat64:
      return TargetClass::kDouble;
    case TypeId::kDecimal:
      return DdlTypeFor(type, false).starts_with("DECIMAL") ? TargetClass::kDecimal
                                                            : TargetClass::kText;
    case TypeId::kBytes:
      return TargetClass::kBinary;
    case TypeId::kDate:
      return TargetClass::kDate;
    case TypeId::kTime:
      return TargetClass::kTime;
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return TargetClass::kDateTime;
    case TypeId::kJson:
      return TargetClass::kJson;
    case TypeId::kNull:
    case TypeId::kString:
    case TypeId::kUuid:
      return TargetClass::kText;
  }
  return TargetClass::kText;
}

std::string CheckWritable(const DataType& incoming, const MysqlColumn& column) {
  const TypeId id = incoming.id;
  if (id == TypeId::kNull) return "";
  const TargetClass target = TargetClassOf(column);
  bool ok = false;
  switch (target) {
    case TargetClass::kInt:
    case TargetClass::kUInt:
    case TargetClass::kYear:
    case TargetClass::kBit:
      ok = id == TypeId::kBool || IsInteger(id);
      break;
    case TargetClass::kDecimal:
      ok = id == TypeId::kBool || IsInteger(id) || id == TypeId::kDecimal;
      break;
    case TargetClass::kFloat:
      // Only values a float holds exactly.
      ok = id == TypeId::kFloat32 || id == TypeId::kBool || id == TypeId::kInt8 ||
           id == TypeId::kInt16 || id == TypeId::kUInt8 || id == TypeId::kUInt16;
      break;
    case TargetClass::kDouble:
      ok = IsFloating(id) || id == TypeId::kBool || id == TypeId::kInt8 || id == TypeId::kInt16 ||
           id == TypeId::kInt32 || id == TypeId::kUInt8 || id == TypeId::kUInt16 ||
           id == TypeId::kUInt32;
      break;
    case TargetClass::kDate:
      ok = id == TypeId::kDate;
      break;
    case TargetClass::kDateTime:
    case TargetClass::kTimestamp:
      ok = id == TypeId::kDate || id == TypeId::kTimestamp || id == TypeId::kTimestampTz;
      break;
    case TargetClass::kTime:
      ok = id == TypeId::kTime;
      break;
    case TargetClass::kText:
      ok = id != TypeId::kBytes;  // everything else has a canonical text
      break;
    case TargetClass::kBinary:
      ok = id == TypeId::kBytes || id == TypeId::kString || id == TypeId::kJson ||
           id == TypeId::kUuid;
      break;
    case TargetClass::kJson:
      ok = id == TypeId::kJson || id == TypeId::kString;
      break;
    case TargetClass::kUuid:
      ok = id == TypeId::kUuid || id == TypeId::kString;
      break;
    case TargetClass::kUnsupported:
      return fmt::format("{}, which sluice cannot write", column.column_type);
  }
  if (ok) return "";
  return fmt::format("{} but incoming is {}", column.column_type, TypeName(incoming));
}

std::string DdlTypeFor(const DataType& type, bool in_key) {
  switch (type.id) {
    case TypeId::kNull:
      return in_key ? "VARCHAR(255)" : "LONGTEXT";
    case TypeId::kBool:
      return "TINYINT(1)";
    case TypeId::kInt8:
      return "TINYINT";
    case TypeId::kInt16:
      return "SMALLINT";
    case TypeId::kInt32:
      return "INT";
    case TypeId::kInt64:
      return "BIGINT";
    case TypeId::kUInt8:
      return "TINYINT UNSIGNED";
    case TypeId::kUInt16:
      return "SMALLINT UNSIGNED";
    case TypeId::kUInt32:
      return "INT UNSIGNED";
    case TypeId::kUInt64:
      return "BIGINT UNSIGNED";
    case TypeId::kFloat32:
      return "FLOAT";
    case TypeId::kFloat64:
      return "DOUBLE";
    case TypeId::kDecimal:
      // MySQL's DECIMAL holds at most 65 digits, 30 after the point. Unconstrained or larger
      // decimals are kept exactly as their canonical text instead.
      if (type.precision > 0 && type.precision <= 65 && type.scale <= 30 &&
          type.scale <= type.precision) {
        return fmt::format("DECIMAL({},{})", type.precision, type.scale);
      }
      return in_key ? "VARCHAR(255)" : "LONGTEXT";
    case TypeId::kString:
      // VARCHAR only for short strings: long ones would pass the 65,535-byte row limit.
      if (in_key)
        return fmt::format("VARCHAR({})", type.precision > 0 && type.precision <= 768
                                              ? std::max<int>(type.precision, 255)
                                              : 255);
      if (type.precision > 0 && type.precision <= 255) {
        return fmt::format("VARCHAR({})", type.precision);
      }
      return "LONGTEXT";
    case TypeId::kBytes:
      if (in_key) return "VARBINARY(255)";
      if (type.precision > 0 && type.precision <= 255) {
        return fmt::format("VARBINARY({})", type.precision);
      }
      return "LONGBLOB";
    case TypeId::kDate:
      return "DATE";
    case TypeId::kTime:
      return "TIME(6)";
    // timestamptz too: TIMESTAMP only reaches 2038. The column holds wall-clock time in the
    // target's time_zone (UTC by default).
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return "DATETIME(6)";
    case TypeId::kJson:
      return "JSON";
    case TypeId::kUuid:
      return "CHAR(36)";
  }
  return "LONGTEXT";
}

}  // namespace sluice::mysql
