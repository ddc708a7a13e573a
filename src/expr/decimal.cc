#include "expr/decimal.h"

#include <charconv>
#include <cmath>

#include "expr/decimal_internal.h"

namespace sluice {

using decimal_internal::AddMag;
using decimal_internal::CompareMag;
using decimal_internal::DivModMag;
using decimal_internal::DropDigits;
using decimal_internal::kBase;
using decimal_internal::kPow10;
using decimal_internal::LimbDigits;
using decimal_internal::Limbs;
using decimal_internal::MulMag;
using decimal_internal::MulPow10;
using decimal_internal::MulSmall;
using decimal_internal::SubMag;
using decimal_internal::TrimLimbs;
using decimal_internal::UInt128;

namespace {

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

void Decimal::Trim() {
  TrimLimbs(limbs_);
}

void Decimal::SetZero() {
  limbs_.clear();
  scale_ = 0;
  negative_ = false;
}

bool Decimal::Parse(std::string_view text) {
  SetZero();
  size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    negative_ = text[i] == '-';
    ++i;
  }
  size_t int_begin = i;
  while (i < text.size() && IsDigit(text[i])) ++i;
  size_t int_end = i;
  size_t frac_begin = i;
  size_t frac_end = i;
  if (i < text.size() && text[i] == '.') {
    frac_begin = ++i;
    while (i < text.size() && IsDigit(text[i])) ++i;
    frac_end = i;
  }
  if (i != text.size() || (int_end == int_begin && frac_end == frac_begin)) return false;
  scale_ = static_cast<int32_t>(frac_end - frac_begin);
  // Walk the digits from the least significant, nine at a time, skipping the point.
  uint32_t limb = 0;
  int32_t in_limb = 0;
  auto push = [&](char c) {
    limb += static_cast<uint32_t>(c - '0') * kPow10[in_limb];
    if (++in_limb == 9) {
      limbs_.push_back(limb);
      limb = 0;
      in_limb = 0;
    }
  };
  for (size_t k = frac_end; k > frac_begin; --k) push(text[k - 1]);
  for (size_t k = int_end; k > int_begin; --k) push(text[k - 1]);
  if (in_limb > 0) limbs_.push_back(limb);
  Trim();
  return true;
}

bool Decimal::ParseScientific(std::string_view text) {
  size_t e = text.find_first_of("eE");
  if (e == std::string_view::npos) return Parse(text);
  std::string_view exp_text = text.substr(e + 1);
  if (!exp_text.empty() && exp_text[0] == '+') exp_text.remove_prefix(1);
  int32_t exponent = 0;
  auto [p, ec] = std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);
  if (ec != std::errc() || p != exp_text.data() + exp_text.size() || exp_text.empty()) {
    return false;
  }
  if (exponent > 2000 || exponent < -2000) return false;  // far beyond any SQL decimal
  if (!Parse(text.substr(0, e))) return false;
  if (exponent >= 0) {
    int32_t shift = std::min(exponent, scale_);
    scale_ -= shift;
    MulPow10(limbs_, exponent - shift);
  } else {
    scale_ -= exponent;
  }
  return true;
}

void Decimal::SetInt(int64_t v) {
  SetZero();
  negative_ = v < 0;
  // Negate in unsigned arithmetic so INT64_MIN works.
  uint64_t mag = negative_ ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  while (mag != 0) {
    limbs_.push_back(static_cast<uint32_t>(mag % kBase));
    mag /= kBase;
  }
}

void Decimal::SetUInt(uint64_t v) {
  SetZero();
  while (v != 0) {
    limbs_.push_back(static_cast<uint32_t>(v % kBase));
    v /= kBase;
  }
}

