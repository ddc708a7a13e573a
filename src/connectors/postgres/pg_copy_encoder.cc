#include "connectors/postgres/pg_copy_encoder.h"

#include <bit>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "connectors/postgres/pg_array_literal.h"
#include "connectors/postgres/pg_numeric.h"
#include "connectors/postgres/pg_wire.h"
#include "core/echo.h"
#include "core/value_text.h"

namespace sluice::postgres {
namespace {

constexpr char kSignature[11] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', '\377', '\r', '\n', '\0'};

const char* IntName(TargetKind k) {
  switch (k) {
    case TargetKind::kInt2:
      return "smallint";
    case TargetKind::kInt4:
      return "integer";
    case TargetKind::kOid:
      return "oid";
    default:
      return "bigint";
  }
}

// The integer value of an integer column, if it lies in [lo, hi].
bool IntInRange(const Column& col, size_t row, int64_t lo, int64_t hi, int64_t& v) {
  if (IsUnsignedInteger(col.id())) {
    uint64_t u = col.GetUInt(row);
    if (u > static_cast<uint64_t>(hi)) return false;
    v = static_cast<int64_t>(u);
    return true;
  }
  v = col.GetInt(row);
  return v >= lo && v <= hi;
}

// Whether canonical decimal text fits numeric(p,s) without rounding (p == 0: unconstrained).
// NaN fits every numeric; the infinities only an unconstrained one. The message quotes the value
// as it is, sign included.
bool FitsNumeric(std::string_view text, uint16_t p, uint16_t s, std::string& why) {
  if (p == 0 || text == "NaN") return true;
  if (text == "Infinity" || text == "-Infinity") {
    why = fmt::format("{} cannot be held by numeric({},{})", text, p, s);
    return false;
  }
  std::string_view digits = text;
  if (!digits.empty() && digits.front() == '-') digits.remove_prefix(1);
  size_t dot = digits.find('.');
  std::string_view int_part = digits.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? "" : digits.substr(dot + 1);
  while (!int_part.empty() && int_part.front() == '0') int_part.remove_prefix(1);
  if (int_part.size() + s > p) {
    why = fmt::format("{} is out of range for numeric({},{})", EchoText(text), p, s);
    return false;
  }
  if (frac.size() > s && frac.substr(s).find_first_not_of('0') != std::string_view::npos) {
    why = fmt::format("{} would be rounded by numeric({},{})", EchoText(text), p, s);
    return false;
  }
  return true;
}

void AppendHex(std::string_view bytes, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Date and timestamp ±infinity carried from a PostgreSQL source (pg_wire.h).
bool AppendInfinityText(const Column& col, size_t row, std::string& out) {
  const TypeId id = col.id();
  if (id != TypeId::kDate && id != TypeId::kTimestamp && id != TypeId::kTimestampTz) return false;
  const int64_t v = col.GetInt(row);
  if (!IsKeptInfinity(v, id == TypeId::kDate)) return false;
  out += v > 0 ? "infinity" : "-infinity";
  return true;
}

// Dates and timestamps before year 1 in PostgreSQL's own text form ("4713-11-24 BC"):
// canonical text has no era, and PostgreSQL reads "-4712-11-24" as something else.
bool AppendBcText(const Column& col, size_t row, std::string& out) {
  const TypeId id = col.id();
  if (id != TypeId::kDate && id != TypeId::kTimestamp && id != TypeId::kTimestampTz) return false;
  const int64_t v = col.GetInt(row);
  int64_t days = v;
  int64_t micros_of_day = 0;
  if (id != TypeId::kDate) {
    days = v / kMicrosPerDay - (v % kMicrosPerDay < 0 ? 1 : 0);
    micros_of_day = v - days * kMicrosPerDay;
  }
  int64_t year = 0;
  unsigned month = 0;
  unsigned day = 0;
  CivilFromDays(static_cast<int32_t>(days), year, month, day);
  if (year > 0) return false;
  out += fmt::format("{:04}-{:02}-{:02}", 1 - year, month, day);
  if (id != TypeId::kDate) {
    out += ' ';
    FormatTime(micros_of_day, out);
    if (id == TypeId::kTimestampTz) out += "+00";
  }
  out += " BC";
  return true;
}

}  // namespace

void AppendCopyText(std::string_view text, std::string& out) {
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    const char* esc = c == '\\'   ? "\\\\"
                      : c == '\t' ? "\\t"
                      : c == '\n' ? "\\n"
                      : c == '\r' ? "\\r"
                                  : nullptr;
    if (esc == nullptr) continue;
    out.append(text.data() + start, i - start);
    out.append(esc);
    start = i + 1;
  }
  out.append(text.data() + start, text.size() - start);
}

bool ParseUuidBytes(std::string_view text, char* bytes16) {
  if (text.size() == 38 && text.front() == '{' && text.back() == '}') {
    text = text.substr(1, 36);
  }
  const bool dashed = text.size() == 36;
  if (!dashed && text.size() != 32) return false;
  int n = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (dashed && (i == 8 || i == 13 || i == 18 || i == 23)) {
      if (text[i] != '-') return false;
      continue;
    }
    int hi = HexValue(text[i]);
    int lo = i + 1 < text.size() ? HexValue(text[i + 1]) : -1;
    if (hi < 0 || lo < 0) return false;
    bytes16[n++] = static_cast<char>(hi << 4 | lo);
    ++i;
  }
  return n == 16;
}

