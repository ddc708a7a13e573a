// Formatting half of value_text.h, plus the calendar helpers and ParseAndAppend.
// Parsing lives in value_text_parse.cc.
//
// Every formatter writes into a small stack buffer and appends it once, so formatting a value
// never allocates beyond growing `out`.
#include <charconv>
#include <cmath>
#include <limits>

#include "core/value_text.h"
#include "core/value_text_internal.h"

namespace sluice {

// --- calendar (Howard Hinnant's days_from_civil / civil_from_days) -------------------------

void CivilFromDays(int32_t days, int64_t& year, unsigned& month, unsigned& day) {
  const int64_t z = static_cast<int64_t>(days) + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;                                       // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
  day = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  month = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  year = yoe + era * 400 + (month <= 2 ? 1 : 0);
}

namespace {

using text_internal::FloorDiv;

char* PutDigits2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
  return p + 2;
}

// At least `width` digits, zero-padded.
char* PutUnsigned(char* p, uint64_t v, int width) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n < width) tmp[n++] = '0';
  while (n > 0) *p++ = tmp[--n];
  return p;
}

char* PutDate(char* p, int32_t days) {
  int64_t year = 0;
  unsigned month = 0;
  unsigned day = 0;
  CivilFromDays(days, year, month, day);
  if (year < 0) {
    *p++ = '-';
    year = -year;
  }
  p = PutUnsigned(p, static_cast<uint64_t>(year), 4);
  *p++ = '-';
  p = PutDigits2(p, month);
  *p++ = '-';
  return PutDigits2(p, day);
}

// ".ffffff" with trailing zeros trimmed; nothing for a whole second.
char* PutFraction(char* p, uint64_t micros) {
  if (micros == 0) return p;
  *p++ = '.';
  char digits[6];
  for (int i = 5; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + micros % 10);
    micros /= 10;
  }
  int n = 6;
  while (digits[n - 1] == '0') --n;
  for (int i = 0; i < n; ++i) *p++ = digits[i];
  return p;
}

// HH:MM:SS[.f] of a non-negative duration; hours get as many digits as they need.
char* PutClock(char* p, uint64_t micros) {
  const uint64_t secs = micros / kMicrosPerSecond;
  p = PutUnsigned(p, secs / 3600, 2);
  *p++ = ':';
  p = PutDigits2(p, static_cast<unsigned>(secs / 60 % 60));
  *p++ = ':';
  p = PutDigits2(p, static_cast<unsigned>(secs % 60));
  return PutFraction(p, micros % kMicrosPerSecond);
}

char* PutDateTime(char* p, int64_t micros, char separator) {
  const int64_t days = FloorDiv(micros, kMicrosPerDay);
  p = PutDate(p, static_cast<int32_t>(days));
  *p++ = separator;
  return PutClock(p, static_cast<uint64_t>(micros - days * kMicrosPerDay));
}

}  // namespace

// --- formatting ----------------------------------------------------------------------------

void FormatInt(int64_t v, std::string& out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr);
}

void FormatUInt(uint64_t v, std::string& out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr);
}

namespace {
template <typename F>
void FormatFloating(F v, std::string& out) {
  if (std::isnan(v)) {
    out.append("nan");
  } else if (std::isinf(v)) {
    out.append(v < 0 ? "-inf" : "inf");
  } else {
    char buf[48];
    auto r = std::to_chars(buf, buf + sizeof(buf), v);  // shortest round-trip form
    out.append(buf, r.ptr);
  }
}
}  // namespace

void FormatDouble(double v, std::string& out) {
  FormatFloating(v, out);
}
void FormatFloat(float v, std::string& out) {
  FormatFloating(v, out);
}

void FormatDate(int32_t days_since_epoch, std::string& out) {
  char buf[24];
  out.append(buf, PutDate(buf, days_since_epoch));
}

void FormatTime(int64_t micros, std::string& out) {
  char buf[40];
  char* p = buf;
  uint64_t magnitude = static_cast<uint64_t>(micros);
  if (micros < 0) {
    *p++ = '-';
    magnitude = 0 - magnitude;  // well-defined for INT64_MIN too
  }
  out.append(buf, PutClock(p, magnitude));
}

void FormatTimestamp(int64_t micros_since_epoch, std::string& out) {
  char buf[48];
  out.append(buf, PutDateTime(buf, micros_since_epoch, ' '));
}

void FormatTimestampTz(int64_t micros_since_epoch, std::string& out) {
  char buf[48];
  char* p = PutDateTime(buf, micros_since_epoch, 'T');
  *p++ = 'Z';
  out.append(buf, p);
}

void FormatTimestampTzIn(int64_t micros_since_epoch, const TimeZone& zone, std::string& out) {
  const int64_t local = zone.UtcToLocalMicros(micros_since_epoch);
  int64_t offset = (local - micros_since_epoch) / kMicrosPerSecond;
  char buf[64];
  char* p = PutDateTime(buf, local, ' ');
  *p++ = offset < 0 ? '-' : '+';
  if (offset < 0) offset = -offset;
  p = PutDigits2(p, static_cast<unsigned>(offset / 3600));
  *p++ = ':';
  p = PutDigits2(p, static_cast<unsigned>(offset / 60 % 60));
  if (offset % 60 != 0) {  // historical local mean times have second offsets
    *p++ = ':';
    p = PutDigits2(p, static_cast<unsigned>(offset % 60));
  }
  out.append(buf, p);
}

