// Converting single values between SQLite storage and sluice columns.
//
// CellDecoder reads one cell of a result row as the column's sluice type, whatever storage
// class SQLite holds it in (SQLite is dynamically typed: an INTEGER column may hold text).
// CellEncoder turns one value of a sluice column into what sluice stores in SQLite:
//   bool, integers up to uint32, int64   -> INTEGER
//   uint64                               -> INTEGER if <= INT64_MAX (TEXT-affinity columns
//                                           turn it into the same digits), else decimal text
//   float32/float64                      -> REAL; NaN as the text 'nan' (SQLite binds NaN as NULL)
//   decimal                              -> canonical text (never a REAL: digits are kept)
//   string, json, uuid                   -> TEXT
//   bytes                                -> BLOB
//   date, time, timestamp                -> canonical text (value_text.h)
//   timestamptz                          -> 'YYYY-MM-DD HH:MM:SS[.ffffff]+00:00' in UTC: SQLite's
//                                           date functions read it, and unlike the trailing
//                                           'Z' form it sorts in time order as text.
// Neither allocates per value once its scratch buffer has grown.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "connectors/sqlite/sqlite_handle.h"
#include "connectors/sqlite/sqlite_types.h"
#include "core/column.h"
#include "core/status.h"
#include "core/time_zone.h"

namespace sluice::sqlite {

// A decoded cell waiting to be appended: lets a row be checked completely before any of its
// values reach the batch, so a rejected row leaves the columns aligned.
struct Cell {
  bool null = true;
  int64_t fixed = 0;     // fixed-width types
  std::string_view var;  // var-width types; points into SQLite's row or the decoder's scratch

  void AppendTo(Column& column) const {
    if (null) {
      column.AppendNull();
    } else if (column.is_var()) {
      column.AppendBytes(var);
    } else {
      column.AppendInt(fixed);
    }
  }
};

class CellDecoder {
 public:
  CellDecoder(DataType type, TimeZone zone) : type_(type), zone_(std::move(zone)) {}

  // Decodes column `col` of the current row of `stmt` into `out`. On failure returns false
  // and sets `why` ("cannot read text 'abc' as int64"). `out.var` stays valid until the next
  // Decode on this decoder or the next step of `stmt`.
  bool Decode(sqlite3_stmt* stmt, int col, Cell& out, std::string& why);

  const DataType& type() const { return type_; }

 private:
  bool FromInteger(int64_t v, Cell& out, std::string& why);
  bool FromReal(double v, Cell& out, std::string& why);
  bool FromText(std::string_view v, Cell& out, std::string& why);
  bool FromBlob(std::string_view v, Cell& out, std::string& why);
  bool FromParsed(std::string_view v, Cell& out, std::string& why);
  // Canonicalises the number formatted into scratch_ for a decimal column.
  bool DecimalFromScratch(Cell& out, std::string& why);

  DataType type_;
  TimeZone zone_;
  std::string scratch_;
};

// A value ready to bind, borrowing its bytes from the column or the encoder's scratch.
struct SqlRef {
  SqlValue::Kind kind = SqlValue::Kind::kNull;
  int64_t i = 0;
  double r = 0;
  std::string_view s;

  SqlValue ToValue() const;
};

class CellEncoder {
 public:
  // `target` is the affinity of the column written to; it decides whether a uint64 above
  // INT64_MAX can be stored exactly (as text) or must be refused.
  CellEncoder(DataType type, Affinity target) : type_(type), target_(target) {}

  // Encodes row `row` of `column`. A DataError means the target cannot hold the value (the
  // row is rejected); `out.s` stays valid until the next Encode on this encoder.
  Status Encode(const Column& column, size_t row, SqlRef& out);
  // Binds `value` to parameter `index` of `stmt` without copying its bytes.
  static Status Bind(sqlite3_stmt* stmt, int index, const SqlRef& value);

 private:
  DataType type_;
  Affinity target_;
  std::string scratch_;
};

// The SQLite form of a canonical text value of `type` (a watermark), as CellEncoder would
// store it: "2024-03-01T08:00:00Z" -> '2024-03-01 08:00:00+00:00', "42" -> INTEGER 42.
Result<SqlValue> StorageValue(const DataType& type, Affinity target, std::string_view canonical,
                              const TimeZone& zone);

// Whether `text` is already the canonical decimal for precision/scale (a fast path that
// skips CanonicalDecimal's allocation). Conservative: false means "ask CanonicalDecimal".
bool IsCanonicalDecimal(std::string_view text, uint16_t precision, uint16_t scale);

}  // namespace sluice::sqlite
