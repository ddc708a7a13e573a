// Decimal: an exact, arbitrary-precision decimal number for expression arithmetic.
//
// Columns carry decimals as canonical text (value_text.h); the expression evaluator parses
// each operand into a Decimal, computes, and appends the canonical text of the result. The
// value is sign * magnitude / 10^scale with the magnitude in base-10^9 limbs, so text
// conversion is cheap and no digit is ever lost.
//
// Allocation: a Decimal keeps its limb buffer between uses. Evaluators keep a few Decimals per
// batch and parse into them row after row, so steady-state arithmetic does not allocate.
// Operations write into an `out` argument that must not alias an input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

class Decimal {
 public:
  Decimal() = default;

  // Parses "[-+]digits[.digits]" (also ".5" and "5."). No exponent, no spaces. Returns false
  // (leaving the value unspecified) when the text is not of that form.
  bool Parse(std::string_view text);
  // Parses text that may carry an exponent ("1.5e3", "2E-2"), as float literals do.
  bool ParseScientific(std::string_view text);
  void SetInt(int64_t v);
  void SetUInt(uint64_t v);
  // The exact value of a finite double (0.1 becomes 0.1000000000000000055511151231257827...).
  // Returns false for NaN and infinities.
  bool SetDoubleExact(double v);
  void SetZero();

  // Canonical text: [-]digits[.digits] with exactly scale() fractional digits, no "-0".
  void AppendTo(std::string& out) const;
  std::string ToString() const;

  bool is_zero() const { return limbs_.empty(); }
  bool negative() const { return negative_ && !limbs_.empty(); }
  int32_t scale() const { return scale_; }
  // Digits of the magnitude (1 for zero): the SQL precision this value needs at its scale.
  int32_t Digits() const;
  // Digits before the decimal point (0 for |v| < 1).
  int32_t IntegerDigits() const { return Digits() > scale_ ? Digits() - scale_ : 0; }

  void Negate() { negative_ = !negative_; }
  void Abs() { negative_ = false; }

  // Changes the scale. Growing appends zeros; shrinking rounds half away from zero (SQL ROUND,
  // MySQL CAST). A negative scale rounds to tens, hundreds, ... and leaves scale 0.
  void Rescale(int32_t new_scale);
  // Rounds toward negative (Floor) or positive (Ceil) infinity to scale 0.
  void Floor();
  void Ceil();

  // Conversions of the value rounded half away from zero to an integer. False when it does
  // not fit.
  bool ToInt64(int64_t& out) const;
  bool ToUInt64(uint64_t& out) const;
  // Nearest double (correctly rounded, via the text form).
  double ToDouble() const;

  static void Add(const Decimal& a, const Decimal& b, Decimal& out);
  static void Sub(const Decimal& a, const Decimal& b, Decimal& out);
  static void Mul(const Decimal& a, const Decimal& b, Decimal& out);
  // a / b rounded half away from zero to `scale` fractional digits. False when b is zero.
  static bool Div(const Decimal& a, const Decimal& b, int32_t scale, Decimal& out);
  // The remainder of truncating division, with the sign of a (as C and SQL's %). False when b
  // is zero.
  static bool Mod(const Decimal& a, const Decimal& b, Decimal& out);
  // -1, 0 or 1; values compare exactly whatever their scales ("1.50" equals "1.5").
  static int Compare(const Decimal& a, const Decimal& b);

 private:
  using Limbs = std::vector<uint32_t>;
  void Trim();  // drops high zero limbs

  Limbs limbs_;  // little endian, base 10^9, no high zero limbs (empty = 0)
  int32_t scale_ = 0;
  bool negative_ = false;
};

}  // namespace sluice
