#include "connectors/sqlite/sqlite_codec.h"

#include <bit>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "core/value_text.h"

namespace sluice::sqlite {
namespace {

bool InSignedRange(TypeId id, int64_t v) {
  switch (id) {
    case TypeId::kInt8:
      return v >= INT8_MIN && v <= INT8_MAX;
    case TypeId::kInt16:
      return v >= INT16_MIN && v <= INT16_MAX;
    case TypeId::kInt32:
      return v >= INT32_MIN && v <= INT32_MAX;
    default:
      return true;
  }
}

bool InUnsignedRange(TypeId id, uint64_t v) {
  switch (id) {
    case TypeId::kUInt8:
      return v <= UINT8_MAX;
    case TypeId::kUInt16:
      return v <= UINT16_MAX;
    case TypeId::kUInt32:
      return v <= UINT32_MAX;
    default:
      return true;
  }
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xe  ? 3
                 : (c >> 3) == 0x1e ? 4
                                    : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

bool IsCanonicalUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < 36; ++i) {
    char c = s[i];
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

void FormatUuidBytes(std::string_view b, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.clear();
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    auto c = static_cast<unsigned char>(b[i]);
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
}

}  // namespace

bool IsCanonicalDecimal(std::string_view text, uint16_t precision, uint16_t scale) {
  if (precision == 0 && scale > 0) return false;
  size_t i = 0;
  const size_t n = text.size();
  bool negative = n > 0 && text[0] == '-';
  if (negative) i = 1;
  size_t int_start = i;
  while (i < n && text[i] >= '0' && text[i] <= '9') ++i;
  size_t int_digits = i - int_start;
  if (int_digits == 0 || (int_digits > 1 && text[int_start] == '0')) return false;
  bool nonzero = int_digits > 1 || text[int_start] != '0';
  size_t frac_digits = 0;
  if (i < n) {
    if (text[i] != '.') return false;
    size_t frac_start = ++i;
    while (i < n && text[i] >= '0' && text[i] <= '9') {
      nonzero = nonzero || text[i] != '0';
      ++i;
    }
    frac_digits = i - frac_start;
    if (frac_digits == 0 || i != n) return false;
  }
  if (negative && !nonzero) return false;  // "-0.00": let CanonicalDecimal decide the sign
  if (precision == 0) return true;
  size_t significant_int = (int_digits == 1 && text[int_start] == '0') ? 0 : int_digits;
  return frac_digits == scale && significant_int + scale <= precision;
}

bool CellDecoder::Decode(sqlite3_stmt* stmt, int col, Cell& out, std::string& why) {
  out.null = false;
  switch (sqlite3_column_type(stmt, col)) {
    case SQLITE_INTEGER:
      return FromInteger(sqlite3_column_int64(stmt, col), out, why);
    case SQLITE_FLOAT:
      return FromReal(sqlite3_column_double(stmt, col), out, why);
    case SQLITE_TEXT: {
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, col));
      return FromText(std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt, col))),
                      out, why);
    }
    case SQLITE_BLOB: {
      const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt, col));
      auto n = static_cast<size_t>(sqlite3_column_bytes(stmt, col));
      return FromBlob(n == 0 ? std::string_view() : std::string_view(p, n), out, why);
    }
    default:
      out.null = true;
      return true;
  }
}

bool CellDecoder::FromInteger(int64_t v, Cell& out, std::string& why) {
  const TypeId id = type_.id;
  if (id == TypeId::kBool) {
    out.fixed = v != 0 ? 1 : 0;
    return true;
  }
  if (IsSignedInteger(id) && InSignedRange(id, v)) {
    out.fixed = v;
    return true;
  }
  if (IsUnsignedInteger(id) && v >= 0 && InUnsignedRange(id, static_cast<uint64_t>(v))) {
    out.fixed = v;
    return true;
  }
  switch (id) {
    case TypeId::kFloat32:
      out.fixed = std::bit_cast<int64_t>(static_cast<double>(static_cast<float>(v)));
      return true;
    case TypeId::kFloat64:
      out.fixed = std::bit_cast<int64_t>(static_cast<double>(v));
      return true;
    case TypeId::kString:
    case TypeId::kJson:
      scratch_.clear();
      FormatInt(v, scratch_);
      out.var = scratch_;
      return true;
    case TypeId::kDecimal:
      scratch_.clear();
      FormatInt(v, scratch_);
      return DecimalFromScratch(out, why);
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      // SQLite's own convention for integer times: seconds since the Unix epoch.
      if (v > INT64_MAX / kMicrosPerSecond || v < INT64_MIN / kMicrosPerSecond) break;
      out.fixed = v * kMicrosPerSecond;
      return true;
    default:
      break;
  }
  why = fmt::format("integer {} does not fit {}", v, TypeName(type_));
  return false;
}

