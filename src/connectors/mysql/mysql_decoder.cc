#include "connectors/mysql/mysql_decoder.h"

#include <algorithm>
#include <bit>
#include <charconv>

#include <fmt/format.h>

#include "core/value_text.h"

namespace sluice::mysql {
namespace {

bool Digits(std::string_view text, size_t pos, size_t count, int64_t& out) {
  if (pos + count > text.size()) return false;
  int64_t v = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    unsigned d = static_cast<unsigned char>(text[i]) - '0';
    if (d > 9) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

// A value shortened for a message.
std::string Excerpt(std::string_view text) {
  constexpr size_t kMax = 64;
  if (text.size() <= kMax) return std::string(text);
  return std::string(text.substr(0, kMax)) + "...";
}

bool IsLeap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int DaysInMonth(int64_t y, int64_t m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// ".123" -> 123000 micros (at most 6 digits; the server never sends more).
bool Fraction(std::string_view text, size_t pos, int64_t& micros) {
  micros = 0;
  if (pos == text.size()) return true;
  if (text[pos] != '.') return false;
  size_t n = text.size() - pos - 1;
  if (n == 0 || n > 6) return false;
  int64_t v = 0;
  if (!Digits(text, pos + 1, n, v)) return false;
  for (size_t i = n; i < 6; ++i) v *= 10;
  micros = v;
  return true;
}

// A clean "[-]digits[.digits]", which is how the server prints DECIMAL.
bool IsPlainDecimal(std::string_view t) {
  size_t i = !t.empty() && t[0] == '-' ? 1 : 0;
  size_t digits = 0;
  bool point = false;
  for (; i < t.size(); ++i) {
    if (t[i] == '.') {
      if (point || digits == 0) return false;
      point = true;
    } else if (t[i] >= '0' && t[i] <= '9') {
      ++digits;
    } else {
      return false;
    }
  }
  return digits > 0 && t.back() != '.';
}

bool IsCanonicalUuid(std::string_view t) {
  if (t.size() != 36) return false;
  for (size_t i = 0; i < 36; ++i) {
    char c = t[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool ParseMysqlDate(std::string_view text, int32_t& days, bool& calendar_ok) {
  int64_t y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !Digits(text, 0, 4, y) ||
      !Digits(text, 5, 2, m) || !Digits(text, 8, 2, d)) {
    return false;
  }
  calendar_ok = y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= DaysInMonth(y, m);
  days = calendar_ok ? DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) : 0;
  return true;
}

bool ParseMysqlDateTime(std::string_view text, int64_t& micros, bool& calendar_ok) {
  int32_t days = 0;
  int64_t h = 0, mi = 0, s = 0, frac = 0;
  if (text.size() < 19 || text[10] != ' ' || text[13] != ':' || text[16] != ':' ||
      !ParseMysqlDate(text.substr(0, 10), days, calendar_ok) || !Digits(text, 11, 2, h) ||
      !Digits(text, 14, 2, mi) || !Digits(text, 17, 2, s) || !Fraction(text, 19, frac) || h > 23 ||
      mi > 59 || s > 59) {
    return false;
  }
  micros = days * kMicrosPerDay + ((h * 60 + mi) * 60 + s) * kMicrosPerSecond + frac;
  return true;
}

bool ParseMysqlTime(std::string_view text, int64_t& micros) {
  bool negative = !text.empty() && text[0] == '-';
  size_t pos = negative ? 1 : 0;
  size_t colon = text.find(':', pos);
  if (colon == std::string_view::npos || colon == pos || colon - pos > 4) return false;
  int64_t h = 0, mi = 0, s = 0, frac = 0;
  if (!Digits(text, pos, colon - pos, h) || colon + 6 > text.size() || text[colon + 3] != ':' ||
      !Digits(text, colon + 1, 2, mi) || !Digits(text, colon + 4, 2, s) ||
      !Fraction(text, colon + 6, frac) || mi > 59 || s > 59) {
    return false;
  }
  micros = ((h * 60 + mi) * 60 + s) * kMicrosPerSecond + frac;
  if (negative) micros = -micros;
  return true;
}

bool ValueDecoder::ZeroDateValue(std::string_view text, Cell& out, std::string& why) const {
  if (zero_date_ == ZeroDate::kNull) {
    out.null = true;
    if (substituted_++ == 0) first_substituted_.assign(text);
    return true;
  }
  why = fmt::format(
      "'{}' is not a calendar date (zero_date: error; set zero_date: null to read "
      "such values as NULL)",
      text);
  return false;
}

bool ValueDecoder::DecodeDate(std::string_view text, Cell& out, std::string& why) const {
  int32_t days = 0;
  bool calendar_ok = false;
  if (!ParseMysqlDate(text, days, calendar_ok)) {
    why = fmt::format("cannot read '{}' as a date", Excerpt(text));
    return false;
  }
  if (!calendar_ok) return ZeroDateValue(text, out, why);
  out.fixed = days;
  return true;
}

bool ValueDecoder::DecodeDateTime(std::string_view text, Cell& out, std::string& why) const {
  int64_t micros = 0;
  bool calendar_ok = false;
  if (!ParseMysqlDateTime(text, micros, calendar_ok)) {
    why = fmt::format("cannot read '{}' as a date and time", Excerpt(text));
    return false;
  }
  if (!calendar_ok) return ZeroDateValue(text, out, why);
  // TIMESTAMP text is in the session's zone, UTC; DATETIME is wall-clock time, which becomes
  // an instant only when the source names the zone it was written in.
  out.fixed = kind_ == ReadKind::kDateTimeTz ? zone_.LocalToUtcMicros(micros) : micros;
  return true;
}

void AppendLatin1AsUtf8(std::string_view bytes, std::string& out) {
  // MariaDB's latin1 is Windows-1252, with the five bytes cp1252 leaves undefined mapped to
  // the C1 controls of the same number, as the server's own conversion does.
  static constexpr uint16_t k80To9F[32] = {
      0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
      0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
      0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};
  for (char ch : bytes) {
    const auto b = static_cast<unsigned char>(ch);
    if (b < 0x80) {
      out += ch;
      continue;
    }
    const uint32_t cp = b < 0xA0 ? k80To9F[b - 0x80] : b;
    if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
    } else {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    }
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool ValueDecoder::Decode(const char* data, size_t len, Cell& out, std::string& why) {
  out.null = data == nullptr;
  if (out.null) return true;
  const std::string_view text(data, len);
  const char* end = data + len;
  switch (kind_) {
    case ReadKind::kInt:
    case ReadKind::kYear: {
      auto [p, ec] = std::from_chars(data, end, out.fixed);
      if (ec == std::errc() && p == end) return true;
      break;
    }
    case ReadKind::kUInt: {
      uint64_t v = 0;
      auto [p, ec] = std::from_chars(data, end, v);
      out.fixed = static_cast<int64_t>(v);
      if (ec == std::errc() && p == end) return true;
      break;
    }
    case ReadKind::kBool:
      if (text == "0" || text == "1") {
        out.fixed = text == "1" ? 1 : 0;
        return true;
      }
      why = fmt::format("{} is not a boolean (tinyint1_as_bool: true reads only 0 and 1)", text);
      return false;
    case ReadKind::kFloat:
    case ReadKind::kDouble: {
      double v = 0;
      auto [p, ec] = std::from_chars(data, end, v);
      if (ec != std::errc() || p != end) break;
      if (kind_ == ReadKind::kFloat && static_cast<double>(static_cast<float>(v)) != v) break;
      out.fixed = std::bit_cast<int64_t>(v);
      return true;
    }
    case ReadKind::kDecimal:
      if (IsPlainDecimal(text)) {
        out.var = text;
        return true;
      }
      if (Result<std::string> canonical = CanonicalDecimal(text, 0, 0)) {
        scratch_ = std::move(*canonical);
        out.var = scratch_;
        return true;
      }
      break;
    case ReadKind::kString:
    case ReadKind::kBytes:
    case ReadKind::kJson:
      out.var = text;
      return true;
    case ReadKind::kLatin1:
      scratch_.clear();
      AppendLatin1AsUtf8(text, scratch_);
      out.var = scratch_;
      return true;
    case ReadKind::kAscii: {
      const auto high = std::find_if(
          text.begin(), text.end(), [](char ch) { return static_cast<unsigned char>(ch) >= 0x80; });
      if (high == text.end()) {
        out.var = text;
        return true;
      }
      why = fmt::format(
          "byte 0x{:02X} at offset {} is not ASCII, the column's character set (the server would "
          "have read it as '?')",
          static_cast<unsigned char>(*high), high - text.begin());
      return false;
    }
    case ReadKind::kUuid:
      if (IsCanonicalUuid(text)) {
        out.var = text;
        return true;
      }
      if (Result<std::string> canonical = CanonicalUuid(text)) {
        scratch_ = std::move(*canonical);
        out.var = scratch_;
        return true;
      }
      break;
    case ReadKind::kBit: {
      if (len > 8) break;
      uint64_t v = 0;
      for (size_t i = 0; i < len; ++i) v = (v << 8) | static_cast<unsigned char>(data[i]);
      out.fixed = static_cast<int64_t>(v);
      return true;
    }
    case ReadKind::kDate:
      return DecodeDate(text, out, why);
    case ReadKind::kDateTime:
    case ReadKind::kDateTimeTz:
    case ReadKind::kTimestampTz:
      return DecodeDateTime(text, out, why);
    case ReadKind::kTime:
      if (ParseMysqlTime(text, out.fixed)) return true;
      break;
  }
  why = fmt::format("cannot read '{}' from the server", Excerpt(text));
  return false;
}

}  // namespace sluice::mysql
