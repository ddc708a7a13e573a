#include "core/quantity_text.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>

namespace sluice {
namespace {

struct Unit {
  std::string_view name;
  int64_t scale;
};

constexpr Unit kDurationUnits[] = {
    {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}};

constexpr Unit kSizeUnits[] = {{"b", 1},
                               {"kb", 1'000},
                               {"mb", 1'000'000},
                               {"gb", 1'000'000'000},
                               {"tb", 1'000'000'000'000},
                               {"kib", int64_t{1} << 10},
                               {"mib", int64_t{1} << 20},
                               {"gib", int64_t{1} << 30},
                               {"tib", int64_t{1} << 40}};

// Spellings people write that are not units here, with the unit they meant: only for the
// "did you mean" of an error, never accepted as such (one spelling per unit keeps job files
// greppable).
struct Alias {
  std::string_view written;
  std::string_view meant;
};
constexpr Alias kDurationAliases[] = {{"msec", "ms"},
                                      {"msecs", "ms"},
                                      {"millis", "ms"},
                                      {"millisecond", "ms"},
                                      {"milliseconds", "ms"},
                                      {"sec", "s"},
                                      {"secs", "s"},
                                      {"second", "s"},
                                      {"seconds", "s"},
                                      {"min", "m"},
                                      {"mins", "m"},
                                      {"minute", "m"},
                                      {"minutes", "m"},
                                      {"hr", "h"},
                                      {"hrs", "h"},
                                      {"hour", "h"},
                                      {"hours", "h"},
                                      {"day", "d"},
                                      {"days", "d"},
                                      {"ms", "ms"},
                                      {"s", "s"},
                                      {"m", "m"},
                                      {"h", "h"},
                                      {"d", "d"}};  // "10S", "2H"
constexpr Alias kSizeAliases[] = {{"k", "KiB"},     {"m", "MiB"},     {"g", "GiB"},
                                  {"t", "TiB"},     {"byte", "B"},    {"bytes", "B"},
                                  {"kbytes", "KB"}, {"mbytes", "MB"}, {"gbytes", "GB"}};

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsAlpha(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// One <count><unit> step of `text` from `i`; false when there is none. 18 digits keep any
// count below 2^63.
bool NextTerm(std::string_view text, size_t& i, int64_t& count, std::string_view& unit) {
  const size_t start = i;
  count = 0;
  while (i < text.size() && IsDigit(text[i])) {
    if (i - start >= 18) return false;
    count = count * 10 + (text[i++] - '0');
  }
  if (i == start) return false;
  const size_t unit_start = i;
  while (i < text.size() && IsAlpha(text[i])) ++i;
  unit = text.substr(unit_start, i - unit_start);
  return true;
}

template <size_t N>
std::optional<int64_t> ScaleOf(std::string_view unit, const Unit (&units)[N], bool any_case) {
  const std::string key = any_case ? Lower(unit) : std::string(unit);
  for (const Unit& u : units) {
    if (u.name == key) return u.scale;
  }
  return std::nullopt;
}

std::optional<int64_t> Duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    int64_t count = 0;
    std::string_view unit;
    if (!NextTerm(text, i, count, unit) || unit.empty()) return std::nullopt;
    const std::optional<int64_t> scale = ScaleOf(unit, kDurationUnits, false);
    int64_t term = 0;
    if (!scale || __builtin_mul_overflow(count, *scale, &term) ||
        __builtin_add_overflow(total, term, &total)) {
      return std::nullopt;
    }
  }
  return total;
}

std::optional<int64_t> Size(std::string_view text) {
  size_t i = 0;
  int64_t count = 0;
  std::string_view unit;
  if (!NextTerm(text, i, count, unit) || i != text.size()) return std::nullopt;
  if (unit.empty()) return count;
  const std::optional<int64_t> scale = ScaleOf(unit, kSizeUnits, true);
  int64_t bytes = 0;
  if (!scale || __builtin_mul_overflow(count, *scale, &bytes)) return std::nullopt;
  return bytes;
}

// `text` without blanks and with every unit spelt as meant, when that differs from `text`;
// e.g. "10 min" -> "10m". Empty when nothing would change.
template <size_t N>
std::string Respell(std::string_view text, const Alias (&aliases)[N]) {
  std::string compact;
  for (char c : text) {
    if (c != ' ' && c != '\t') compact += c;
  }
  std::string out;
  size_t i = 0;
  while (i < compact.size()) {
    int64_t count = 0;
    std::string_view unit;
    if (!NextTerm(compact, i, count, unit)) return "";
    out += std::to_string(count);
    const std::string lower = Lower(unit);
    std::string_view meant = unit;
    for (const Alias& a : aliases) {
      if (a.written == lower) meant = a.meant;
    }
    out += meant;
  }
  return out == text ? std::string() : out;
}

std::string Hint(const std::string& respelt, bool parses) {
  return parses ? " (did you mean '" + respelt + "'?)" : std::string();
}

}  // namespace

Result<int64_t> ParseDurationMillis(std::string_view text) {
  if (std::optional<int64_t> ms = Duration(text)) return *ms;
  const std::string respelt = Respell(text, kDurationAliases);
  return Err(Status::Invalid(
      "'{}' is not a duration{}: write a count and a unit (ms, s, m, h, d), e.g. 500ms, 10s, "
      "2m or 1h30m",
      text, Hint(respelt, !respelt.empty() && Duration(respelt).has_value())));
}

Result<int64_t> ParseByteSize(std::string_view text) {
  if (std::optional<int64_t> bytes = Size(text)) return *bytes;
  const std::string respelt = Respell(text, kSizeAliases);
  return Err(Status::Invalid(
      "'{}' is not a size{}: write a number of bytes, or a number and a unit (B, KB, MB, GB, "
      "TB, or KiB, MiB, GiB, TiB for powers of 1024), e.g. 64MB or 1GiB",
      text, Hint(respelt, !respelt.empty() && Size(respelt).has_value())));
}

}  // namespace sluice
