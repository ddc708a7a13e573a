#include "connectors/postgres/replication/pg_text_values.h"

#include <fmt/format.h>

#include "core/value_text.h"

namespace sluice::postgres::replication {
namespace {

constexpr std::string_view kBc = " BC";

bool EndsWithBc(std::string_view text) {
  return text.size() > kBc.size() && text.substr(text.size() - kBc.size()) == kBc;
}

// "0044-03-15..." BC -> "-0043-03-15...": PostgreSQL numbers years BC from 1, sluice
// astronomically (1 BC is year 0). Only BC values pay for the copy.
Result<std::string> AstronomicalYear(std::string_view text) {
  size_t digits = 0;
  int64_t year = 0;
  while (digits < text.size() && digits < 9 && text[digits] >= '0' && text[digits] <= '9') {
    year = year * 10 + (text[digits] - '0');
    ++digits;
  }
  if (digits < 4 || year < 1) {
    return Err(Status::DataError("'{}' does not start with a year", text.substr(0, 40)));
  }
  const int64_t astronomical = 1 - year;
  return fmt::format("{}{:04d}{}", astronomical < 0 ? "-" : "",
                     astronomical < 0 ? -astronomical : astronomical, text.substr(digits));
}

// Splits "... HH:MM:SS[.f]+08[:05[:43]]" into the wall clock and the offset in seconds.
Result<int64_t> SplitOffset(std::string_view text, std::string_view& wall) {
  const size_t space = text.find(' ');
  if (space == std::string_view::npos) {
    return Err(Status::DataError("'{}' is not a timestamptz (no time)", text.substr(0, 40)));
  }
  const size_t sign = text.find_first_of("+-", space);
  if (sign == std::string_view::npos) {
    return Err(Status::DataError("'{}' is not a timestamptz (no offset)", text.substr(0, 40)));
  }
  wall = text.substr(0, sign);
  std::string_view off = text.substr(sign + 1);
  int64_t parts[3] = {0, 0, 0};
  int n = 0;
  size_t i = 0;
  while (n < 3) {
    if (i + 2 > off.size() || off[i] < '0' || off[i] > '9' || off[i + 1] < '0' ||
        off[i + 1] > '9') {
      return Err(Status::DataError("'{}' has a bad zone offset", text.substr(0, 40)));
    }
    parts[n++] = (off[i] - '0') * 10 + (off[i + 1] - '0');
    i += 2;
    if (i == off.size()) break;
    if (off[i] != ':')
      return Err(Status::DataError("'{}' has a bad zone offset", text.substr(0, 40)));
    ++i;
  }
  if (i != off.size() || parts[1] > 59 || parts[2] > 59) {
    return Err(Status::DataError("'{}' has a bad zone offset", text.substr(0, 40)));
  }
  const int64_t seconds = parts[0] * 3600 + parts[1] * 60 + parts[2];
  return text[sign] == '-' ? -seconds : seconds;
}

int HexDigit(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

}  // namespace

Result<int32_t> ParsePgDate(std::string_view text) {
  if (!EndsWithBc(text)) return ParseDate(text);
  SLUICE_ASSIGN_OR_RETURN(std::string astro,
                          AstronomicalYear(text.substr(0, text.size() - kBc.size())));
  return ParseDate(astro);
}

Result<int64_t> ParsePgTimestamp(std::string_view text) {
  if (!EndsWithBc(text)) return ParseTimestamp(text);
  SLUICE_ASSIGN_OR_RETURN(std::string astro,
                          AstronomicalYear(text.substr(0, text.size() - kBc.size())));
  return ParseTimestamp(astro);
}

Result<int64_t> ParsePgTimestampTz(std::string_view text) {
  const bool bc = EndsWithBc(text);
  if (bc) text.remove_suffix(kBc.size());
  std::string_view wall;
  SLUICE_ASSIGN_OR_RETURN(const int64_t offset, SplitOffset(text, wall));
  int64_t local = 0;
  if (bc) {
    SLUICE_ASSIGN_OR_RETURN(std::string astro, AstronomicalYear(wall));
    SLUICE_ASSIGN_OR_RETURN(local, ParseTimestamp(astro));
  } else {
    SLUICE_ASSIGN_OR_RETURN(local, ParseTimestamp(wall));
  }
  int64_t utc = 0;
  if (__builtin_sub_overflow(local, offset * kMicrosPerSecond, &utc)) {
    return Err(Status::DataError("'{}' is out of range", text.substr(0, 40)));
  }
  return utc;
}

Status AppendByteaHex(std::string_view text, std::string& out) {
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x' || text.size() % 2 != 0) {
    return Status::DataError(
        "bytea '{}' is not in hex format (the replication connection must use bytea_output "
        "hex)",
        text.substr(0, 40));
  }
  out.reserve(out.size() + (text.size() - 2) / 2);
  for (size_t i = 2; i < text.size(); i += 2) {
    const int hi = HexDigit(text[i]);
    const int lo = HexDigit(text[i + 1]);
    if (hi < 0 || lo < 0) {
      return Status::DataError("bytea hex has a bad digit at offset {}", hi < 0 ? i : i + 1);
    }
    out += static_cast<char>((hi << 4) | lo);
  }
  return Status::OK();
}

Result<std::string> MoneyToDecimalText(std::string_view text) {
  std::string out;
  bool negative = false;
  bool digits = false;
  for (char ch : text) {
    if (ch >= '0' && ch <= '9') {
      out += ch;
      digits = true;
    } else if (ch == '.') {
      out += ch;
    } else if (ch == '-' || ch == '(') {
      negative = true;
    } else if (ch != '$' && ch != ',' && ch != ')' && ch != ' ') {
      return Err(Status::DataError(
          "money '{}' is not in the C locale's form ($1,234.56); set lc_monetary to C",
          text.substr(0, 40)));
    }
  }
  if (!digits) return Err(Status::DataError("money '{}' has no digits", text.substr(0, 40)));
  if (negative) out.insert(out.begin(), '-');
  return out;
}

}  // namespace sluice::postgres::replication
