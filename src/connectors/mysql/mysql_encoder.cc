#include "connectors/mysql/mysql_encoder.h"

#include <array>
#include <cmath>

#include <fmt/format.h>

#include "core/value_text.h"

namespace sluice::mysql {
namespace {

// The escape letter for each byte that needs one, else 0.
constexpr std::array<char, 256> MakeEscapes() {
  std::array<char, 256> table{};
  table[0] = '0';
  table['\t'] = 't';
  table['\n'] = 'n';
  table['\\'] = '\\';
  return table;
}
constexpr std::array<char, 256> kEscapes = MakeEscapes();

bool IsNumericTarget(TargetClass t) {
  return t != TargetClass::kText && t != TargetClass::kJson && t != TargetClass::kBinary &&
         t != TargetClass::kUuid;
}

}  // namespace

void AppendEscaped(std::string_view text, std::string& out) {
  const char* p = text.data();
  const char* end = p + text.size();
  const char* run = p;
  for (; p < end; ++p) {
    char e = kEscapes[static_cast<unsigned char>(*p)];
    if (e == 0) continue;
    out.append(run, p);
    out += '\\';
    out += e;
    run = p + 1;
  }
  out.append(run, end);
}

void AppendHex(std::string_view bytes, std::string& out) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  size_t at = out.size();
  out.resize(at + bytes.size() * 2);
  char* w = out.data() + at;
  for (unsigned char c : bytes) {
    *w++ = kDigits[c >> 4];
    *w++ = kDigits[c & 15];
  }
}

LoadVia ViaFor(TargetClass target) {
  if (target == TargetClass::kBinary) return LoadVia::kUnhex;
  if (target == TargetClass::kBit) return LoadVia::kUnsigned;
  return LoadVia::kDirect;
}

FieldEncoder::FieldEncoder(DataType incoming, TargetClass target, TimeZone zone)
    : incoming_(incoming), target_(target), zone_(std::move(zone)), via_(ViaFor(target)) {}

bool FieldEncoder::AppendNumber(const Column& column, size_t row, std::string& out,
                                std::string& why) const {
  const TypeId id = incoming_.id;
  if (id == TypeId::kBool) {
    const bool v = column.GetBool(row);
    out += target_ == TargetClass::kText ? (v ? "true" : "false") : (v ? "1" : "0");
    return true;
  }
  if (IsSignedInteger(id)) {
    const int64_t v = column.GetInt(row);
    if (v < 0 && target_ == TargetClass::kBit) {
      why = fmt::format("{} is negative; a BIT column holds only unsigned values", v);
      return false;
    }
    FormatInt(v, out);
    return true;
  }
  if (IsUnsignedInteger(id)) {
    FormatUInt(column.GetUInt(row), out);
    return true;
  }
  // Floating point.
  const double v = column.GetDouble(row);
  if (!std::isfinite(v) && IsNumericTarget(target_)) {
    why = fmt::format("{} cannot be stored in a MySQL number column", v);
    return false;
  }
  if (id == TypeId::kFloat32 && !IsNumericTarget(target_)) {
    FormatFloat(static_cast<float>(v), out);  // the float's own canonical text
  } else {
    // A float32 is written as the double holding it: the server's text->double is exact for
    // the shortest form, and double->float is then exact too (no double rounding).
    FormatDouble(v, out);
  }
  return true;
}

void FieldEncoder::AppendTemporal(const Column& column, size_t row, std::string& out) const {
  const int64_t v = column.GetInt(row);
  switch (incoming_.id) {
    case TypeId::kDate:
      if (target_ == TargetClass::kTimestamp) {
        // Midnight in the target's zone, as the session's UTC.
        FormatTimestamp(zone_.LocalToUtcMicros(v * kMicrosPerDay), out);
      } else {
        FormatDate(static_cast<int32_t>(v), out);
      }
      return;
    case TypeId::kTime:
      FormatTime(v, out);
      return;
    case TypeId::kTimestamp:
      if (target_ == TargetClass::kTimestamp) {
        FormatTimestamp(zone_.LocalToUtcMicros(v), out);
      } else {
        FormatTimestamp(v, out);
      }
      return;
    case TypeId::kTimestampTz:
      if (target_ == TargetClass::kTimestamp) {
        FormatTimestamp(v, out);  // the session is UTC
      } else if (target_ == TargetClass::kDateTime) {
        FormatTimestamp(zone_.UtcToLocalMicros(v), out);
      } else {
        FormatTimestampTz(v, out);
      }
      return;
    default:
      return;
  }
}

bool FieldEncoder::Append(const Column& column, size_t row, std::string& out,
                          std::string& why) const {
  if (column.IsNull(row)) {
    out += "\\N";
    return true;
  }
  const TypeId id = incoming_.id;
  if (IsVarWidth(id)) {
    std::string_view v = column.GetView(row);
    if (via_ == LoadVia::kUnhex) {
      AppendHex(v, out);
    } else if (id == TypeId::kDecimal || id == TypeId::kUuid) {
      out.append(v);  // digits and hex: nothing to escape
    } else {
      AppendEscaped(v, out);
    }
    return true;
  }
  if (IsTemporal(id)) {
    AppendTemporal(column, row, out);
    return true;
  }
  if (id == TypeId::kNull) {
    out += "\\N";
    return true;
  }
  return AppendNumber(column, row, out, why);
}

}  // namespace sluice::mysql