bool CellDecoder::FromReal(double v, Cell& out, std::string& why) {
  const TypeId id = type_.id;
  const bool integral = std::isfinite(v) && std::trunc(v) == v;
  if (id == TypeId::kBool && (v == 0 || v == 1)) {
    out.fixed = v == 1 ? 1 : 0;
    return true;
  }
  // 2^63 and 2^64 are exact doubles; the valid ranges are half-open below them.
  if (IsSignedInteger(id) && integral && v >= -0x1p63 && v < 0x1p63) {
    return FromInteger(static_cast<int64_t>(v), out, why);
  }
  if (IsUnsignedInteger(id) && integral && v >= 0 && v < 0x1p64) {
    auto u = static_cast<uint64_t>(v);
    if (InUnsignedRange(id, u)) {
      out.fixed = static_cast<int64_t>(u);
      return true;
    }
  }
  switch (id) {
    case TypeId::kFloat32: {
      auto f = static_cast<float>(v);
      if (std::isinf(f) && std::isfinite(v)) break;
      out.fixed = std::bit_cast<int64_t>(static_cast<double>(f));
      return true;
    }
    case TypeId::kFloat64:
      out.fixed = std::bit_cast<int64_t>(v);
      return true;
    case TypeId::kString:
      scratch_.clear();
      FormatDouble(v, scratch_);
      out.var = scratch_;
      return true;
    case TypeId::kJson:
    case TypeId::kDecimal:
      if (!std::isfinite(v)) break;
      scratch_.clear();
      FormatDouble(v, scratch_);
      if (id == TypeId::kJson) {
        out.var = scratch_;
        return true;
      }
      return DecimalFromScratch(out, why);
    default:
      break;
  }
  std::string text;
  FormatDouble(v, text);
  why = fmt::format("real {} does not fit {}", text, TypeName(type_));
  return false;
}

bool CellDecoder::FromText(std::string_view v, Cell& out, std::string& why) {
  switch (type_.id) {
    case TypeId::kString:
    case TypeId::kJson:
    case TypeId::kBytes:
      out.var = v;
      return true;
    case TypeId::kDecimal: {
      if (IsCanonicalDecimal(v, type_.precision, type_.scale)) {
        out.var = v;
        return true;
      }
      Result<std::string> canonical = CanonicalDecimal(v, type_.precision, type_.scale);
      if (!canonical) {
        why = canonical.error().message();  // names the value and the type
        return false;
      }
      scratch_ = std::move(*canonical);
      out.var = scratch_;
      return true;
    }
    case TypeId::kUuid: {
      if (IsCanonicalUuid(v)) {
        out.var = v;
        return true;
      }
      Result<std::string> canonical = CanonicalUuid(v);
      if (!canonical) {
        why = canonical.error().message();
        return false;
      }
      scratch_ = std::move(*canonical);
      out.var = scratch_;
      return true;
    }
    default:
      return FromParsed(v, out, why);
  }
}

// Fixed-width types held as text: the canonical forms of value_text.h (and what SQLite users
// commonly write, as far as the parsers accept it).
bool CellDecoder::DecimalFromScratch(Cell& out, std::string& why) {
  if (!IsCanonicalDecimal(scratch_, type_.precision, type_.scale)) {
    Result<std::string> canonical = CanonicalDecimal(scratch_, type_.precision, type_.scale);
    if (!canonical) {
      why = canonical.error().message();
      return false;
    }
    scratch_ = std::move(*canonical);
  }
  out.var = scratch_;
  return true;
}

