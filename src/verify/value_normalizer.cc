#include "verify/value_normalizer.h"

#include <cmath>

#include "core/value_text.h"
#include "verify/json_canonical.h"

namespace sluice::verify {
namespace {

bool IsText(TypeId id) {
  return id == TypeId::kString || id == TypeId::kBytes || id == TypeId::kNull;
}

bool IsExactNumber(TypeId id) {
  return id == TypeId::kBool || IsInteger(id) || id == TypeId::kDecimal;
}

// The kind a typed column is compared as when the other side holds the same type or text.
CompareKind KindOf(TypeId id) {
  if (IsExactNumber(id)) return CompareKind::kNumber;
  switch (id) {
    case TypeId::kFloat32:
      return CompareKind::kFloat32;
    case TypeId::kFloat64:
      return CompareKind::kFloat64;
    case TypeId::kDate:
      return CompareKind::kDate;
    case TypeId::kTime:
      return CompareKind::kTime;
    case TypeId::kTimestamp:
      return CompareKind::kTimestamp;
    case TypeId::kTimestampTz:
      return CompareKind::kInstant;
    case TypeId::kJson:
      return CompareKind::kJson;
    case TypeId::kUuid:
      return CompareKind::kUuid;
    default:
      return CompareKind::kText;
  }
}

bool IsNumberKind(CompareKind k) {
  return k == CompareKind::kNumber || k == CompareKind::kFloat32 || k == CompareKind::kFloat64;
}

bool IsTemporalKind(CompareKind k) {
  return k == CompareKind::kDate || k == CompareKind::kTimestamp || k == CompareKind::kInstant;
}

// The type a text value is parsed as to meet a column of `kind`.
DataType CoercionType(CompareKind kind) {
  switch (kind) {
    case CompareKind::kNumber:
      return DataType::Decimal(0, 0);
    case CompareKind::kFloat32:
    case CompareKind::kFloat64:
      return DataType::Of(TypeId::kFloat64);
    case CompareKind::kDate:
      return DataType::Of(TypeId::kDate);
    case CompareKind::kTime:
      return DataType::Of(TypeId::kTime);
    case CompareKind::kTimestamp:
      return DataType::Of(TypeId::kTimestamp);
    case CompareKind::kInstant:
      return DataType::Of(TypeId::kTimestampTz);
    case CompareKind::kUuid:
      return DataType::Of(TypeId::kUuid);
    default:
      return DataType::Of(TypeId::kString);
  }
}

// The value as a double, for comparisons as floating point.
double AsDouble(const Column& column, size_t row) {
  const TypeId id = column.id();
  if (IsFloating(id)) return column.GetDouble(row);
  if (IsSignedInteger(id)) return static_cast<double>(column.GetInt(row));
  if (IsUnsignedInteger(id)) return static_cast<double>(column.GetUInt(row));
  if (id == TypeId::kBool) return column.GetBool(row) ? 1.0 : 0.0;
  Result<double> parsed = ParseDouble(column.GetView(row));
  return parsed ? *parsed : std::nan("");
}

void AppendHex(std::string_view bytes, std::string& out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
}

// Cuts `text` to `max_chars` UTF-8 characters, marking the cut.
void Truncate(std::string& text, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // continuation byte
    if (chars++ == max_chars) {
      text.resize(i);
      text += "...";
      return;
    }
  }
}

}  // namespace

const char* CompareKindName(CompareKind kind) {
  switch (kind) {
    case CompareKind::kText:
      return "text";
    case CompareKind::kNumber:
      return "number";
    case CompareKind::kFloat32:
      return "float32";
    case CompareKind::kFloat64:
      return "float64";
    case CompareKind::kDate:
      return "date";
    case CompareKind::kTime:
      return "time";
    case CompareKind::kTimestamp:
      return "timestamp";
    case CompareKind::kInstant:
      return "instant";
    case CompareKind::kJson:
      return "json";
    case CompareKind::kUuid:
      return "uuid";
  }
  return "?";
}

CompareKind ResolveCompareKind(const DataType& a, const DataType& b) {
  if (IsText(a.id) && IsText(b.id)) return CompareKind::kText;
  if (IsText(a.id)) return KindOf(b.id);
  if (IsText(b.id)) return KindOf(a.id);
  if (a.id == TypeId::kJson || b.id == TypeId::kJson) return CompareKind::kJson;
  const CompareKind ka = KindOf(a.id);
  const CompareKind kb = KindOf(b.id);
  if (ka == kb) return ka;
  if (IsNumberKind(ka) && IsNumberKind(kb)) {
    // A float32 on either side holds only float precision: compare both as float.
    if (ka == CompareKind::kFloat32 || kb == CompareKind::kFloat32) return CompareKind::kFloat32;
    return CompareKind::kFloat64;
  }
  if (IsTemporalKind(ka) && IsTemporalKind(kb)) {
    if (ka == CompareKind::kInstant || kb == CompareKind::kInstant) return CompareKind::kInstant;
    return CompareKind::kTimestamp;  // a date and a timestamp: the date is its midnight
  }
  return CompareKind::kText;
}

ValueNormalizer::ValueNormalizer(DataType own, CompareKind kind, TimeZone zone)
    : own_(own), kind_(kind), zone_(std::move(zone)) {
  coerce_ = IsText(own.id) && kind != CompareKind::kText;
  if (coerce_) scratch_.Reset(CoercionType(kind));
}

