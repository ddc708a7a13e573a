// Internal to Decimal: magnitude arithmetic on little-endian base-10^9 limbs (no sign, no
// scale). Split from decimal.cc to keep files small; not for use outside the decimal code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sluice::decimal_internal {

using Limbs = std::vector<uint32_t>;
__extension__ typedef unsigned __int128 UInt128;
constexpr uint32_t kBase = 1'000'000'000;
constexpr uint32_t kPow10[] = {1,      10,      100,      1000,      10000,
                               100000, 1000000, 10000000, 100000000, 1000000000};

void TrimLimbs(Limbs& x);
// x = x * m + add, for m < 2^32.
void MulSmall(Limbs& x, uint64_t m, uint64_t add = 0);
void MulPow10(Limbs& x, int32_t k);
// x = x / d, returns the remainder; d < 2^32.
uint64_t DivSmall(Limbs& x, uint64_t d);
// Removes the k lowest decimal digits. `first` gets the most significant removed digit and
// `sticky` whether any other removed digit was non-zero (enough for every rounding mode).
void DropDigits(Limbs& x, int32_t k, uint32_t& first, bool& sticky);
int CompareMag(const Limbs& a, const Limbs& b);
void AddMag(const Limbs& a, const Limbs& b, Limbs& out);
// out = a - b for a >= b.
void SubMag(const Limbs& a, const Limbs& b, Limbs& out);
void MulMag(const Limbs& a, const Limbs& b, Limbs& out);
// q = u / v, r = u % v (v non-zero).
void DivModMag(const Limbs& u, const Limbs& v, Limbs& q, Limbs& r);
// Decimal digits of one limb value (1 for 0).
int32_t LimbDigits(uint32_t v);

}  // namespace sluice::decimal_internal
