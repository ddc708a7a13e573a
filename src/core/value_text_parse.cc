// Parsing half of value_text.h: text from files, databases and job files into values.
//
// Parsers are strict (no surrounding spaces, whole text consumed) because a lenient parser
// silently turns "12 34" into 12; a leading '+' is accepted on numbers. Fractional seconds
// accept up to 9 digits and are TRUNCATED to microseconds (not rounded): rounding could carry
// into the next second, minute or day, which surprises more than a dropped nanosecond.
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "core/value_text.h"
#include "core/value_text_internal.h"

namespace sluice {
namespace text_internal {

std::string Excerpt(std::string_view text) {
  constexpr size_t kMax = 64;
  if (text.size() <= kMax) return std::string(text);
  size_t cut = kMax - 4;
  // Back off to a UTF-8 character boundary so the message stays valid text.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "...";
}

Status OutOfRange(std::string_view text, const char* type_name) {
  return Status::DataError("'{}' is out of range for {}", Excerpt(text), type_name);
}

namespace {

Status NotValid(std::string_view text, const char* what) {
  return Status::DataError("'{}' is not a valid {}", Excerpt(text), what);
}

// Drops one leading '+', refusing "+-1" and "++1" that from_chars would otherwise see.
bool StripPlus(std::string_view& t) {
  if (!t.empty() && t[0] == '+') {
    t.remove_prefix(1);
    if (!t.empty() && (t[0] == '+' || t[0] == '-')) return false;
  }
  return !t.empty();
}

template <typename T>
Status ParseIntegral(std::string_view text, const char* type_name, T& out) {
  std::string_view t = text;
  if (!StripPlus(t)) return NotValid(text, type_name);
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
  if (ec == std::errc::invalid_argument || ptr != t.data() + t.size()) {
    return NotValid(text, type_name);
  }
  if (ec == std::errc::result_out_of_range) return OutOfRange(text, type_name);
  return Status::OK();
}

// from_chars reports underflow and overflow alike as out of range. Underflow rounds to zero
// (or a denormal), as IEEE arithmetic would; only overflow is an error.
template <typename F>
Result<F> ParseFloating(std::string_view text, const char* type_name) {
  std::string_view t = text;
  if (!StripPlus(t)) return Err(NotValid(text, type_name));
  F v = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec == std::errc::invalid_argument || ptr != t.data() + t.size()) {
    return Err(NotValid(text, type_name));
  }
  if (ec == std::errc::result_out_of_range) {
    const std::string copy(t);  // error path only: strtod needs a terminated string
    const double d = std::strtod(copy.c_str(), nullptr);
    if (std::isinf(d) || std::fabs(d) >= 1.0) return Err(OutOfRange(text, type_name));
    return static_cast<F>(d);
  }
  return v;
}

}  // namespace

Status ParseSignedAs(std::string_view text, const char* type_name, int64_t& out) {
  return ParseIntegral(text, type_name, out);
}
Status ParseUnsignedAs(std::string_view text, const char* type_name, uint64_t& out) {
  return ParseIntegral(text, type_name, out);
}
Result<float> ParseFloat32(std::string_view text) {
  return ParseFloating<float>(text, "float32");
}

}  // namespace text_internal

using text_internal::Excerpt;

