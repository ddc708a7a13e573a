// Magnitude arithmetic for Decimal: unsigned integers as little-endian base-10^9 limbs.
#include "expr/decimal_internal.h"

namespace sluice::decimal_internal {

void TrimLimbs(Limbs& x) {
  while (!x.empty() && x.back() == 0) x.pop_back();
}

// x = x * m + add, for m < 2^32.
void MulSmall(Limbs& x, uint64_t m, uint64_t add) {
  uint64_t carry = add;
  for (uint32_t& limb : x) {
    uint64_t p = static_cast<uint64_t>(limb) * m + carry;
    limb = static_cast<uint32_t>(p % kBase);
    carry = p / kBase;
  }
  while (carry != 0) {
    x.push_back(static_cast<uint32_t>(carry % kBase));
    carry /= kBase;
  }
  TrimLimbs(x);
}

void MulPow10(Limbs& x, int32_t k) {
  if (x.empty()) return;
  // Whole limbs first: multiplying by 10^9 is a shift.
  if (k >= 9) x.insert(x.begin(), static_cast<size_t>(k / 9), 0u);
  if (k % 9 != 0) MulSmall(x, kPow10[k % 9]);
}

// x = x / d, returns the remainder; d < 2^32.
uint64_t DivSmall(Limbs& x, uint64_t d) {
  uint64_t rem = 0;
  for (size_t i = x.size(); i-- > 0;) {
    uint64_t cur = rem * kBase + x[i];
    x[i] = static_cast<uint32_t>(cur / d);
    rem = cur % d;
  }
  TrimLimbs(x);
  return rem;
}

// Removes the k lowest decimal digits. `first` gets the most significant removed digit and
// `sticky` whether any other removed digit was non-zero (enough for every rounding mode).
void DropDigits(Limbs& x, int32_t k, uint32_t& first, bool& sticky) {
  first = 0;
  sticky = false;
  if (k <= 0) return;
  int32_t rest = k - 1;
  while (rest >= 9 && !x.empty()) {
    sticky |= x.front() != 0;
    x.erase(x.begin());
    rest -= 9;
  }
  if (rest >= 9) rest = 0;  // x became zero
  if (rest > 0) sticky |= DivSmall(x, kPow10[rest]) != 0;
  first = static_cast<uint32_t>(DivSmall(x, 10));
}

int CompareMag(const Limbs& a, const Limbs& b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  for (size_t i = a.size(); i-- > 0;) {
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

void AddMag(const Limbs& a, const Limbs& b, Limbs& out) {
  const Limbs& big = a.size() >= b.size() ? a : b;
  const Limbs& small = a.size() >= b.size() ? b : a;
  out.assign(big.begin(), big.end());
  uint32_t carry = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    uint32_t s = out[i] + (i < small.size() ? small[i] : 0) + carry;
    carry = s >= kBase ? 1 : 0;
    out[i] = s - carry * kBase;
    if (carry == 0 && i >= small.size()) break;
  }
  if (carry) out.push_back(1);
}

// out = a - b for |a| >= |b|.
void SubMag(const Limbs& a, const Limbs& b, Limbs& out) {
  out.assign(a.begin(), a.end());
  int64_t borrow = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    int64_t d = static_cast<int64_t>(out[i]) - (i < b.size() ? b[i] : 0) - borrow;
    borrow = d < 0 ? 1 : 0;
    out[i] = static_cast<uint32_t>(d + borrow * kBase);
    if (borrow == 0 && i >= b.size()) break;
  }
  TrimLimbs(out);
}

void MulMag(const Limbs& a, const Limbs& b, Limbs& out) {
  out.assign(a.size() + b.size(), 0);
  if (a.empty() || b.empty()) {
    out.clear();
    return;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    uint64_t carry = 0;
    for (size_t j = 0; j < b.size(); ++j) {
      uint64_t cur = out[i + j] + static_cast<uint64_t>(a[i]) * b[j] + carry;
      out[i + j] = static_cast<uint32_t>(cur % kBase);
      carry = cur / kBase;
    }
    size_t k = i + b.size();
    while (carry != 0) {
      uint64_t cur = out[k] + carry;
      out[k] = static_cast<uint32_t>(cur % kBase);
      carry = cur / kBase;
      ++k;
    }
  }
  TrimLimbs(out);
}

// q = u / v, r = u % v (v non-zero); Knuth's algorithm D in base 10^9.
void DivModMag(const Limbs& u, const Limbs& v, Limbs& q, Limbs& r) {
  if (CompareMag(u, v) < 0) {
    q.clear();
    r.assign(u.begin(), u.end());
    return;
  }
  if (v.size() == 1) {
    q.assign(u.begin(), u.end());
    uint64_t rem = DivSmall(q, v[0]);
    r.clear();
    if (rem != 0) r.push_back(static_cast<uint32_t>(rem));
    return;
  }
  thread_local Limbs un;
  thread_local Limbs vn;
  const size_t n = v.size();
  const size_t m = u.size() - n;
  const uint64_t d = kBase / (static_cast<uint64_t>(v.back()) + 1);
  un.assign(u.begin(), u.end());
  un.push_back(0);
  vn.assign(v.begin(), v.end());
  if (d != 1) {
    uint64_t carry = 0;
    for (uint32_t& limb : un) {
      uint64_t p = limb * d + carry;
      limb = static_cast<uint32_t>(p % kBase);
      carry = p / kBase;
    }
    carry = 0;
    for (uint32_t& limb : vn) {
      uint64_t p = limb * d + carry;
      limb = static_cast<uint32_t>(p % kBase);
      carry = p / kBase;
    }
  }
  q.assign(m + 1, 0);
  const uint64_t vtop = vn[n - 1];
  const uint64_t vnext = vn[n - 2];
  for (size_t j = m + 1; j-- > 0;) {
    uint64_t num = static_cast<uint64_t>(un[j + n]) * kBase + un[j + n - 1];
    uint64_t qhat = num / vtop;
    uint64_t rhat = num % vtop;
    while (qhat >= kBase || qhat * vnext > rhat * kBase + un[j + n - 2]) {
      --qhat;
      rhat += vtop;
      if (rhat >= kBase) break;
    }
    uint64_t carry = 0;
    int64_t borrow = 0;
    for (size_t i = 0; i < n; ++i) {
      uint64_t p = qhat * vn[i] + carry;
      carry = p / kBase;
      int64_t t = static_cast<int64_t>(un[i + j]) - static_cast<int64_t>(p % kBase) - borrow;
      borrow = t < 0 ? 1 : 0;
      un[i + j] = static_cast<uint32_t>(t + borrow * kBase);
    }
    int64_t t = static_cast<int64_t>(un[j + n]) - static_cast<int64_t>(carry) - borrow;
    if (t < 0) {
      // qhat was one too large (rare): add the divisor back.
      un[j + n] = static_cast<uint32_t>(t + kBase);
      --qhat;
      uint64_t c = 0;
      for (size_t i = 0; i < n; ++i) {
        uint64_t s = static_cast<uint64_t>(un[i + j]) + vn[i] + c;
        un[i + j] = static_cast<uint32_t>(s % kBase);
        c = s / kBase;
      }
      un[j + n] = static_cast<uint32_t>((un[j + n] + c) % kBase);
    } else {
      un[j + n] = static_cast<uint32_t>(t);
    }
    q[j] = static_cast<uint32_t>(qhat);
  }
  TrimLimbs(q);
  r.assign(un.begin(), un.begin() + static_cast<std::ptrdiff_t>(n));
  TrimLimbs(r);
  if (d != 1) DivSmall(r, d);
}

int32_t LimbDigits(uint32_t v) {
  int32_t n = 1;
  while (n < 10 && v >= kPow10[n]) ++n;
  return n;
}

}  // namespace sluice::decimal_internal