void CopyEncoder::Header(std::string& out) const {
  if (!binary_) return;
  out.append(kSignature, sizeof(kSignature));
  PutU32(out, 0);  // flags
  PutU32(out, 0);  // header extension length
}

void CopyEncoder::Trailer(std::string& out) const {
  if (binary_) PutI16(out, -1);
}

bool CopyEncoder::AppendRow(const Batch& batch, size_t row, int64_t row_number, std::string& out,
                            size_t& bad_column, std::string& why) {
  const size_t start = out.size();
  const size_t ncols = columns_.size();
  if (binary_) {
    PutI16(out, static_cast<int16_t>(ncols + (constant_ ? 1 : 0) + (row_numbers_ ? 1 : 0) +
                                     (keep_masks_ ? 1 : 0)));
  }
  for (size_t c = 0; c < ncols; ++c) {
    const Column& col = batch.columns[c];
    if (!binary_ && c > 0) out += '\t';
    if (col.IsNull(row)) {
      if (binary_) {
        PutI32(out, -1);
      } else {
        out.append("\\N");
      }
      continue;
    }
    bool ok =
        binary_ ? Binary(columns_[c], col, row, out, why) : Text(columns_[c], col, row, out, why);
    if (!ok) {
      out.resize(start);
      bad_column = c;
      return false;
    }
  }
  if (constant_) {
    if (binary_) {
      PutI32(out, static_cast<int32_t>(constant_->size()));
      out.append(*constant_);
    } else {
      if (ncols > 0) out += '\t';
      AppendCopyText(*constant_, out);
    }
  }
  if (row_numbers_) {
    if (binary_) {
      PutI32(out, 8);
      PutI64(out, row_number);
    } else {
      if (ncols > 0 || constant_) out += '\t';
      FormatInt(row_number, out);
    }
  }
  if (keep_masks_) KeepMask(batch, row, out);
  if (!binary_) out += '\n';
  return true;
}

