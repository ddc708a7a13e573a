#include "config/parameters.h"

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "config/suggest.h"
#include "core/value_text.h"

namespace sluice {

namespace {

constexpr std::string_view kBizdate = "bizdate";
constexpr int32_t kMaxDayOffset = 100'000;  // about 270 years: anything larger is a typo

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsAsciiLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

int ToInt(std::string_view digits) {
  int v = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), v);
  return v;
}

// Days since the epoch of year/month/day, or nothing when the date does not exist.
std::optional<int32_t> CheckedDays(int year, int month, int day) {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31) {
    return std::nullopt;
  }
  const int32_t days =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  int64_t y = 0;
  unsigned m = 0;
  unsigned d = 0;
  CivilFromDays(days, y, m, d);  // 2023-02-29 comes back as 2023-03-01
  if (y != year || static_cast<int>(m) != month || static_cast<int>(d) != day) {
    return std::nullopt;
  }
  return days;
}

bool InSupportedYears(int32_t days) {
  int64_t y = 0;
  unsigned m = 0;
  unsigned d = 0;
  CivilFromDays(days, y, m, d);
  return y >= 1 && y <= 9999;
}

}  // namespace

bool IsParameterName(std::string_view s) {
  if (s.empty() || !(IsAsciiLetter(s[0]) || s[0] == '_')) return false;
  for (char c : s) {
    if (!(IsAsciiLetter(c) || IsDigit(c) || c == '_')) return false;
  }
  return true;
}

Result<int32_t> ParseBizdate(std::string_view text) {
  std::string_view y, m, d;
  if (text.size() == 8 && AllDigits(text)) {
    y = text.substr(0, 4);
    m = text.substr(4, 2);
    d = text.substr(6, 2);
  } else if (text.size() == 10 && text[4] == '-' && text[7] == '-' &&
             AllDigits(text.substr(0, 4)) && AllDigits(text.substr(5, 2)) &&
             AllDigits(text.substr(8, 2))) {
    y = text.substr(0, 4);
    m = text.substr(5, 2);
    d = text.substr(8, 2);
  } else {
    return Err(Status::Invalid(
        "--bizdate: expected a date as yyyyMMdd or yyyy-MM-dd (e.g. 20240301), got '{}'", text));
  }
  std::optional<int32_t> days = CheckedDays(ToInt(y), ToInt(m), ToInt(d));
  if (!days) return Err(Status::Invalid("--bizdate: '{}' is not a valid date", text));
  return *days;
}

int32_t DefaultBizdate(int64_t now_micros, const TimeZone& zone) {
  const int64_t local = zone.UtcToLocalMicros(now_micros);
  int64_t today = local / kMicrosPerDay;
  if (local % kMicrosPerDay < 0) --today;  // floor for instants before 1970
  return static_cast<int32_t>(today - 1);
}

Result<std::string> FormatDatePattern(int32_t days, std::string_view pattern) {
  int64_t year = 0;
  unsigned month = 0;
  unsigned day = 0;
  CivilFromDays(days, year, month, day);
  std::string out;
  for (size_t i = 0; i < pattern.size();) {
    std::string_view rest = pattern.substr(i);
    if (rest.starts_with("yyyy")) {
      fmt::format_to(std::back_inserter(out), "{:04}", year);
      i += 4;
    } else if (rest.starts_with("MM")) {
      fmt::format_to(std::back_inserter(out), "{:02}", month);
      i += 2;
    } else if (rest.starts_with("dd")) {
      fmt::format_to(std::back_inserter(out), "{:02}", day);
      i += 2;
    } else if (IsAsciiLetter(pattern[i])) {
      return Err(Status::Invalid(
          "unsupported date pattern '{}': use yyyy for the year, MM for the month and dd for "
          "the day (other letters are not allowed)",
          pattern));
    } else {
      out += pattern[i];
      ++i;
    }
  }
  return out;
}

