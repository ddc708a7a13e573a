#include "connectors/sqlite/sqlite_types.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

#include <fmt/format.h>

namespace sluice::sqlite {
namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

// "int(11)  unsigned" -> base "INT UNSIGNED", args {11}. Words are upper-cased and joined by
// single spaces; the parenthesised numbers are taken out wherever they are.
void Normalize(std::string_view declared, std::string& base, std::vector<int>& args) {
  std::string text = Upper(declared);
  size_t open = text.find('(');
  if (open != std::string::npos) {
    size_t close = text.find(')', open);
    std::string_view inner(text.data() + open + 1,
                           (close == std::string::npos ? text.size() : close) - open - 1);
    while (!inner.empty()) {
      while (!inner.empty() && (inner.front() == ' ' || inner.front() == ',')) {
        inner.remove_prefix(1);
      }
      if (inner.empty()) break;
      int v = 0;
      auto [p, ec] = std::from_chars(inner.data(), inner.data() + inner.size(), v);
      if (ec != std::errc()) break;
      args.push_back(v);
      inner.remove_prefix(static_cast<size_t>(p - inner.data()));
    }
    text = text.substr(0, open) + " " +
           (close == std::string::npos ? std::string() : text.substr(close + 1));
  }
  base.clear();
  bool space = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !base.empty();
      continue;
    }
    if (space) base += ' ';
    space = false;
    base += c;
  }
}

struct Alias {
  const char* name;
  TypeId id;
};

constexpr Alias kAliases[] = {
    {"BOOL", TypeId::kBool},
    {"BOOLEAN", TypeId::kBool},
    {"TINYINT", TypeId::kInt8},
    {"INT1", TypeId::kInt8},
    {"SMALLINT", TypeId::kInt16},
    {"INT2", TypeId::kInt16},
    {"MEDIUMINT", TypeId::kInt32},
    {"INT4", TypeId::kInt32},
    {"INT32", TypeId::kInt32},
    {"INT", TypeId::kInt64},  // SQLite integers are 64-bit whatever the name says
    {"INTEGER", TypeId::kInt64},
    {"BIGINT", TypeId::kInt64},
    {"INT8", TypeId::kInt64},
    {"INT64", TypeId::kInt64},
    {"UINT8", TypeId::kUInt8},
    {"TINYINT UNSIGNED", TypeId::kUInt8},
    {"UNSIGNED TINYINT", TypeId::kUInt8},
    {"UINT16", TypeId::kUInt16},
    {"SMALLINT UNSIGNED", TypeId::kUInt16},
    {"UNSIGNED SMALLINT", TypeId::kUInt16},
    {"UINT32", TypeId::kUInt32},
    {"INT UNSIGNED", TypeId::kUInt32},
    {"INTEGER UNSIGNED", TypeId::kUInt32},
    {"MEDIUMINT UNSIGNED", TypeId::kUInt32},
    {"UNSIGNED INT", TypeId::kUInt32},
    {"UNSIGNED INTEGER", TypeId::kUInt32},
    {"UINT64", TypeId::kUInt64},
    {"UBIGINT", TypeId::kUInt64},
    {"BIGINT UNSIGNED", TypeId::kUInt64},
    {"UNSIGNED BIG INT", TypeId::kUInt64},
    {"UNSIGNED BIGINT", TypeId::kUInt64},
    {"U64_TEXT", TypeId::kUInt64},
    {"FLOAT32", TypeId::kFloat32},
    {"FLOAT4", TypeId::kFloat32},
    {"FLOAT32_BLOB", TypeId::kFloat32},
    {"REAL", TypeId::kFloat64},
    {"DOUBLE", TypeId::kFloat64},
    {"DOUBLE PRECISION", TypeId::kFloat64},
    {"FLOAT", TypeId::kFloat64},
    {"FLOAT8", TypeId::kFloat64},
    {"FLOAT64", TypeId::kFloat64},
    {"FLOAT64_BLOB", TypeId::kFloat64},
    {"DECIMAL", TypeId::kDecimal},
    {"NUMERIC", TypeId::kDecimal},
    {"DEC", TypeId::kDecimal},
    {"DECIMAL_TEXT", TypeId::kDecimal},
    {"TEXT", TypeId::kString},
    {"VARCHAR", TypeId::kString},
    {"CHAR", TypeId::kString},
    {"CLOB", TypeId::kString},
    {"CHARACTER", TypeId::kString},
    {"VARYING CHARACTER", TypeId::kString},
    {"CHARACTER VARYING", TypeId::kString},
    {"NCHAR", TypeId::kString},
    {"NATIVE CHARACTER", TypeId::kString},
    {"NVARCHAR", TypeId::kString},
    {"STRING", TypeId::kString},
    {"TINYTEXT", TypeId::kString},
    {"MEDIUMTEXT", TypeId::kString},
    {"LONGTEXT", TypeId::kString},
    {"BLOB", TypeId::kBytes},
    {"BINARY", TypeId::kBytes},
    {"VARBINARY", TypeId::kBytes},
    {"BYTEA", TypeId::kBytes},
    {"BYTES", TypeId::kBytes},
    {"TINYBLOB", TypeId::kBytes},
    {"MEDIUMBLOB", TypeId::kBytes},
    {"LONGBLOB", TypeId::kBytes},
    {"DATE", TypeId::kDate},
    {"TIME", TypeId::kTime},
    {"DATETIME", TypeId::kTimestamp},
    {"TIMESTAMP", TypeId::kTimestamp},
    {"TIMESTAMP WITHOUT TIME ZONE", TypeId::kTimestamp},
    {"TIMESTAMPTZ", TypeId::kTimestampTz},
    {"TIMESTAMP WITH TIME ZONE", TypeId::kTimestampTz},
    {"JSON", TypeId::kJson},
    {"JSONB", TypeId::kJson},
    {"JSON_TEXT", TypeId::kJson},
    {"UUID", TypeId::kUuid},
    {"UUID_TEXT", TypeId::kUuid},
};