Result<bool> ParseBool(std::string_view text) {
  static constexpr std::string_view kTrue[] = {"true", "1", "t", "yes", "y", "on"};
  static constexpr std::string_view kFalse[] = {"false", "0", "f", "no", "n", "off"};
  if (text.size() <= 5) {
    char lower[5];
    for (size_t i = 0; i < text.size(); ++i) {
      lower[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
    }
    const std::string_view l(lower, text.size());
    for (std::string_view w : kTrue) {
      if (l == w) return true;
    }
    for (std::string_view w : kFalse) {
      if (l == w) return false;
    }
  }
  return Err(Status::DataError("'{}' is not a valid bool (expected true/false, 1/0, yes/no)",
                               Excerpt(text)));
}

Result<int64_t> ParseInt(std::string_view text) {
  int64_t v = 0;
  SLUICE_RETURN_IF_ERROR(text_internal::ParseSignedAs(text, "int64", v));
  return v;
}

Result<uint64_t> ParseUInt(std::string_view text) {
  uint64_t v = 0;
  SLUICE_RETURN_IF_ERROR(text_internal::ParseUnsignedAs(text, "uint64", v));
  return v;
}

Result<double> ParseDouble(std::string_view text) {
  return text_internal::ParseFloating<double>(text, "float64");
}

// --- dates and times -----------------------------------------------------------------------

namespace {

struct Cursor {
  std::string_view s;
  size_t i = 0;

  bool Done() const { return i == s.size(); }
  bool Peek(char c) const { return i < s.size() && s[i] == c; }
  bool Eat(char c) {
    if (!Peek(c)) return false;
    ++i;
    return true;
  }
  bool IsDigit() const { return i < s.size() && s[i] >= '0' && s[i] <= '9'; }
  // Exactly `n` digits.
  bool Digits(int n, int64_t& out) {
    out = 0;
    for (int k = 0; k < n; ++k) {
      if (!IsDigit()) return false;
      out = out * 10 + (s[i++] - '0');
    }
    return true;
  }
  // Between `min` and `max` digits.
  bool DigitsUpTo(int min, int max, int64_t& out) {
    out = 0;
    int n = 0;
    while (n < max && IsDigit()) {
      out = out * 10 + (s[i++] - '0');
      ++n;
    }
    return n >= min && !IsDigit();
  }
};

bool IsLeap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned DaysInMonth(int64_t y, int64_t m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Years as FormatDate writes them: at least four digits, so years after 9999 have more; year 0
// is 1 BC and negative years lie before it (astronomical numbering, as ISO 8601 has it). The
// bound keeps every day number within the int32 a date is.
constexpr int64_t kMaxYear = 5'880'000;

bool ParseDatePart(Cursor& c, int32_t& days) {
  const bool negative = c.Eat('-');
  int64_t y = 0;
  int64_t m = 0;
  int64_t d = 0;
  if (!c.DigitsUpTo(4, 7, y) || !c.Eat('-') || !c.Digits(2, m) || !c.Eat('-') || !c.Digits(2, d)) {
    return false;
  }
  if (negative) y = -y;
  if (y > kMaxYear || y < -kMaxYear) return false;
  if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) return false;
  days = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  return true;
}

// [.f{1,9}] truncated to microseconds.
bool ParseFractionPart(Cursor& c, int64_t& micros) {
  micros = 0;
  if (!c.Eat('.')) return true;
  int n = 0;
  while (c.IsDigit()) {
    if (n == 9) return false;
    if (n < 6) micros = micros * 10 + (c.s[c.i] - '0');
    ++c.i;
    ++n;
  }
  if (n == 0) return false;
  for (int k = n; k < 6; ++k) micros *= 10;
  return true;
}

// H{min_h,max_h}:MM[:SS[.f]] -> micros; hours are bounded by `hour_limit` (exclusive).
bool ParseClockPart(Cursor& c, int min_h, int max_h, int64_t hour_limit, int64_t& micros) {
  int64_t h = 0;
  int64_t m = 0;
  int64_t s = 0;
  int64_t frac = 0;
  if (!c.DigitsUpTo(min_h, max_h, h) || !c.Eat(':') || !c.Digits(2, m)) return false;
  if (c.Eat(':')) {
    if (!c.Digits(2, s) || !ParseFractionPart(c, frac)) return false;
  }
  if (h >= hour_limit || m > 59 || s > 59) return false;
  micros = ((h * 60 + m) * 60 + s) * kMicrosPerSecond + frac;
  return true;
}

// Date with an optional time of day, as wall-clock micros.
bool ParseDateTimePart(Cursor& c, int64_t& micros) {
  int32_t days = 0;
  if (!ParseDatePart(c, days)) return false;
  int64_t clock = 0;
  if (c.Peek(' ') || c.Peek('T') || c.Peek('t')) {
    ++c.i;
    if (!ParseClockPart(c, 2, 2, 24, clock)) return false;
  }
  // Beyond about year 292000 microseconds since 1970 no longer fit in 64 bits.
  return !__builtin_mul_overflow(int64_t{days}, kMicrosPerDay, &micros) &&
         !__builtin_add_overflow(micros, clock, &micros);
}

// Z | [ ]+HH | [ ]+HH:MM | [ ]+HHMM; `found` is false when the text has no suffix.
bool ParseZoneSuffix(Cursor& c, bool& found, int64_t& offset_seconds) {
  found = false;
  offset_seconds = 0;
  if (c.Done()) return true;
  found = true;
  if (c.Eat('Z') || c.Eat('z')) return c.Done();
  c.Eat(' ');
  const bool negative = c.Peek('-');
  if (!c.Eat('+') && !c.Eat('-')) return false;
  int64_t h = 0;
  int64_t m = 0;
  if (!c.Digits(2, h)) return false;
  if (!c.Done()) {
    c.Eat(':');
    if (!c.Digits(2, m)) return false;
  }
  if (!c.Done() || h > 18 || m > 59) return false;
  offset_seconds = (h * 3600 + m * 60) * (negative ? -1 : 1);
  return true;
}

}  // namespace

Result<int32_t> ParseDate(std::string_view text) {
  Cursor c{text};
  int32_t days = 0;
  if (!ParseDatePart(c, days) || !c.Done()) {
    return Err(Status::DataError("'{}' is not a valid date (expected YYYY-MM-DD)", Excerpt(text)));
  }
  return days;
}

Result<int64_t> ParseTime(std::string_view text) {
  Cursor c{text};
  const bool negative = c.Eat('-');
  int64_t micros = 0;
  // Six hour digits comfortably cover MySQL's 838 h without any risk of overflow.
  if (!ParseClockPart(c, 1, 6, std::numeric_limits<int64_t>::max(), micros) || !c.Done()) {
    return Err(Status::DataError("'{}' is not a valid time (expected [-]HH:MM:SS[.ffffff])",
                                 Excerpt(text)));
  }
  return negative ? -micros : micros;
}

Result<int64_t> ParseTimestamp(std::string_view text) {
  Cursor c{text};
  int64_t micros = 0;
  if (!ParseDateTimePart(c, micros) || !c.Done()) {
    return Err(Status::DataError(
        "'{}' is not a valid timestamp (expected YYYY-MM-DD HH:MM:SS[.ffffff])", Excerpt(text)));
  }
  return micros;
}

Result<int64_t> ParseTimestampTz(std::string_view text, const TimeZone& zone_if_missing) {
  Cursor c{text};
  int64_t local = 0;
  bool has_zone = false;
  int64_t offset = 0;
  if (!ParseDateTimePart(c, local) || !ParseZoneSuffix(c, has_zone, offset)) {
    return Err(Status::DataError(
        "'{}' is not a valid timestamptz (expected YYYY-MM-DD HH:MM:SS[.ffffff][Z|+HH:MM])",
        Excerpt(text)));
  }
  if (!has_zone) return zone_if_missing.LocalToUtcMicros(local);
  return local - offset * kMicrosPerSecond;
}

// --- decimal and uuid ------------------------------------------------------------------------

Result<std::string> CanonicalDecimal(std::string_view text, uint16_t precision, uint16_t scale) {
  std::string out;
  SLUICE_RETURN_IF_ERROR(text_internal::AppendCanonicalDecimal(text, precision, scale, out));
  return out;
}

Result<std::string> CanonicalUuid(std::string_view text) {
  std::string out;
  SLUICE_RETURN_IF_ERROR(text_internal::AppendCanonicalUuid(text, out));
  return out;
}

}  // namespace sluice
