// Text form of every value: the one place that turns values into text and back.
//
// Used by the file connectors (CSV, JSON lines), by SQLite (which stores dates as text), by the
// state store (watermarks) and by CAST in expressions. Canonical forms:
//   bool        true | false            (parsing also accepts 1/0, t/f, y/n, yes/no, on/off)
//   integers    decimal digits          (full uint64 range; out of range is an error)
//   float32/64  shortest text that reads back to the same bits; inf, -inf, nan
//   decimal     [-]digits[.digits], no exponent, scale kept ("1.50" stays "1.50")
//   date        YYYY-MM-DD              (years after 9999 take more digits; year 0000 is 1 BC
//                                        and years before it are negative: -0044-03-15)
//   time        [-]HH:MM:SS[.ffffff]    (hours may exceed 24: MySQL TIME is -838..838 h)
//   timestamp   YYYY-MM-DD HH:MM:SS[.ffffff]            wall clock, no zone
//   timestamptz YYYY-MM-DDTHH:MM:SS[.ffffff]Z            an instant, printed in UTC
//   bytes       the raw bytes (files encode them, e.g. as base64 or hex, on top of this)
//   uuid        8-4-4-4-12 lowercase hex
// Fractional seconds are printed with as many digits as needed (trailing zeros trimmed).
// Parsing is strict: no surrounding spaces, the whole text must be consumed; numbers may carry
// a leading '+'. Fractional seconds accept up to 9 digits and are TRUNCATED to microseconds
// (rounding could carry into the next day). Timestamps accept ' ' or 'T' between date and time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/column.h"
#include "core/status.h"
#include "core/time_zone.h"

namespace sluice {

// --- formatting: append the canonical text of a non-NULL value to `out` -------------------
void FormatValue(const Column& column, size_t row, std::string& out);
void FormatInt(int64_t v, std::string& out);
void FormatUInt(uint64_t v, std::string& out);
void FormatDouble(double v, std::string& out);
void FormatFloat(float v, std::string& out);
void FormatDate(int32_t days_since_epoch, std::string& out);
void FormatTime(int64_t micros, std::string& out);
void FormatTimestamp(int64_t micros_since_epoch, std::string& out);
void FormatTimestampTz(int64_t micros_since_epoch, std::string& out);
// The text as it would appear in `zone`, with its offset: "2024-03-01 08:00:00+08:00".
void FormatTimestampTzIn(int64_t micros_since_epoch, const TimeZone& zone, std::string& out);

// --- parsing: each returns a DataError whose message says what was expected ----------------
Result<bool> ParseBool(std::string_view text);
Result<int64_t> ParseInt(std::string_view text);  // exact: no spaces, optional '+'
Result<uint64_t> ParseUInt(std::string_view text);
// Also inf, -inf, nan, infinity (any case) and exponents. Overflow is an error; underflow
// rounds to zero or a denormal as IEEE arithmetic does.
Result<double> ParseDouble(std::string_view text);
Result<int32_t> ParseDate(std::string_view text);
Result<int64_t> ParseTime(std::string_view text);
// Accepts "YYYY-MM-DD[ |T]HH:MM[:SS[.f{1,9}]]" and a bare date (midnight).
Result<int64_t> ParseTimestamp(std::string_view text);
// As ParseTimestamp, plus an optional zone suffix: Z, +HH, +HH:MM, +HHMM. Text without a
// suffix is wall-clock time in `zone_if_missing`.
Result<int64_t> ParseTimestampTz(std::string_view text, const TimeZone& zone_if_missing);
// Validates and canonicalises decimal text ("+1.5e2" -> "150", "007.10" -> "7.10", "-0" -> "0";
// " 007.10" is an error). precision == 0 && scale == 0 means unconstrained: the text keeps the
// scale it was written with. Otherwise the result has exactly `scale` fraction digits: shorter
// text is padded with zeros; longer text is accepted only if the extra digits are zeros (no
// silent rounding), else a DataError. With precision > 0, more than precision - scale integer
// digits is a DataError. Exponent forms are accepted and expanded; at most 2000 digits.
Result<std::string> CanonicalDecimal(std::string_view text, uint16_t precision, uint16_t scale);
// Accepts 8-4-4-4-12 hex (any case), the same in braces, or 32 bare hex digits.
Result<std::string> CanonicalUuid(std::string_view text);

// Parses `text` as a value of column.type() and appends it. On error nothing is appended.
// kBytes takes the text as raw bytes; kJson checks nothing (use the JSON connector to validate).
// Errors name the column type: "'12x' is not a valid int32", "'300' is out of range for int8".
Status ParseAndAppend(std::string_view text, Column& column, const TimeZone& zone);

// --- calendar helpers ---------------------------------------------------------------------
// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
// Inline: every DATE and DATETIME cell a decoder reads goes through it.
inline int32_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t yoe = year - era * 400;                                    // [0, 399]
  const int64_t mp = month > 2 ? month - 3 : month + 9;                    // March = 0
  const int64_t doy = (153 * mp + 2) / 5 + static_cast<int64_t>(day) - 1;  // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;               // [0, 146096]
  return static_cast<int32_t>(era * 146097 + doe - 719468);
}
void CivilFromDays(int32_t days, int64_t& year, unsigned& month, unsigned& day);

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400LL * kMicrosPerSecond;

}  // namespace sluice
