#include "core/types.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

#include <fmt/format.h>

namespace sluice {

const char* TypeIdName(TypeId id) {
  switch (id) {
    case TypeId::kNull:
      return "null";
    case TypeId::kBool:
      return "bool";
    case TypeId::kInt8:
      return "int8";
    case TypeId::kInt16:
      return "int16";
    case TypeId::kInt32:
      return "int32";
    case TypeId::kInt64:
      return "int64";
    case TypeId::kUInt8:
      return "uint8";
    case TypeId::kUInt16:
      return "uint16";
    case TypeId::kUInt32:
      return "uint32";
    case TypeId::kUInt64:
      return "uint64";
    case TypeId::kFloat32:
      return "float32";
    case TypeId::kFloat64:
      return "float64";
    case TypeId::kDecimal:
      return "decimal";
    case TypeId::kString:
      return "string";
    case TypeId::kBytes:
      return "bytes";
    case TypeId::kDate:
      return "date";
    case TypeId::kTime:
      return "time";
    case TypeId::kTimestamp:
      return "timestamp";
    case TypeId::kTimestampTz:
      return "timestamptz";
    case TypeId::kJson:
      return "json";
    case TypeId::kUuid:
      return "uuid";
  }
  return "unknown";
}

std::string TypeName(const DataType& type) {
  if (type.id == TypeId::kDecimal && type.precision > 0) {
    return fmt::format("decimal({},{})", type.precision, type.scale);
  }
  return TypeIdName(type.id);
}

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Splits "decimal(10, 2)" into base "decimal" and the numbers in parentheses.
bool SplitArgs(std::string_view text, std::string& base, std::vector<int>& args) {
  size_t open = text.find('(');
  base = Lower(text.substr(0, open));
  while (!base.empty() && base.back() == ' ') base.pop_back();
  if (open == std::string_view::npos) return true;
  size_t close = text.find(')', open);
  if (close == std::string_view::npos) return false;
  std::string_view inner = text.substr(open + 1, close - open - 1);
  while (!inner.empty()) {
    while (!inner.empty() && (inner.front() == ' ' || inner.front() == ',')) inner.remove_prefix(1);
    if (inner.empty()) break;
    int v = 0;
    auto [p, ec] = std::from_chars(inner.data(), inner.data() + inner.size(), v);
    if (ec != std::errc()) return false;
    args.push_back(v);
    inner.remove_prefix(static_cast<size_t>(p - inner.data()));
  }
  return true;
}

}  // namespace

std::optional<DataType> ParseTypeName(std::string_view name) {
  std::string base;
  std::vector<int> args;
  if (!SplitArgs(name, base, args)) return std::nullopt;
  struct Alias {
    const char* name;
    TypeId id;
  };
  static const Alias kAliases[] = {
      {"bool", TypeId::kBool},
      {"boolean", TypeId::kBool},
      {"int8", TypeId::kInt8},
      {"tinyint", TypeId::kInt8},
      {"int16", TypeId::kInt16},
      {"smallint", TypeId::kInt16},
      {"int32", TypeId::kInt32},
      {"int", TypeId::kInt32},
      {"integer", TypeId::kInt32},
      {"int64", TypeId::kInt64},
      {"bigint", TypeId::kInt64},
      {"uint8", TypeId::kUInt8},
      {"uint16", TypeId::kUInt16},
      {"uint32", TypeId::kUInt32},
      {"uint64", TypeId::kUInt64},
      {"float32", TypeId::kFloat32},
      {"float", TypeId::kFloat32},
      {"real", TypeId::kFloat32},
      {"float64", TypeId::kFloat64},
      {"double", TypeId::kFloat64},
      {"double precision", TypeId::kFloat64},
      {"decimal", TypeId::kDecimal},
      {"numeric", TypeId::kDecimal},
      {"string", TypeId::kString},
      {"text", TypeId::kString},
      {"varchar", TypeId::kString},
      {"char", TypeId::kString},
      {"bytes", TypeId::kBytes},
      {"blob", TypeId::kBytes},
      {"binary", TypeId::kBytes},
      {"varbinary", TypeId::kBytes},
      {"bytea", TypeId::kBytes},
      {"date", TypeId::kDate},
      {"time", TypeId::kTime},
      {"timestamp", TypeId::kTimestamp},
      {"datetime", TypeId::kTimestamp},
      {"timestamptz", TypeId::kTimestampTz},
      {"timestamp with time zone", TypeId::kTimestampTz},
      {"json", TypeId::kJson},
      {"jsonb", TypeId::kJson},
      {"uuid", TypeId::kUuid},
  };
  for (const Alias& a : kAliases) {
    if (base != a.name) continue;
    DataType t = DataType::Of(a.id);
    if (a.id == TypeId::kDecimal) {
      if (args.size() >= 1) t.precision = static_cast<uint16_t>(args[0]);
      if (args.size() >= 2) t.scale = static_cast<uint16_t>(args[1]);
      if (t.precision > 1000 || t.scale > t.precision) return std::nullopt;
    } else if (!args.empty()) {
      if (a.id == TypeId::kString || a.id == TypeId::kBytes) {
        t.precision = static_cast<uint16_t>(std::clamp(args[0], 0, 65535));
      } else if (IsTemporal(a.id)) {
        t.scale = static_cast<uint16_t>(std::clamp(args[0], 0, 6));
      }
    }
    return t;
  }
  return std::nullopt;
}

}  // namespace sluice