void FormatValue(const Column& column, size_t row, std::string& out) {
  switch (column.id()) {
    case TypeId::kNull:
      return;
    case TypeId::kBool:
      out.append(column.GetBool(row) ? "true" : "false");
      return;
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
      FormatInt(column.GetInt(row), out);
      return;
    case TypeId::kUInt8:
    case TypeId::kUInt16:
    case TypeId::kUInt32:
    case TypeId::kUInt64:
      FormatUInt(column.GetUInt(row), out);
      return;
    case TypeId::kFloat32:
      FormatFloat(static_cast<float>(column.GetDouble(row)), out);
      return;
    case TypeId::kFloat64:
      FormatDouble(column.GetDouble(row), out);
      return;
    case TypeId::kDecimal:
    case TypeId::kString:
    case TypeId::kBytes:
    case TypeId::kJson:
    case TypeId::kUuid: {
      std::string_view v = column.GetView(row);
      out.append(v.data(), v.size());
      return;
    }
    case TypeId::kDate:
      FormatDate(static_cast<int32_t>(column.GetInt(row)), out);
      return;
    case TypeId::kTime:
      FormatTime(column.GetInt(row), out);
      return;
    case TypeId::kTimestamp:
      FormatTimestamp(column.GetInt(row), out);
      return;
    case TypeId::kTimestampTz:
      FormatTimestampTz(column.GetInt(row), out);
      return;
  }
}

// --- ParseAndAppend ------------------------------------------------------------------------

namespace {

Status AppendInteger(std::string_view text, Column& column) {
  const TypeId id = column.id();
  const char* name = TypeIdName(id);
  if (IsUnsignedInteger(id)) {
    uint64_t v = 0;
    SLUICE_RETURN_IF_ERROR(text_internal::ParseUnsignedAs(text, name, v));
    const uint64_t max = id == TypeId::kUInt8    ? 0xFFu
                         : id == TypeId::kUInt16 ? 0xFFFFu
                         : id == TypeId::kUInt32 ? 0xFFFF'FFFFu
                                                 : std::numeric_limits<uint64_t>::max();
    if (v > max) return text_internal::OutOfRange(text, name);
    column.AppendUInt(v);
    return Status::OK();
  }
  int64_t v = 0;
  SLUICE_RETURN_IF_ERROR(text_internal::ParseSignedAs(text, name, v));
  int64_t lo = std::numeric_limits<int64_t>::min();
  int64_t hi = std::numeric_limits<int64_t>::max();
  if (id == TypeId::kInt8) {
    lo = -128, hi = 127;
  } else if (id == TypeId::kInt16) {
    lo = -32768, hi = 32767;
  } else if (id == TypeId::kInt32) {
    lo = std::numeric_limits<int32_t>::min(), hi = std::numeric_limits<int32_t>::max();
  }
  if (v < lo || v > hi) return text_internal::OutOfRange(text, name);
  column.AppendInt(v);
  return Status::OK();
}

// Appends a var value built by `build` straight into the column's buffer (no temporary
// string); on error the partial bytes are dropped and nothing is appended.
template <typename Build>
Status AppendVar(Column& column, Build&& build) {
  std::string& data = column.MutableData();
  const size_t mark = data.size();
  Status st = build(data);
  if (!st.ok()) {
    data.resize(mark);
    return st;
  }
  column.CommitVar();
  return Status::OK();
}

}  // namespace

Status ParseAndAppend(std::string_view text, Column& column, const TimeZone& zone) {
  const TypeId id = column.id();
  switch (id) {
    case TypeId::kNull:
      return Status::DataError("cannot store '{}' in a column of type null",
                               text_internal::Excerpt(text));
    case TypeId::kBool: {
      SLUICE_ASSIGN_OR_RETURN(bool v, ParseBool(text));
      column.AppendBool(v);
      return Status::OK();
    }
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kUInt8:
    case TypeId::kUInt16:
    case TypeId::kUInt32:
    case TypeId::kUInt64:
      return AppendInteger(text, column);
    case TypeId::kFloat32: {
      SLUICE_ASSIGN_OR_RETURN(float v, text_internal::ParseFloat32(text));
      column.AppendDouble(static_cast<double>(v));
      return Status::OK();
    }
    case TypeId::kFloat64: {
      SLUICE_ASSIGN_OR_RETURN(double v, ParseDouble(text));
      column.AppendDouble(v);
      return Status::OK();
    }
    case TypeId::kDecimal: {
      const DataType type = column.type();
      return AppendVar(column, [&](std::string& out) {
        return text_internal::AppendCanonicalDecimal(text, type.precision, type.scale, out);
      });
    }
    case TypeId::kUuid:
      return AppendVar(
          column, [&](std::string& out) { return text_internal::AppendCanonicalUuid(text, out); });
    case TypeId::kString:
    case TypeId::kBytes:
    case TypeId::kJson:
      column.AppendBytes(text);
      return Status::OK();
    case TypeId::kDate: {
      SLUICE_ASSIGN_OR_RETURN(int32_t v, ParseDate(text));
      column.AppendInt(v);
      return Status::OK();
    }
    case TypeId::kTime: {
      SLUICE_ASSIGN_OR_RETURN(int64_t v, ParseTime(text));
      column.AppendInt(v);
      return Status::OK();
    }
    case TypeId::kTimestamp: {
      SLUICE_ASSIGN_OR_RETURN(int64_t v, ParseTimestamp(text));
      column.AppendInt(v);
      return Status::OK();
    }
    case TypeId::kTimestampTz: {
      SLUICE_ASSIGN_OR_RETURN(int64_t v, ParseTimestampTz(text, zone));
      column.AppendInt(v);
      return Status::OK();
    }
  }
  return Status::Internal("ParseAndAppend: unhandled type {}", TypeIdName(id));
}

}  // namespace sluice