bool CellDecoder::FromParsed(std::string_view v, Cell& out, std::string& why) {
  const TypeId id = type_.id;
  Status st;
  if (id == TypeId::kBool) {
    Result<bool> r = ParseBool(v);
    if (r) out.fixed = *r ? 1 : 0;
    st = internal::ToStatus(r);
  } else if (IsSignedInteger(id)) {
    Result<int64_t> r = ParseInt(v);
    if (r && !InSignedRange(id, *r)) {
      r = Err(Status::DataError("{} is out of range for {}", *r, TypeName(type_)));
    }
    if (r) out.fixed = *r;
    st = internal::ToStatus(r);
  } else if (IsUnsignedInteger(id)) {
    Result<uint64_t> r = ParseUInt(v);
    if (r && !InUnsignedRange(id, *r)) {
      r = Err(Status::DataError("{} is out of range for {}", *r, TypeName(type_)));
    }
    if (r) out.fixed = static_cast<int64_t>(*r);
    st = internal::ToStatus(r);
  } else if (IsFloating(id)) {
    Result<double> r = ParseDouble(v);
    if (r && id == TypeId::kFloat32) {
      auto f = static_cast<float>(*r);
      if (std::isinf(f) && !std::isinf(*r)) {
        r = Err(Status::DataError("'{}' is out of range for float32", v));
      } else {
        r = static_cast<double>(f);
      }
    }
    if (r) out.fixed = std::bit_cast<int64_t>(*r);
    st = internal::ToStatus(r);
  } else if (id == TypeId::kDate) {
    Result<int32_t> r = ParseDate(v);
    if (r) out.fixed = *r;
    st = internal::ToStatus(r);
  } else if (id == TypeId::kTime) {
    Result<int64_t> r = ParseTime(v);
    if (r) out.fixed = *r;
    st = internal::ToStatus(r);
  } else if (id == TypeId::kTimestamp) {
    Result<int64_t> r = ParseTimestamp(v);
    if (r) out.fixed = *r;
    st = internal::ToStatus(r);
  } else if (id == TypeId::kTimestampTz) {
    Result<int64_t> r = ParseTimestampTz(v, zone_);
    if (r) out.fixed = *r;
    st = internal::ToStatus(r);
  } else if (id == TypeId::kNull) {
    out.null = true;
  } else {
    st = Status::DataError("cannot read text as {}", TypeName(type_));
  }
  if (st.ok()) return true;
  why = st.message();  // value_text's messages name the value and the expected form
  return false;
}

bool CellDecoder::FromBlob(std::string_view v, Cell& out, std::string& why) {
  switch (type_.id) {
    case TypeId::kBytes:
      out.var = v;
      return true;
    case TypeId::kString:
    case TypeId::kJson:
      if (!IsValidUtf8(v)) {
        why = fmt::format("a blob of {} bytes is not UTF-8 text", v.size());
        return false;
      }
      out.var = v;
      return true;
    case TypeId::kUuid:
      if (v.size() != 16) break;
      FormatUuidBytes(v, scratch_);
      out.var = scratch_;
      return true;
    default:
      break;
  }
  why = fmt::format("cannot read a blob of {} bytes as {}", v.size(), TypeName(type_));
  return false;
}

SqlValue SqlRef::ToValue() const {
  switch (kind) {
    case SqlValue::Kind::kInt:
      return SqlValue::Int(i);
    case SqlValue::Kind::kReal:
      return SqlValue::Real(r);
    case SqlValue::Kind::kText:
      return SqlValue::Text(std::string(s));
    case SqlValue::Kind::kBlob:
      return SqlValue::Blob(std::string(s));
    default:
      return SqlValue{};
  }
}