void CopyEncoder::KeepMask(const Batch& batch, size_t row, std::string& out) {
  mask_.clear();
  for (size_t c = 0; c < batch.columns.size(); ++c) {
    const Column& col = batch.columns[c];
    if (!col.has_unchanged() || !col.IsUnchanged(row)) continue;
    // Whole, so that the merge's get_bit() of any column stays inside it.
    if (mask_.empty()) mask_.resize((batch.columns.size() + 7) / 8, '\0');
    mask_[c / 8] = static_cast<char>(static_cast<uint8_t>(mask_[c / 8]) | (1u << (c % 8)));
  }
  if (binary_) {
    if (mask_.empty()) {
      PutI32(out, -1);
    } else {
      PutI32(out, static_cast<int32_t>(mask_.size()));
      out.append(mask_);
    }
    return;
  }
  out += '\t';
  if (mask_.empty()) {
    out.append("\\N");
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  out.append("\\\\x");  // bytea's hex form, its backslash escaped for COPY
  for (char ch : mask_) {
    out += kHex[static_cast<uint8_t>(ch) >> 4];
    out += kHex[static_cast<uint8_t>(ch) & 0xf];
  }
}

bool CopyEncoder::NumericText(const ColumnWrite& w, const Column& col, size_t row,
                              std::string& why) {
  scratch_.clear();
  const TypeId id = col.id();
  if (id == TypeId::kDecimal) {
    scratch_.append(col.GetView(row));
  } else if (IsSignedInteger(id)) {
    FormatInt(col.GetInt(row), scratch_);
  } else if (IsUnsignedInteger(id)) {
    FormatUInt(col.GetUInt(row), scratch_);
  } else {
    // Floats: their shortest exact decimal text, in plain notation (numeric takes no
    // exponent here); NaN and the infinities as numeric's own.
    double d = col.GetDouble(row);
    if (std::isnan(d)) {
      scratch_ = "NaN";
      return true;
    }
    if (std::isinf(d)) {
      scratch_ = d > 0 ? "Infinity" : "-Infinity";
      return true;
    }
    char buf[400];
    auto r =
        id == TypeId::kFloat32
            ? std::to_chars(buf, buf + sizeof(buf), static_cast<float>(d), std::chars_format::fixed)
            : std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::fixed);
    scratch_.append(buf, r.ptr);
  }
  return FitsNumeric(scratch_, w.precision, w.scale, why);
}

bool CopyEncoder::Binary(const ColumnWrite& w, const Column& col, size_t row, std::string& out,
                         std::string& why) {
  switch (w.target) {
    case TargetKind::kBool:
      PutI32(out, 1);
      out += static_cast<char>(col.GetBool(row) ? 1 : 0);
      return true;
    case TargetKind::kInt2:
    case TargetKind::kInt4:
    case TargetKind::kInt8:
    case TargetKind::kOid: {
      int64_t lo = w.target == TargetKind::kInt2   ? INT16_MIN
                   : w.target == TargetKind::kInt4 ? INT32_MIN
                   : w.target == TargetKind::kOid  ? 0
                                                   : INT64_MIN;
      int64_t hi = w.target == TargetKind::kInt2   ? INT16_MAX
                   : w.target == TargetKind::kInt4 ? INT32_MAX
                   : w.target == TargetKind::kOid  ? int64_t{UINT32_MAX}
                                                   : INT64_MAX;
      int64_t v = 0;
      if (!IntInRange(col, row, lo, hi, v)) {
        scratch_.clear();
        FormatValue(col, row, scratch_);
        why = fmt::format("{} is out of range for {}", scratch_, IntName(w.target));
        return false;
      }
      if (w.target == TargetKind::kInt2) {
        PutI32(out, 2);
        PutI16(out, static_cast<int16_t>(v));
      } else if (w.target == TargetKind::kInt8) {
        PutI32(out, 8);
        PutI64(out, v);
      } else {
        PutI32(out, 4);
        PutU32(out, static_cast<uint32_t>(v));
      }
      return true;
    }
    case TargetKind::kFloat4: {
      float f = col.id() == TypeId::kFloat32  ? static_cast<float>(col.GetDouble(row))
                : IsUnsignedInteger(col.id()) ? static_cast<float>(col.GetUInt(row))
                                              : static_cast<float>(col.GetInt(row));
      PutI32(out, 4);
      PutU32(out, std::bit_cast<uint32_t>(f));
      return true;
    }
    case TargetKind::kFloat8: {
      double d = 0;
      if (IsFloating(col.id())) {
        d = col.GetDouble(row);
      } else if (IsUnsignedInteger(col.id())) {
        uint64_t u = col.GetUInt(row);
        d = static_cast<double>(u);
        if (d >= 18446744073709551616.0 || static_cast<uint64_t>(d) != u) {
          why = fmt::format("{} cannot be held exactly by double precision", u);
          return false;
        }
      } else {
        int64_t v = col.GetInt(row);
        d = static_cast<double>(v);
        if (d >= 9223372036854775808.0 || static_cast<int64_t>(d) != v) {
          why = fmt::format("{} cannot be held exactly by double precision", v);
          return false;
        }
      }
      PutI32(out, 8);
      PutU64(out, std::bit_cast<uint64_t>(d));
      return true;
    }
    case TargetKind::kNumeric: {
      if (!NumericText(w, col, row, why)) return false;
      const size_t at = out.size();
      PutI32(out, 0);
      if (!EncodeNumeric(scratch_, out)) {
        out.resize(at);
        why = fmt::format("'{}' is not a decimal number", scratch_.substr(0, 40));
        return false;
      }
      PatchI32(out, at, static_cast<int32_t>(out.size() - at - 4));
      return true;
    }
    case TargetKind::kText: {
      const size_t at = out.size();
      PutI32(out, 0);
      FormatValue(col, row, out);
      PatchI32(out, at, static_cast<int32_t>(out.size() - at - 4));
      return true;
    }
    case TargetKind::kJsonb: {
      std::string_view v = col.GetView(row);
      PutI32(out, static_cast<int32_t>(v.size() + 1));
      out += '\1';
      out.append(v);
      return true;
    }
    case TargetKind::kJson:
    case TargetKind::kXml:
    case TargetKind::kEnum:
    case TargetKind::kBytea: {
      std::string_view v = col.GetView(row);
      PutI32(out, static_cast<int32_t>(v.size()));
      out.append(v);
      return true;
    }
    case TargetKind::kDate: {
      int64_t days = col.GetInt(row);
      if (!IsKeptInfinity(days, /*is_date=*/true)) days -= kPgEpochDays;
      PutI32(out, 4);
      PutI32(out, static_cast<int32_t>(days));
      return true;
    }
    case TargetKind::kTime: {
      int64_t micros = col.GetInt(row);
      if (micros < 0 || micros > kMicrosPerDay) {
        scratch_.clear();
        FormatTime(micros, scratch_);
        why = fmt::format("{} is outside the range of time (00:00:00 to 24:00:00)", scratch_);
        return false;
      }
      PutI32(out, 8);
      PutI64(out, micros);
      return true;
    }
    case TargetKind::kInterval: {  // only from time: microseconds, 0 days, 0 months
      PutI32(out, 16);
      PutI64(out, col.GetInt(row));
      PutI32(out, 0);
      PutI32(out, 0);
      return true;
    }
    case TargetKind::kTimestamp:
    case TargetKind::kTimestampTz: {
      int64_t pg = col.GetInt(row);
      if (!IsKeptInfinity(pg, /*is_date=*/false) &&
          __builtin_sub_overflow(col.GetInt(row), kPgEpochMicros, &pg)) {
        why = "timestamp out of range";
        return false;
      }
      PutI32(out, 8);
      PutI64(out, pg);
      return true;
    }
    case TargetKind::kUuid: {
      char bytes[16];
      std::string_view v = col.GetView(row);
      if (!ParseUuidBytes(v, bytes)) {
        why = fmt::format("'{}' is not a valid uuid", v.substr(0, 40));
        return false;
      }
      PutI32(out, 16);
      out.append(bytes, 16);
      return true;
    }
    default:
      break;
  }
  why = "internal: no binary form for this column";  // PlanColumnWrite chose text mode
  return false;
}