void ValueNormalizer::Normalize(const Column& column, size_t row, std::string& out) {
  out.clear();
  if (coerce_) {
    Coerce(column.GetView(row), out);
  } else {
    NormalizeTyped(column, row, out);
  }
}

void ValueNormalizer::Coerce(std::string_view text, std::string& out) {
  if (kind_ == CompareKind::kJson) {
    AppendNormalizedJson(text, out);
    return;
  }
  scratch_.Clear();
  if (ParseAndAppend(text, scratch_, zone_).ok()) {
    NormalizeTyped(scratch_, 0, out);
    return;
  }
  if (kind_ == CompareKind::kNumber) {
    // A boolean written as text ("true") facing a bool column.
    if (Result<bool> b = ParseBool(text)) {
      out.push_back(*b ? '1' : '0');
      return;
    }
  }
  out.append(text);  // unparsable: compared as it is, so it differs from any typed value
}

void ValueNormalizer::NormalizeTyped(const Column& column, size_t row, std::string& out) const {
  const TypeId id = column.id();
  switch (kind_) {
    case CompareKind::kNumber:
      if (id == TypeId::kBool) {
        out.push_back(column.GetBool(row) ? '1' : '0');
      } else if (IsSignedInteger(id)) {
        FormatInt(column.GetInt(row), out);
      } else if (IsUnsignedInteger(id)) {
        FormatUInt(column.GetUInt(row), out);
      } else if (id == TypeId::kDecimal) {
        AppendTrimmedDecimal(column.GetView(row), out);
      } else {
        break;
      }
      return;
    case CompareKind::kFloat32:
    case CompareKind::kFloat64: {
      double d = AsDouble(column, row);
      if (d == 0) d = 0;  // -0.0 == 0.0, as in SQL (MariaDB stores -0.0 as 0)
      if (kind_ == CompareKind::kFloat32) {
        FormatFloat(static_cast<float>(d), out);
      } else {
        FormatDouble(d, out);
      }
      return;
    }
    case CompareKind::kDate:
      if (id != TypeId::kDate) break;
      FormatDate(static_cast<int32_t>(column.GetInt(row)), out);
      return;
    case CompareKind::kTime:
      if (id != TypeId::kTime) break;
      FormatTime(column.GetInt(row), out);
      return;
    case CompareKind::kTimestamp:
      if (id == TypeId::kTimestamp) {
        FormatTimestamp(column.GetInt(row), out);
      } else if (id == TypeId::kDate) {
        FormatTimestamp(column.GetInt(row) * kMicrosPerDay, out);
      } else {
        break;
      }
      return;
    case CompareKind::kInstant:
      if (id == TypeId::kTimestampTz) {
        FormatInt(column.GetInt(row), out);
      } else if (id == TypeId::kTimestamp) {
        FormatInt(zone_.LocalToUtcMicros(column.GetInt(row)), out);
      } else if (id == TypeId::kDate) {
        FormatInt(zone_.LocalToUtcMicros(column.GetInt(row) * kMicrosPerDay), out);
      } else {
        break;
      }
      return;
    case CompareKind::kJson:
      if (!column.is_var()) break;
      AppendNormalizedJson(column.GetView(row), out);
      return;
    case CompareKind::kUuid:
      if (!column.is_var()) break;
      for (char c : column.GetView(row)) {
        out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
      }
      return;
    case CompareKind::kText:
      break;
  }
  FormatValue(column, row, out);  // pairs no kind reconciles: their canonical text
}

std::string ValueNormalizer::Display(const Column& column, size_t row) const {
  const TypeId id = column.id();
  if (kind_ != CompareKind::kInstant || column.IsNull(row) ||
      (id != TypeId::kTimestamp && id != TypeId::kDate)) {
    return DisplayValue(column, row);
  }
  const int64_t local =
      id == TypeId::kDate ? column.GetInt(row) * kMicrosPerDay : column.GetInt(row);
  std::string text;
  FormatTimestampTz(zone_.LocalToUtcMicros(local), text);
  return text;
}

void AppendTrimmedDecimal(std::string_view canonical, std::string& out) {
  const size_t start = out.size();
  out.append(canonical);
  if (canonical.find('.') != std::string_view::npos) {
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
  }
  if (out.size() - start == 2 && out[start] == '-' && out[start + 1] == '0') {
    out.erase(start, 1);
  }
}

void AppendNormalizedJson(std::string_view text, std::string& out) {
  // jsonb and MySQL/MariaDB JSON each print a value their own way (key order, spacing, 2e3 or
  // 2000): both sides are compared in one canonical form (json_canonical.h).
  if (!AppendCanonicalJson(text, out)) out.append(text);  // not JSON: compared as written
}

std::string DisplayValue(const Column& column, size_t row, size_t max_chars) {
  if (column.IsNull(row)) return "NULL";
  std::string text;
  switch (column.id()) {
    case TypeId::kString:
    case TypeId::kJson:
      text.push_back('\'');
      text.append(column.GetView(row));
      text.push_back('\'');
      break;
    case TypeId::kBytes:
      text = "x'";
      AppendHex(column.GetView(row), text);
      text.push_back('\'');
      break;
    default:
      FormatValue(column, row, text);
  }
  Truncate(text, max_chars);
  return text;
}

}  // namespace sluice::verify
