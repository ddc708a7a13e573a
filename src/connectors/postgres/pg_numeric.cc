#include "connectors/postgres/pg_numeric.h"

#include <cstdint>

#include "connectors/postgres/pg_wire.h"

namespace sluice::postgres {
namespace {

constexpr uint16_t kPositive = 0x0000;
constexpr uint16_t kNegative = 0x4000;
constexpr uint16_t kNaN = 0xC000;
constexpr uint16_t kPlusInf = 0xD000;
constexpr uint16_t kMinusInf = 0xF000;
constexpr int kMaxDscale = 0x3FFF;  // NUMERIC_DSCALE_MAX

// Four decimal digits of a base-10000 digit; without `pad`, leading zeros are dropped.
void PutGroup(std::string& out, int d, bool pad) {
  char buf[4] = {static_cast<char>('0' + d / 1000), static_cast<char>('0' + d / 100 % 10),
                 static_cast<char>('0' + d / 10 % 10), static_cast<char>('0' + d % 10)};
  int skip = 0;
  if (!pad) {
    while (skip < 3 && buf[skip] == '0') ++skip;
  }
  out.append(buf + skip, static_cast<size_t>(4 - skip));
}

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

NumericKind DecodeNumeric(const char* data, size_t len, std::string& out) {
  if (len < 8) return NumericKind::kInvalid;
  const int ndigits = ReadI16(data);
  const int weight = ReadI16(data + 2);
  const uint16_t sign = ReadU16(data + 4);
  const int dscale = ReadU16(data + 6);
  if (sign == kNaN) return NumericKind::kNaN;
  if (sign == kPlusInf) return NumericKind::kInfinity;
  if (sign == kMinusInf) return NumericKind::kMinusInfinity;
  if ((sign != kPositive && sign != kNegative) || ndigits < 0 ||
      len != 8 + static_cast<size_t>(ndigits) * 2 || dscale > kMaxDscale) {
    return NumericKind::kInvalid;
  }
  const char* digits = data + 8;
  auto digit = [&](int i) -> int { return i >= 0 && i < ndigits ? ReadI16(digits + 2 * i) : 0; };
  for (int i = 0; i < ndigits; ++i) {
    int d = digit(i);
    if (d < 0 || d >= 10000) return NumericKind::kInvalid;
  }
  const size_t start = out.size();
  if (sign == kNegative && ndigits > 0) out += '-';
  if (weight < 0) {
    out += '0';
  } else {
    for (int i = 0; i <= weight; ++i) PutGroup(out, digit(i), /*pad=*/i > 0);
  }
  if (dscale > 0) {
    out += '.';
    int remaining = dscale;
    for (int i = weight + 1; remaining > 0; ++i) {
      int d = digit(i);
      char group[4] = {static_cast<char>('0' + d / 1000), static_cast<char>('0' + d / 100 % 10),
                       static_cast<char>('0' + d / 10 % 10), static_cast<char>('0' + d % 10)};
      int n = remaining < 4 ? remaining : 4;
      out.append(group, static_cast<size_t>(n));
      remaining -= n;
    }
  }
  // A negative value whose digits were all cut by dscale would print as "-0.00".
  if (out[start] == '-' && out.find_first_not_of("-0.", start) == std::string::npos) {
    out.erase(start, 1);
  }
  return NumericKind::kFinite;
}

bool EncodeNumeric(std::string_view text, std::string& out) {
  if (text == "NaN" || text == "Infinity" || text == "-Infinity") {
    PutI16(out, 0);
    PutI16(out, 0);
    PutU16(out, text == "NaN" ? kNaN : (text == "Infinity" ? kPlusInf : kMinusInf));
    PutU16(out, 0);
    return true;
  }
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  const size_t dot = text.find('.');
  std::string_view int_part = text.substr(0, dot);
  const std::string_view frac_part = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  if ((int_part.empty() && frac_part.empty()) || !AllDigits(int_part) || !AllDigits(frac_part)) {
    return false;
  }
  if (frac_part.size() > kMaxDscale) return false;
  while (!int_part.empty() && int_part.front() == '0') int_part.remove_prefix(1);

  // Base-10000 groups: the integer part aligned from the right, the fraction from the left.
  // Computed on demand rather than collected, so encoding a value allocates nothing.
  const size_t int_groups = (int_part.size() + 3) / 4;
  const size_t frac_groups = (frac_part.size() + 3) / 4;
  const size_t lead = int_groups * 4 - int_part.size();  // zeros that pad the first group
  auto group_at = [&](size_t g) -> int16_t {
    int v = 0;
    for (size_t k = 0; k < 4; ++k) {
      const size_t pos = g * 4 + k;  // position in the zero-padded digit string
      int d = 0;
      if (g < int_groups) {
        if (pos >= lead) d = int_part[pos - lead] - '0';
      } else {
        const size_t at = pos - int_groups * 4;
        if (at < frac_part.size()) d = frac_part[at] - '0';
      }
      v = v * 10 + d;
    }
    return static_cast<int16_t>(v);
  };
  const size_t total = int_groups + frac_groups;
  int weight = static_cast<int>(int_groups) - 1;
  size_t first = 0;
  while (first < total && group_at(first) == 0) {
    ++first;
    --weight;
  }
  size_t last = total;
  while (last > first && group_at(last - 1) == 0) --last;
  const size_t ndigits = last - first;
  if (ndigits == 0) {
    weight = 0;
    negative = false;
  }
  if (ndigits > INT16_MAX || weight > INT16_MAX || weight < INT16_MIN) return false;
  PutI16(out, static_cast<int16_t>(ndigits));
  PutI16(out, static_cast<int16_t>(weight));
  PutU16(out, negative ? kNegative : kPositive);
  PutU16(out, static_cast<uint16_t>(frac_part.size()));
  for (size_t i = first; i < last; ++i) PutI16(out, group_at(i));
  return true;
}

}  // namespace sluice::postgres