Result<std::string> ParameterResolver::Substitute(std::string_view text) const {
  if (text.find('$') == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    std::string_view rest = text.substr(i);
    if (rest.starts_with("$${")) {
      out += "${";
      i += 3;
    } else if (rest.starts_with("${")) {
      const size_t close = rest.find('}');
      if (close == std::string_view::npos) {
        return Err(Status::Invalid("unterminated '${{' (write '$${{' for a literal '${{')"));
      }
      SLUICE_ASSIGN_OR_RETURN(std::string value, Resolve(rest.substr(2, close - 2)));
      out += value;
      i += close + 1;
    } else {
      out += text[i];
      ++i;
    }
  }
  return out;
}

Result<std::string> ParameterResolver::Resolve(std::string_view body) const {
  if (body.starts_with("env:")) return ResolveEnv(body);
  // ${db}, ${table} and ${1}.. name each table of a multi-table job; they are filled in when
  // the tables are planned, so they pass through here unchanged (unless given with --set).
  if (IsTableNameParameter(body) && !values_.contains(std::string(body))) {
    return fmt::format("${{{}}}", body);
  }
  if (body.starts_with(kBizdate) &&
      (body.size() == kBizdate.size() || body[kBizdate.size()] == '+' ||
       body[kBizdate.size()] == '-' || body[kBizdate.size()] == ':')) {
    return ResolveBizdate(body);
  }
  auto it = values_.find(std::string(body));
  if (it != values_.end()) return it->second;
  std::vector<std::string> known = {std::string(kBizdate)};
  for (const auto& [name, value] : values_) known.push_back(name);
  const std::string hint =
      IsParameterName(body) ? fmt::format("; give it with --set {}=VALUE", body) : std::string();
  return Err(Status::Invalid("unknown parameter '${{{}}}'{}{}", body,
                             DidYouMean(body, known, "${", "}"), hint));
}

bool IsTableNameParameter(std::string_view name) {
  if (name == "db" || name == "table") return true;
  return name.size() == 1 && name[0] >= '0' && name[0] <= '9';
}

Result<std::string> ParameterResolver::ResolveBizdate(std::string_view body) const {
  auto bad = [&] {
    return Err(Status::Invalid(
        "bad parameter '${{{}}}': expected ${{bizdate}}, ${{bizdate-N}} or ${{bizdate+N}} (N "
        "days), optionally followed by :PATTERN such as :yyyy-MM-dd",
        body));
  };
  std::string_view rest = body.substr(kBizdate.size());
  int32_t offset = 0;
  if (!rest.empty() && (rest[0] == '+' || rest[0] == '-')) {
    size_t end = rest.find(':');
    if (end == std::string_view::npos) end = rest.size();
    std::string_view digits = rest.substr(1, end - 1);
    if (!AllDigits(digits) || digits.size() > 6) return bad();
    offset = ToInt(digits);
    if (offset > kMaxDayOffset) return bad();
    if (rest[0] == '-') offset = -offset;
    rest = rest.substr(end);
  }
  std::string_view pattern = "yyyyMMdd";
  if (!rest.empty()) {
    if (rest[0] != ':' || rest.size() == 1) return bad();
    pattern = rest.substr(1);
  }
  const int32_t days = bizdate_ + offset;
  if (!InSupportedYears(days)) {
    return Err(Status::Invalid("parameter '${{{}}}' falls outside the years 0001..9999", body));
  }
  return FormatDatePattern(days, pattern);
}

Result<std::string> ParameterResolver::ResolveEnv(std::string_view body) const {
  std::string_view spec = body.substr(4);
  std::string_view name = spec;
  std::optional<std::string_view> fallback;
  if (size_t sep = spec.find(":-"); sep != std::string_view::npos) {
    name = spec.substr(0, sep);
    fallback = spec.substr(sep + 2);
  }
  if (!IsParameterName(name)) {
    return Err(Status::Invalid(
        "bad parameter '${{{}}}': expected ${{env:NAME}} or ${{env:NAME:-fallback}}", body));
  }
  const char* value = std::getenv(std::string(name).c_str());
  if (value != nullptr && !(fallback && *value == '\0')) return std::string(value);
  if (fallback) return std::string(*fallback);
  return Err(Status::Invalid(
      "environment variable '{}' is not set (give a fallback with ${{env:{}:-VALUE}})", name,
      name));
}

}  // namespace sluice