bool Decimal::SetDoubleExact(double v) {
  if (!std::isfinite(v)) return false;
  SetZero();
  if (v == 0) return true;
  bool neg = std::signbit(v);
  int exp = 0;
  double frac = std::frexp(std::fabs(v), &exp);  // v = frac * 2^exp, frac in [0.5, 1)
  uint64_t mant = static_cast<uint64_t>(std::ldexp(frac, 53));
  exp -= 53;
  while ((mant & 1) == 0 && exp < 0) {
    mant >>= 1;
    ++exp;
  }
  SetUInt(mant);
  if (exp >= 0) {
    for (int left = exp; left > 0; left -= 29) MulSmall(limbs_, 1ULL << std::min(left, 29));
  } else {
    // m * 2^-k == m * 5^k / 10^k: exact in decimal.
    constexpr uint64_t kPow5_13 = 1220703125;
    int k = -exp;
    for (int left = k; left > 0; left -= 13) {
      uint64_t f = 1;
      for (int i = 0; i < std::min(left, 13); ++i) f *= 5;
      MulSmall(limbs_, left >= 13 ? kPow5_13 : f);
    }
    scale_ = k;
  }
  negative_ = neg;
  return true;
}

int32_t Decimal::Digits() const {
  if (limbs_.empty()) return 1;
  return static_cast<int32_t>(limbs_.size() - 1) * 9 + LimbDigits(limbs_.back());
}

void Decimal::AppendTo(std::string& out) const {
  if (negative()) out.push_back('-');
  size_t start = out.size();
  if (limbs_.empty()) {
    out.push_back('0');
  } else {
    char buf[16];
    auto r = std::to_chars(buf, buf + sizeof(buf), limbs_.back());
    out.append(buf, r.ptr);
    for (size_t i = limbs_.size() - 1; i-- > 0;) {
      r = std::to_chars(buf, buf + sizeof(buf), limbs_[i]);
      out.append(static_cast<size_t>(9 - (r.ptr - buf)), '0');
      out.append(buf, r.ptr);
    }
  }
  if (scale_ <= 0) return;
  size_t digits = out.size() - start;
  size_t scale = static_cast<size_t>(scale_);
  if (digits <= scale) {
    out.insert(start, scale - digits + 1, '0');
  }
  out.insert(out.size() - scale, 1, '.');
}

std::string Decimal::ToString() const {
  std::string s;
  AppendTo(s);
  return s;
}

void Decimal::Rescale(int32_t new_scale) {
  if (new_scale >= scale_) {
    MulPow10(limbs_, new_scale - scale_);
    scale_ = new_scale;
    return;
  }
  uint32_t first = 0;
  bool sticky = false;
  DropDigits(limbs_, scale_ - new_scale, first, sticky);
  if (first >= 5) MulSmall(limbs_, 1, 1);
  if (new_scale < 0) {
    MulPow10(limbs_, -new_scale);
    new_scale = 0;
  }
  scale_ = new_scale;
}

void Decimal::Floor() {
  if (scale_ <= 0) return;
  uint32_t first = 0;
  bool sticky = false;
  DropDigits(limbs_, scale_, first, sticky);
  if (negative_ && (first != 0 || sticky)) MulSmall(limbs_, 1, 1);
  scale_ = 0;
}

void Decimal::Ceil() {
  if (scale_ <= 0) return;
  uint32_t first = 0;
  bool sticky = false;
  DropDigits(limbs_, scale_, first, sticky);
  if (!negative_ && (first != 0 || sticky)) MulSmall(limbs_, 1, 1);
  scale_ = 0;
}

bool Decimal::ToInt64(int64_t& out) const {
  thread_local Decimal tmp;
  tmp = *this;
  tmp.Rescale(0);
  if (tmp.limbs_.size() > 3) return false;
  UInt128 mag = 0;
  for (size_t i = tmp.limbs_.size(); i-- > 0;) mag = mag * kBase + tmp.limbs_[i];
  if (tmp.negative()) {
    if (mag > static_cast<UInt128>(INT64_MAX) + 1) return false;
    out = static_cast<int64_t>(0 - static_cast<uint64_t>(mag));
  } else {
    if (mag > static_cast<UInt128>(INT64_MAX)) return false;
    out = static_cast<int64_t>(mag);
  }
  return true;
}

bool Decimal::ToUInt64(uint64_t& out) const {
  thread_local Decimal tmp;
  tmp = *this;
  tmp.Rescale(0);
  if (tmp.limbs_.size() > 3) return false;
  if (tmp.negative()) return false;
  UInt128 mag = 0;
  for (size_t i = tmp.limbs_.size(); i-- > 0;) mag = mag * kBase + tmp.limbs_[i];
  if (mag > UINT64_MAX) return false;
  out = static_cast<uint64_t>(mag);
  return true;
}