bool CopyEncoder::Text(const ColumnWrite& w, const Column& col, size_t row, std::string& out,
                       std::string& why) {
  scratch_.clear();
  switch (w.target) {
    case TargetKind::kBytea:
      out.append("\\\\x");
      AppendHex(col.GetView(row), out);
      return true;
    case TargetKind::kArray:
      if (col.id() == TypeId::kJson) {
        if (!JsonToArrayLiteral(col.GetView(row), w.json_elements, scratch_)) {
          why = "JSON value is not an array";
          return false;
        }
        AppendCopyText(scratch_, out);
        return true;
      }
      break;
    case TargetKind::kNumeric:
      if (!NumericText(w, col, row, why)) return false;
      AppendCopyText(scratch_, out);
      return true;
    case TargetKind::kFloat4:
    case TargetKind::kFloat8:
      if (IsFloating(col.id())) {
        double d = col.GetDouble(row);
        if (std::isnan(d) || std::isinf(d)) {
          out.append(std::isnan(d) ? "NaN" : (d > 0 ? "Infinity" : "-Infinity"));
          return true;
        }
      }
      break;
    default:
      break;
  }
  if (AppendInfinityText(col, row, out) || AppendBcText(col, row, out)) return true;
  FormatValue(col, row, scratch_);
  AppendCopyText(scratch_, out);
  return true;
}

}  // namespace sluice::postgres
