// Mapping between MySQL/MariaDB column types and sluice types, both ways.
//
// Reading (MapColumn): each column gets a sluice type and a ReadKind that says how its
// text-protocol value is decoded (mysql_codec.h). The table is in README.md; the choices that
// need a reason:
//  - FLOAT is sent by the server with 6 significant digits, which is not exact; sluice selects
//    CAST(col AS DOUBLE), whose shortest round-trip text is. DOUBLE(M,D) likewise (its text is
//    rounded to D digits). Plain DOUBLE text is already the shortest round-trip form.
//  - TINYINT(1) is int8: MySQL cannot tell BOOL from TINYINT(1) holding 0..127. The source
//    option tinyint1_as_bool reads it as bool (values other than 0 and 1 are then rejected).
//  - BIT(n) is uint64 (the server sends it as big-endian bytes), BIT(1) too.
//  - DATETIME is wall-clock time (timestamp) unless the source sets time_zone, which makes it
//    an instant (timestamptz) in that zone; TIMESTAMP is an instant (the session is UTC).
//  - MariaDB's JSON is LONGTEXT with a json_valid() check; that check makes it json.
//  - Spatial types (and anything unknown) are refused, naming table.column and the type.
// Writing (CheckWritable, TargetClassOf): which incoming types fit an existing column without
// changing their meaning, and DdlTypeFor: the column created for a sluice type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/types.h"

namespace sluice::mysql {

// One column of a table, from information_schema.COLUMNS.
struct MysqlColumn {
  std::string name;
  std::string data_type;    // DATA_TYPE, lowercase: "int", "varchar", "longtext"
  std::string column_type;  // COLUMN_TYPE: "int(10) unsigned", "enum('a','b')", "double(10,3)"
  bool nullable = true;
  bool binary_charset = false;  // char/varchar/text with CHARACTER SET binary
  std::string charset;          // CHARACTER_SET_NAME: "utf8mb4", "latin1", ...; empty if none
  bool json = false;            // MariaDB: a json_valid(col) check constraint
  bool auto_increment = false;
  bool has_default = false;
  int64_t char_length = 0;  // CHARACTER_MAXIMUM_LENGTH
  int numeric_precision = 0;
  int numeric_scale = 0;
  int datetime_precision = 0;
  int pk = 0;  // 1-based position in the primary key; 0 when not part of it
};

enum class ReadKind : uint8_t {
  kInt,          // signed integers
  kUInt,         // unsigned integers
  kBool,         // TINYINT(1) with tinyint1_as_bool
  kFloat,        // FLOAT, selected as CAST(... AS DOUBLE)
  kDouble,       // DOUBLE
  kDecimal,      // DECIMAL text, exact
  kString,       // text in utf8mb4
  kLatin1,       // latin1 text, selected as its bytes and transcoded to UTF-8 by sluice
  kAscii,        // ascii text, selected as its bytes; a byte >= 0x80 rejects the row
  kBytes,        // raw bytes
  kBit,          // big-endian bytes -> uint64
  kYear,         // YEAR -> int16
  kDate,         // YYYY-MM-DD
  kDateTime,     // YYYY-MM-DD HH:MM:SS[.f] wall clock -> timestamp
  kDateTimeTz,   // the same, read as an instant in the source's time_zone -> timestamptz
  kTimestampTz,  // TIMESTAMP, in UTC (the session's zone) -> timestamptz
  kTime,         // [-]HHH:MM:SS[.f]
  kJson,
  kUuid,
};

struct ColumnMapping {
  DataType type;
  ReadKind kind = ReadKind::kString;
  std::string select_expr;  // what the SELECT list reads: `col` or CAST(`col` AS DOUBLE)
};

struct MapOptions {
  bool tinyint1_as_bool = false;
  bool datetime_as_instant = false;  // the source has a time_zone
};

// The sluice type of `column`. `table` names it in errors: "orders.shape: type 'geometry' is
// not supported".
Result<ColumnMapping> MapColumn(const MysqlColumn& column, std::string_view table,
                                const MapOptions& options);

// What kind of column a value is written into; decides the compatibility check and the text
// a value is written as.
enum class TargetClass : uint8_t {
  kInt,
  kUInt,
  kDecimal,
  kFloat,
  kDouble,
  kBit,
  kYear,
  kDate,
  kDateTime,
  kTimestamp,
  kTime,
  kText,  // char, varchar, text, enum, set, inet4/inet6
  kBinary,
  kJson,
  kUuid,
  kUnsupported,
};
TargetClass TargetClassOf(const MysqlColumn& column);

// The class of the column sluice creates for `type` (DdlTypeFor).
TargetClass CreatedClassFor(const DataType& type);

// "" when values of type `incoming` can be written into `column` keeping their meaning, else
// why not: "int but incoming is string".
std::string CheckWritable(const DataType& incoming, const MysqlColumn& column);

// The column type sluice creates for `type`. Key columns need bounded types (VARCHAR(255)
// instead of LONGTEXT) because MySQL indexes only bounded prefixes.
std::string DdlTypeFor(const DataType& type, bool in_key);

}  // namespace sluice::mysql
