// Canonical decimal and UUID text (value_text.h).
//
// Decimals are handled as digit strings, never as doubles, so any number of digits is exact.
// Canonical form: optional '-', the integer digits without leading zeros ("0" when there are
// none), then '.' and exactly `scale` digits when the scale is positive. "-0" becomes "0".
#include <algorithm>
#include <string>

#include "core/value_text.h"
#include "core/value_text_internal.h"

namespace sluice::text_internal {

namespace {

// Guards against "1e999999999" turning into a gigabyte of zeros.
constexpr int64_t kMaxDecimalDigits = 2000;

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

Status NotDecimal(std::string_view text) {
  return Status::DataError("'{}' is not a valid decimal", Excerpt(text));
}

// The mantissa digits (integer then fraction part, without the point) of the text, addressed
// as one sequence; positions outside it read as '0'.
struct Digits {
  std::string_view int_part;
  std::string_view frac_part;

  int64_t size() const { return static_cast<int64_t>(int_part.size() + frac_part.size()); }
  char At(int64_t k) const {
    if (k < 0 || k >= size()) return '0';
    const auto uk = static_cast<size_t>(k);
    return uk < int_part.size() ? int_part[uk] : frac_part[uk - int_part.size()];
  }
};

}  // namespace

Status AppendCanonicalDecimal(std::string_view text, uint16_t precision, uint16_t scale,
                              std::string& out) {
  const size_t n = text.size();
  size_t i = 0;
  bool negative = false;
  if (i < n && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  const size_t int_begin = i;
  while (i < n && IsDigit(text[i])) ++i;
  Digits digits{text.substr(int_begin, i - int_begin), {}};
  if (i < n && text[i] == '.') {
    const size_t frac_begin = ++i;
    while (i < n && IsDigit(text[i])) ++i;
    digits.frac_part = text.substr(frac_begin, i - frac_begin);
  }
  if (digits.size() == 0) return NotDecimal(text);
  int64_t exponent = 0;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < n && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    if (i == n) return NotDecimal(text);
    while (i < n && IsDigit(text[i])) {
      exponent = exponent * 10 + (text[i++] - '0');
      if (exponent > kMaxDecimalDigits * 10) return OutOfRange(text, "decimal");
    }
    if (exp_negative) exponent = -exponent;
  }
  if (i != n) return NotDecimal(text);

  // The decimal point sits before mantissa position `point`.
  const int64_t point = static_cast<int64_t>(digits.int_part.size()) + exponent;
  const int64_t written_scale = std::max<int64_t>(0, digits.size() - point);
  const bool unconstrained = precision == 0 && scale == 0;
  const int64_t target_scale = unconstrained ? written_scale : scale;

  // Digits past the target scale may only be zeros: dropping them loses nothing. Anything
  // else would be silent rounding, which a data mover must not do.
  for (int64_t k = std::max<int64_t>(0, point + target_scale); k < digits.size(); ++k) {
    if (digits.At(k) != '0') {
      return Status::DataError("'{}' has more than {} digits after the point", Excerpt(text),
                               target_scale);
    }
  }
  // Skip leading zeros of the integer part; past the mantissa everything is a padding zero.
  int64_t first = 0;
  while (first < point && first < digits.size() && digits.At(first) == '0') ++first;
  const int64_t int_digits = first >= digits.size() ? 0 : std::max<int64_t>(0, point - first);
  if (precision > 0 && int_digits + target_scale > precision) {
    return Status::DataError("'{}' does not fit decimal({},{})", Excerpt(text), precision, scale);
  }
  if (int_digits + target_scale > kMaxDecimalDigits) return OutOfRange(text, "decimal");

  bool all_zero = true;
  for (int64_t k = 0; k < digits.size() && all_zero; ++k) all_zero = digits.At(k) == '0';

  out.reserve(out.size() + static_cast<size_t>(int_digits + target_scale) + 3);
  if (negative && !all_zero) out.push_back('-');
  if (int_digits == 0) {
    out.push_back('0');
  } else {
    for (int64_t k = point - int_digits; k < point; ++k) out.push_back(digits.At(k));
  }
  if (target_scale > 0) {
    out.push_back('.');
    for (int64_t k = point; k < point + target_scale; ++k) out.push_back(digits.At(k));
  }
  return Status::OK();
}

Status AppendCanonicalUuid(std::string_view text, std::string& out) {
  std::string_view t = text;
  if (t.size() == 38 && t.front() == '{' && t.back() == '}') t = t.substr(1, 36);
  const bool dashed = t.size() == 36;
  if (!dashed && t.size() != 32) {
    return Status::DataError("'{}' is not a valid uuid (expected 8-4-4-4-12 hex digits)",
                             Excerpt(text));
  }
  char buf[36];
  size_t o = 0;
  for (size_t k = 0; k < t.size(); ++k) {
    if (dashed && (k == 8 || k == 13 || k == 18 || k == 23)) {
      if (t[k] != '-') {
        return Status::DataError("'{}' is not a valid uuid (expected 8-4-4-4-12 hex digits)",
                                 Excerpt(text));
      }
      buf[o++] = '-';
      continue;
    }
    char c = t[k];
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!IsDigit(c) && !(c >= 'a' && c <= 'f')) {
      return Status::DataError("'{}' is not a valid uuid (expected 8-4-4-4-12 hex digits)",
                               Excerpt(text));
    }
    buf[o++] = c;
    if (!dashed && (o == 8 || o == 13 || o == 18 || o == 23)) buf[o++] = '-';
  }
  out.append(buf, 36);
  return Status::OK();
}

}  // namespace sluice::text_internal
