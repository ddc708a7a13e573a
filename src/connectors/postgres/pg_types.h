// Mapping between PostgreSQL column types and sluice types, both ways.
//
// Reading: most types arrive in COPY's binary form and are decoded straight into columns
// (Wire). Types sluice has no exact counterpart for travel as their PostgreSQL text form,
// produced by the server with a cast in the SELECT list (interval, inet, timetz, bit, ...),
// arrays as JSON (to_json), money as numeric. Anything else is an error unless the source
// says `unknown_types: text`.
// Writing: each incoming sluice type is checked against the target column's type once, at
// Prepare; the result says how each value is encoded (ColumnWrite). Pairs without a binary
// encoding (text into inet, JSON into an array) make the whole COPY use the text format, in
// which PostgreSQL parses every value with its own input function.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"
#include "core/types.h"

namespace sluice::postgres {

// Built-in type OIDs (pg_type.dat); fixed across PostgreSQL versions.
namespace oid {
inline constexpr uint32_t kBool = 16, kBytea = 17, kChar = 18, kName = 19, kInt8 = 20, kInt2 = 21,
                          kInt4 = 23, kText = 25, kOid = 26, kJson = 114, kXml = 142, kCidr = 650,
                          kMacaddr8 = 774, kMoney = 790, kMacaddr = 829, kInet = 869, kFloat4 = 700,
                          kFloat8 = 701, kBpchar = 1042, kVarchar = 1043, kDate = 1082,
                          kTime = 1083, kTimestamp = 1114, kTimestampTz = 1184, kInterval = 1186,
                          kTimeTz = 1266, kBit = 1560, kVarbit = 1562, kNumeric = 1700,
                          kUuid = 2950, kPgLsn = 3220, kJsonb = 3802;
}  // namespace oid

// What the catalog says about a column's type. Domains are resolved to their base type.
struct PgType {
  uint32_t oid = 0;
  std::string name;      // typname of the (base) type: "int4", "_text", "mood"
  std::string declared;  // format_type(atttypid, atttypmod): "numeric(10,2)", "mood"
  char typtype = 'b';    // b base, e enum, c composite, r range, m multirange, p pseudo
  char category = 'U';   // typcategory: A array, S string, E enum, N numeric, ...
  int32_t typmod = -1;
};

// The binary form a field arrives in, and so how it is decoded.
enum class Wire : uint8_t {
  kBool,
  kInt2,
  kInt4,
  kInt8,
  kOid,
  kFloat4,
  kFloat8,
  kNumeric,
  kText,  // raw UTF-8: text, varchar, bpchar, name, json, enum labels, every ::text cast
  kBytea,
  kDate,
  kTime,
  kTimestamp,
  kTimestampTz,
  kUuid,
  kJsonb,  // a version byte (1), then the JSON text
};

struct ReadMapping {
  DataType type;
  Wire wire = Wire::kText;
  // How the column appears in the SELECT list; "{}" stands for the quoted column name.
  std::string select = "{}";
};

// How the column of type `t` is read. Unsupported types give an InvalidArgument error
// "type 'point' is not supported ..." (the caller prefixes table.column); with
// `unknown_as_text` they are read as their text form instead.
Result<ReadMapping> MapForRead(const PgType& t, bool unknown_as_text);

// The PostgreSQL type sluice creates a column of sluice type `type` with ("numeric(20,0)").
std::string PgTypeFor(const DataType& type);
// The same as the catalog would describe it once created.
PgType CreatedPgType(const DataType& type);

// The target column's type, as far as writing is concerned.
enum class TargetKind : uint8_t {
  kBool,
  kInt2,
  kInt4,
  kInt8,
  kOid,
  kFloat4,
  kFloat8,
  kNumeric,
  kText,  // text, varchar, bpchar, name and other string-category types (citext)
  kJson,
  kJsonb,
  kXml,
  kEnum,
  kBytea,
  kDate,
  kTime,
  kTimestamp,
  kTimestampTz,
  kUuid,
  kInterval,  // text input only, from here on
  kMoney,
  kArray,
  kOther,  // inet, cidr, timetz, bit, ranges, geometric types, ...: parsed from text
};
TargetKind TargetKindOf(const PgType& t);

// How values of one incoming type are written into one target column.
struct ColumnWrite {
  TypeId incoming = TypeId::kNull;
  TargetKind target = TargetKind::kText;
  bool binary = true;      // false: this pair needs COPY's text format
  uint16_t precision = 0;  // numeric(p,s) of the target, 0 = unconstrained
  uint16_t scale = 0;
  bool json_elements = false;  // an array of json/jsonb (see pg_array_literal.h)
  std::string problem;         // non-empty: the pair is not allowed ("integer but incoming is
                               // string"), for the list of mismatches
};
ColumnWrite PlanColumnWrite(const DataType& incoming, const PgType& target);

}  // namespace sluice::postgres