double Decimal::ToDouble() const {
  thread_local std::string text;
  text.clear();
  AppendTo(text);
  double v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc::result_out_of_range) {
    return negative() ? -HUGE_VAL : HUGE_VAL;
  }
  (void)p;
  return v;
}

namespace {

// Brings a and b to a common scale; returns references to the aligned magnitudes.
struct Aligned {
  const Limbs* a;
  const Limbs* b;
  int32_t scale;
};
Aligned Align(const Limbs& a, int32_t sa, const Limbs& b, int32_t sb, Limbs& tmp) {
  if (sa == sb) return {&a, &b, sa};
  if (sa < sb) {
    tmp.assign(a.begin(), a.end());
    MulPow10(tmp, sb - sa);
    return {&tmp, &b, sb};
  }
  tmp.assign(b.begin(), b.end());
  MulPow10(tmp, sa - sb);
  return {&a, &tmp, sa};
}

}  // namespace

void Decimal::Add(const Decimal& a, const Decimal& b, Decimal& out) {
  thread_local Limbs tmp;
  Aligned al = Align(a.limbs_, a.scale_, b.limbs_, b.scale_, tmp);
  out.scale_ = al.scale;
  if (a.negative() == b.negative()) {
    AddMag(*al.a, *al.b, out.limbs_);
    out.negative_ = a.negative();
    return;
  }
  int c = CompareMag(*al.a, *al.b);
  if (c >= 0) {
    SubMag(*al.a, *al.b, out.limbs_);
    out.negative_ = a.negative();
  } else {
    SubMag(*al.b, *al.a, out.limbs_);
    out.negative_ = b.negative();
  }
}

void Decimal::Sub(const Decimal& a, const Decimal& b, Decimal& out) {
  thread_local Decimal neg_b;
  neg_b = b;
  neg_b.negative_ = !b.negative_;
  Add(a, neg_b, out);
}

void Decimal::Mul(const Decimal& a, const Decimal& b, Decimal& out) {
  MulMag(a.limbs_, b.limbs_, out.limbs_);
  out.scale_ = a.scale_ + b.scale_;
  out.negative_ = a.negative() != b.negative();
}

bool Decimal::Div(const Decimal& a, const Decimal& b, int32_t scale, Decimal& out) {
  if (b.is_zero()) return false;
  thread_local Limbs num;
  thread_local Limbs den;
  thread_local Limbs rem;
  // a/b * 10^scale == (a.mag * 10^(scale - sa + sb)) / b.mag
  int32_t shift = scale - a.scale_ + b.scale_;
  num.assign(a.limbs_.begin(), a.limbs_.end());
  den.assign(b.limbs_.begin(), b.limbs_.end());
  if (shift >= 0) {
    MulPow10(num, shift);
  } else {
    MulPow10(den, -shift);
  }
  DivModMag(num, den, out.limbs_, rem);
  MulSmall(rem, 2);
  if (CompareMag(rem, den) >= 0) MulSmall(out.limbs_, 1, 1);  // half away from zero
  out.scale_ = scale;
  out.negative_ = a.negative() != b.negative();
  return true;
}

bool Decimal::Mod(const Decimal& a, const Decimal& b, Decimal& out) {
  if (b.is_zero()) return false;
  thread_local Limbs tmp;
  thread_local Limbs quotient;
  Aligned al = Align(a.limbs_, a.scale_, b.limbs_, b.scale_, tmp);
  DivModMag(*al.a, *al.b, quotient, out.limbs_);
  out.scale_ = al.scale;
  out.negative_ = a.negative();
  return true;
}

int Decimal::Compare(const Decimal& a, const Decimal& b) {
  bool an = a.negative();
  bool bn = b.negative();
  if (an != bn) return an ? -1 : 1;
  thread_local Limbs tmp;
  Aligned al = Align(a.limbs_, a.scale_, b.limbs_, b.scale_, tmp);
  int c = CompareMag(*al.a, *al.b);
  return an ? -c : c;
}

}  // namespace sluice