DataType WithArgs(TypeId id, const std::vector<int>& args) {
  DataType t = DataType::Of(id);
  if (args.empty()) return t;
  if (id == TypeId::kDecimal) {
    int p = args[0];
    int s = args.size() > 1 ? args[1] : 0;
    if (p > 0 && p <= 1000 && s >= 0 && s <= p) {
      t.precision = static_cast<uint16_t>(p);
      t.scale = static_cast<uint16_t>(s);
    }
  } else if (id == TypeId::kString) {
    t.precision = static_cast<uint16_t>(std::clamp(args[0], 0, 65535));
  } else if (id == TypeId::kTime || id == TypeId::kTimestamp || id == TypeId::kTimestampTz) {
    t.scale = static_cast<uint16_t>(std::clamp(args[0], 0, 6));
  }
  return t;
}

// Coarse kinds used to decide whether an incoming type fits an existing column.
enum class Family {
  kInteger,
  kFloat,
  kDecimal,
  kText,
  kBytes,
  kDate,
  kTime,
  kTimestamp,
  kTimestampTz,
  kNull
};

Family FamilyOf(TypeId id) {
  if (id == TypeId::kBool || IsInteger(id)) return Family::kInteger;
  switch (id) {
    case TypeId::kFloat32:
    case TypeId::kFloat64:
      return Family::kFloat;
    case TypeId::kDecimal:
      return Family::kDecimal;
    case TypeId::kString:
    case TypeId::kJson:
    case TypeId::kUuid:
      return Family::kText;
    case TypeId::kBytes:
      return Family::kBytes;
    case TypeId::kDate:
      return Family::kDate;
    case TypeId::kTime:
      return Family::kTime;
    case TypeId::kTimestamp:
      return Family::kTimestamp;
    case TypeId::kTimestampTz:
      return Family::kTimestampTz;
    default:
      return Family::kNull;
  }
}

bool Fits(const DataType& in, const DataType& target) {
  Family from = FamilyOf(in.id);
  Family to = FamilyOf(target.id);
  if (from == Family::kNull) return true;
  switch (from) {
    case Family::kInteger:
      if (to == Family::kInteger || to == Family::kDecimal) return true;
      // Integers up to 32 bits are exact in a double; wider ones are not.
      return to == Family::kFloat && in.id != TypeId::kInt64 && in.id != TypeId::kUInt64;
    case Family::kFloat:
      return to == Family::kFloat;
    case Family::kDecimal:
      // TEXT keeps every digit too (reading it back gives a string).
      if (to == Family::kDecimal || target.id == TypeId::kString) return true;
      // An integral decimal binds as text that INTEGER affinity turns into the same integer.
      return to == Family::kInteger && target.id == TypeId::kInt64 && in.scale == 0 &&
             in.precision > 0 && in.precision <= 18;
    case Family::kText:
      return to == Family::kText;
    case Family::kBytes:
      return to == Family::kBytes;
    default:  // dates and times are text in SQLite: the same kind, or a text column
      return to == from || target.id == TypeId::kString;
  }
}

}  // namespace

