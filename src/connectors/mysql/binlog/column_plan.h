// ColumnPlan: how the values of one column are read from row images and stored, decided once
// per TABLE_MAP by checking the column's binlog type and metadata against the sluice type the
// caller's column definition asks for. A combination that cannot be stored exactly is an
// error here, so decoding rows never meets one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "connectors/mysql/binlog/charset.h"
#include "connectors/mysql/binlog/column_def.h"
#include "connectors/mysql/binlog/field_type.h"
#include "connectors/mysql/binlog/table_map.h"
#include "core/status.h"
#include "core/time_zone.h"
#include "core/types.h"

namespace sluice::mysql::binlog {

struct RowDecodeOptions {
  // Dates not on the calendar ('0000-00-00', '2024-00-10'): an error (false) or NULL (true),
  // like the mysql source's zero_date option.
  bool zero_date_as_null = false;
  // The zone DATETIME values were written in, for columns whose type is timestamptz.
  const TimeZone* datetime_zone = nullptr;
};

enum class ValueKind : uint8_t {
  kInt,
  kFloat,
  kDouble,
  kDecimal,
  kYear,
  kDate,
  kTimeOld,
  kTime2,
  kDateTimeOld,
  kDateTime2,
  kTimestampOld,
  kTimestamp2,
  kBit,
  kEnum,
  kSet,
  kString,     // CHAR/BINARY: 1-2 length bytes by max length
  kVarString,  // VARCHAR/VARBINARY: 1-2 length bytes by max length
  kBlob,       // BLOB/TEXT/GEOMETRY: 1-4 length bytes
  kJsonBinary,
};
// kFixedBinary: MariaDB's UUID, INET6, INET4 (fixed_binary_text.h). kUtf8Checked: text whose
// character set neither the caller nor the TABLE_MAP names (binlog_row_metadata=MINIMAL, no
// catalog), taken as UTF-8 and refused when it is not, rather than passed on as stored.
enum class TextCodec : uint8_t { kRaw, kLatin1, kAscii, kCharset, kFixedBinary, kUtf8Checked };

struct ColumnPlan {
  ValueKind kind = ValueKind::kInt;
  FieldType field = FieldType::kNull;
  TypeId target = TypeId::kNull;
  TextCodec codec = TextCodec::kRaw;
  bool is_unsigned = false;
  bool pad_binary = false;  // BINARY(n): restore the zero bytes the binlog strips
  uint8_t width = 0;        // integer, length-prefix or ENUM/SET bytes
  uint8_t precision = 0;
  uint8_t scale = 0;    // decimal scale or fractional-second digits
  uint32_t length = 0;  // max length in bytes, BIT bits
  std::string name;
  std::vector<std::string> members;                     // ENUM/SET, as UTF-8
  std::shared_ptr<CharsetDecoder> decoder;              // kCharset
  FixedBinaryText fixed_text = FixedBinaryText::kNone;  // kFixedBinary
};

Result<ColumnPlan> PlanColumn(const TableMapColumn& column, const ColumnDef& def,
                              const RowDecodeOptions& options);

// TextCodec::kUtf8Checked: whether `bytes` are UTF-8; else `why` names the first bad byte.
bool CheckUnnamedCharsetText(std::string_view bytes, std::string& why);

}  // namespace sluice::mysql::binlog