Status CellEncoder::Encode(const Column& column, size_t row, SqlRef& out) {
  if (column.IsNull(row) || type_.id == TypeId::kNull) {
    out.kind = SqlValue::Kind::kNull;
    return Status::OK();
  }
  switch (type_.id) {
    case TypeId::kUInt64: {
      uint64_t v = column.GetUInt(row);
      if (v <= static_cast<uint64_t>(INT64_MAX)) {
        out.kind = SqlValue::Kind::kInt;
        out.i = static_cast<int64_t>(v);
        return Status::OK();
      }
      // Only a column without numeric affinity keeps the digits of a larger value; an
      // INTEGER or NUMERIC column would turn them into an approximate REAL.
      if (target_ != Affinity::kText && target_ != Affinity::kBlob) {
        return Status::DataError("{} does not fit an SQLite INTEGER (max 9223372036854775807)", v);
      }
      scratch_.clear();
      FormatUInt(v, scratch_);
      break;
    }
    case TypeId::kFloat32:
    case TypeId::kFloat64: {
      double d = column.GetDouble(row);
      if (std::isnan(d)) {
        scratch_ = "nan";
        break;
      }
      out.kind = SqlValue::Kind::kReal;
      out.r = d;
      return Status::OK();
    }
    case TypeId::kDecimal:
    case TypeId::kString:
    case TypeId::kJson:
    case TypeId::kUuid:
      out.kind = SqlValue::Kind::kText;
      out.s = column.GetView(row);
      return Status::OK();
    case TypeId::kBytes:
      out.kind = SqlValue::Kind::kBlob;
      out.s = column.GetView(row);
      return Status::OK();
    case TypeId::kDate:
      scratch_.clear();
      FormatDate(static_cast<int32_t>(column.GetInt(row)), scratch_);
      break;
    case TypeId::kTime:
      scratch_.clear();
      FormatTime(column.GetInt(row), scratch_);
      break;
    case TypeId::kTimestamp:
      scratch_.clear();
      FormatTimestamp(column.GetInt(row), scratch_);
      break;
    case TypeId::kTimestampTz:
      scratch_.clear();
      FormatTimestamp(column.GetInt(row), scratch_);
      scratch_ += "+00:00";
      break;
    default:  // bool and integers that fit int64
      out.kind = SqlValue::Kind::kInt;
      out.i = column.GetInt(row);
      return Status::OK();
  }
  out.kind = SqlValue::Kind::kText;
  out.s = scratch_;
  return Status::OK();
}

Status CellEncoder::Bind(sqlite3_stmt* stmt, int index, const SqlRef& value) {
  int rc = SQLITE_OK;
  // SQLITE_STATIC: the bytes live in the batch or the encoder until the row is stepped. A
  // null pointer would bind NULL, so empty values point at a literal.
  const char* data = value.s.empty() ? "" : value.s.data();
  switch (value.kind) {
    case SqlValue::Kind::kNull:
      rc = sqlite3_bind_null(stmt, index);
      break;
    case SqlValue::Kind::kInt:
      rc = sqlite3_bind_int64(stmt, index, value.i);
      break;
    case SqlValue::Kind::kReal:
      rc = sqlite3_bind_double(stmt, index, value.r);
      break;
    case SqlValue::Kind::kText:
      rc = sqlite3_bind_text64(stmt, index, data, value.s.size(), SQLITE_STATIC, SQLITE_UTF8);
      break;
    case SqlValue::Kind::kBlob:
      rc = sqlite3_bind_blob64(stmt, index, data, value.s.size(), SQLITE_STATIC);
      break;
  }
  if (rc == SQLITE_OK) return Status::OK();
  return SqliteError(sqlite3_db_handle(stmt), rc, "bind");
}

Result<SqlValue> StorageValue(const DataType& type, Affinity target, std::string_view canonical,
                              const TimeZone& zone) {
  Column column(type);
  Status parsed = ParseAndAppend(canonical, column, zone);
  if (!parsed.ok()) {
    return Err(
        Status::Invalid("'{}' is not a valid {}: {}", canonical, TypeName(type), parsed.message()));
  }
  CellEncoder encoder(type, target);
  SqlRef ref;
  SLUICE_RETURN_IF_ERROR(encoder.Encode(column, 0, ref));
  return ref.ToValue();
}

}  // namespace sluice::sqlite