Affinity AffinityOf(std::string_view declared) {
  std::string t = Upper(declared);
  if (t.find("INT") != std::string::npos) return Affinity::kInteger;
  if (t.find("CHAR") != std::string::npos || t.find("CLOB") != std::string::npos ||
      t.find("TEXT") != std::string::npos) {
    return Affinity::kText;
  }
  if (t.find("BLOB") != std::string::npos || t.empty()) return Affinity::kBlob;
  if (t.find("REAL") != std::string::npos || t.find("FLOA") != std::string::npos ||
      t.find("DOUB") != std::string::npos) {
    return Affinity::kReal;
  }
  return Affinity::kNumeric;
}

std::optional<DataType> MapDeclaredType(std::string_view declared) {
  std::string base;
  std::vector<int> args;
  Normalize(declared, base, args);
  if (base.empty()) return std::nullopt;
  for (const Alias& a : kAliases) {
    if (base == a.name) return WithArgs(a.id, args);
  }
  switch (AffinityOf(declared)) {
    case Affinity::kInteger:
      return DataType::Of(TypeId::kInt64);
    case Affinity::kText:
      return WithArgs(TypeId::kString, args);
    case Affinity::kBlob:
      return DataType::Of(TypeId::kBytes);
    case Affinity::kReal:
      return DataType::Of(TypeId::kFloat64);
    case Affinity::kNumeric:
      return std::nullopt;
  }
  return std::nullopt;
}

std::string DeclaredTypeFor(const DataType& type) {
  auto with_scale = [&](const char* name) {
    return type.scale > 0 ? fmt::format("{}({})", name, type.scale) : std::string(name);
  };
  switch (type.id) {
    case TypeId::kNull:
      return "";
    case TypeId::kBool:
      return "BOOLEAN";
    case TypeId::kInt8:
      return "TINYINT";
    case TypeId::kInt16:
      return "SMALLINT";
    case TypeId::kInt32:
      return "INT32";
    case TypeId::kInt64:
      return "INTEGER";  // an INTEGER primary key becomes the rowid
    case TypeId::kUInt8:
      return "UINT8";
    case TypeId::kUInt16:
      return "UINT16";
    case TypeId::kUInt32:
      return "UINT32";
    case TypeId::kUInt64:
      return "U64_TEXT";  // no "INT" in the name: TEXT affinity
    case TypeId::kFloat32:
      return "FLOAT32_BLOB";
    case TypeId::kFloat64:
      return "FLOAT64_BLOB";
    case TypeId::kDecimal:
      if (type.precision == 0) return "DECIMAL_TEXT";
      return fmt::format("DECIMAL_TEXT({},{})", type.precision, type.scale);
    case TypeId::kString:
      return type.precision > 0 ? fmt::format("VARCHAR({})", type.precision) : "TEXT";
    case TypeId::kBytes:
      return "BLOB";
    // NUMERIC affinity, but the canonical texts never look like numbers, so they stay text.
    case TypeId::kDate:
      return "DATE";
    case TypeId::kTime:
      return with_scale("TIME");
    case TypeId::kTimestamp:
      return with_scale("TIMESTAMP");
    case TypeId::kTimestampTz:
      return with_scale("TIMESTAMPTZ");
    case TypeId::kJson:
      return "JSON_TEXT";  // "JSON" has NUMERIC affinity: '1.50' -> 1.5
    case TypeId::kUuid:
      return "UUID";
  }
  return "";
}

std::string CheckWritable(const DataType& incoming, std::string_view declared) {
  std::optional<DataType> target = MapDeclaredType(declared);
  // Untyped columns and names SQLite gives no meaning take any value as it is bound.
  if (!target) return "";
  if (Fits(incoming, *target)) return "";
  return fmt::format("{} but incoming is {}", declared, TypeName(incoming));
}

}  // namespace sluice::sqlite
