// Mapping between SQLite declared column types and sluice types.
//
// SQLite stores any value in any column; the declared type only gives the column an affinity
// that converts some values on insert (https://sqlite.org/datatype3.html, section 3.1). Two
// consequences shape this file:
//  - reading: the declared type says what the values are meant to be; each cell is converted
//    to that type (sqlite_codec.h), whatever its storage class;
//  - creating tables: the declared type must have an affinity that leaves our values alone.
//    A DECIMAL column (NUMERIC affinity) turns '1.50' into 1.5 and rounds long decimals, a
//    REAL column stores -0.0 as integer 0, and no integer column holds uint64 above INT64_MAX.
//    So sluice creates decimals as DECIMAL_TEXT(p,s) (TEXT affinity), uint64 as U64_TEXT,
//    floats as FLOAT64_BLOB / FLOAT32_BLOB (no affinity: the REAL value is kept bit for bit)
//    and JSON as JSON_TEXT. MapDeclaredType reads every name DeclaredTypeFor writes back as
//    the same sluice type.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/types.h"

namespace sluice::sqlite {

enum class Affinity { kInteger, kText, kBlob, kReal, kNumeric };

// SQLite's own rules: INT -> INTEGER; CHAR/CLOB/TEXT -> TEXT; BLOB or empty -> BLOB (none);
// REAL/FLOA/DOUB -> REAL; anything else NUMERIC.
Affinity AffinityOf(std::string_view declared);

// The sluice type of a column declared as `declared`. nullopt when the name says nothing
// usable: empty (untyped columns, view expressions) or an unknown name with NUMERIC affinity
// ("GEOMETRY", "ANY"); the source then looks at the stored values (see sqlite_table.h).
std::optional<DataType> MapDeclaredType(std::string_view declared);

// The declared type sluice uses when it creates a column for `type`.
std::string DeclaredTypeFor(const DataType& type);

// Whether values of type `incoming` may be written into an existing column declared
// `declared` without changing their meaning. Returns "" when they may, else why not
// ("TEXT but incoming is int64").
std::string CheckWritable(const DataType& incoming, std::string_view declared);

}  // namespace sluice::sqlite
