// 64-bit hashes of normalized values, rows and keys, for `sluice verify`.
//
// Not cryptographic: they catch accidental differences (a changed value, a lost row), not a
// forger. Both sides are hashed by the same process, so the functions only need to be good
// mixers; they are deterministic (no per-process seed) so that tests and reports are
// reproducible. With 64-bit hashes, the chance that one changed row keeps its bucket checksum
// is about 2^-64.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace sluice::verify {

inline constexpr uint64_t kHashMultiplier = 0x9E3779B97F4A7C15ULL;  // 2^64 / golden ratio
inline constexpr uint64_t kNullHash = 0x6C62272E07BB0142ULL;        // a NULL: unlike any value

// A bijective finalizer: every input bit affects every output bit.
inline uint64_t Mix64(uint64_t x) {
  x ^= x >> 32;
  x *= 0xD6E8FEB86659FD93ULL;
  x ^= x >> 32;
  x *= 0xD6E8FEB86659FD93ULL;
  x ^= x >> 32;
  return x;
}

// The last 1..7 bytes of a string as one word, without a byte loop: overlapping loads (the
// length is hashed separately, so overlaps cannot make two strings alike).
inline uint64_t TailWord(const char* p, size_t n, size_t total) {
  uint64_t word = 0;
  if (total >= 8) {
    std::memcpy(&word, p + n - 8, 8);
  } else if (n >= 4) {
    uint32_t lo;
    uint32_t hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + n - 4, 4);
    word = lo | (uint64_t{hi} << 32);
  } else {
    word = static_cast<unsigned char>(p[0]) |
           (uint64_t{static_cast<unsigned char>(p[n / 2])} << 8) |
           (uint64_t{static_cast<unsigned char>(p[n - 1])} << 16);
  }
  return word;
}

// Hash of a byte string; the length is part of it, so "" and "\0" differ. A multiply-rotate
// step per 8 bytes and one finalizer: values are short, so the finalizer dominates.
inline uint64_t HashBytes(std::string_view bytes, uint64_t seed = 0) {
  uint64_t h = seed ^ (bytes.size() * kHashMultiplier);
  const char* p = bytes.data();
  size_t n = bytes.size();
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    h = std::rotl((h ^ word) * kHashMultiplier, 29);
    p += 8;
    n -= 8;
  }
  if (n > 0) h = std::rotl((h ^ TailWord(p, n, bytes.size())) * kHashMultiplier, 29);
  return Mix64(h);
}

// Folds the hash of the next column into a row's running hash (order matters). Column hashes
// are already mixed; FinishHash mixes the result once per row.
inline uint64_t CombineHash(uint64_t running, uint64_t column_hash) {
  return std::rotl(running, 23) * kHashMultiplier + column_hash;
}
inline uint64_t FinishHash(uint64_t running) {
  return Mix64(running);
}

// What one row adds to its bucket's sum: depends on both hashes, and on the key so that two
// rows swapping values between keys do not cancel out.
inline uint64_t RowContribution(uint64_t key_hash, uint64_t row_hash) {
  return Mix64(key_hash * kHashMultiplier ^ Mix64(row_hash + 0x2545F4914F6CDD1DULL));
}

}  // namespace sluice::verify
