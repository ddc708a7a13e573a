// TABLE_MAP_EVENT: binds a table id to a table before its row events, with each column's binlog
// type, type metadata (lengths, precision, fractional digits) and nullability, and, with
// binlog_row_metadata=MINIMAL/FULL (MySQL 8, MariaDB 10.5+), optional metadata: signedness,
// character sets, and with FULL column names and ENUM/SET values.
//
// A TableMap owns its strings: rows events arrive in later events whose buffers replace the
// map's. Parsed once per table per transaction, so allocation here is fine.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/mysql/binlog/event_framer.h"
#include "connectors/mysql/binlog/field_type.h"
#include "connectors/mysql/binlog/format_description.h"
#include "core/status.h"

namespace sluice::mysql::binlog {

struct TableMapColumn {
  FieldType type = FieldType::kNull;       // as written in the event
  FieldType real_type = FieldType::kNull;  // STRING's real type: STRING, ENUM or SET
  // Decoded metadata, by type: FLOAT/DOUBLE/BLOB/JSON/GEOMETRY: bytes of the value or of its
  // length; VARCHAR/STRING: max length in bytes; NEWDECIMAL: precision and scale; BIT: bits;
  // TIME2/DATETIME2/TIMESTAMP2: fractional digits; ENUM/SET: bytes of the value.
  uint32_t length = 0;
  uint8_t precision = 0;
  uint8_t scale = 0;  // NEWDECIMAL scale, or fractional-second digits
  bool nullable = true;
  // Optional metadata (absent: the defaults).
  std::string name;
  int8_t is_unsigned = -1;          // -1 unknown, 0 signed, 1 unsigned (numeric columns)
  uint32_t collation = 0;           // 0 unknown; 63 is binary
  std::vector<std::string> values;  // ENUM and SET members, in order

  bool is_character() const;  // a column with a character set (CHAR, VARCHAR, TEXT, BLOB)
  bool is_numeric() const;    // a column with signedness
};

struct TableMap {
  uint64_t table_id = 0;
  uint16_t flags = 0;
  std::string schema;
  std::string table;
  std::vector<TableMapColumn> columns;
  bool has_names = false;
  bool has_signedness = false;
  std::vector<uint32_t> primary_key;  // column indexes, when the server sent them

  std::string QualifiedName() const { return schema + "." + table; }
};

Result<TableMap> ParseTableMap(const Event& event, const FormatDescription& format);

// The table id in the post-header of TABLE_MAP and rows events: 6 bytes, or 4 when the FDE says
// the post-header is 6 bytes long (servers before 5.1.4).
size_t TableIdSize(const FormatDescription& format, EventType type);

}  // namespace sluice::mysql::binlog
