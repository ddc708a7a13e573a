// Big-endian reads and writes for PostgreSQL's binary formats (COPY binary, binary results),
// and the constants those formats use.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>

namespace sluice::postgres {

// PostgreSQL counts dates and timestamps from 2000-01-01; sluice from 1970-01-01.
inline constexpr int32_t kPgEpochDays = 10957;
inline constexpr int64_t kPgEpochMicros = int64_t{kPgEpochDays} * 86'400'000'000;
// ±infinity of date and timestamp/timestamptz in the binary formats.
inline constexpr int32_t kDateInfinity = INT32_MAX;
inline constexpr int32_t kDateMinusInfinity = INT32_MIN;
inline constexpr int64_t kTimestampInfinity = INT64_MAX;
inline constexpr int64_t kTimestampMinusInfinity = INT64_MIN;
// A PostgreSQL -> PostgreSQL copy carries those in sluice's date and timestamp columns as the
// same numbers, uncorrected by the epoch (no real value comes near them), and numeric NaN and
// ±Infinity as the decimal texts "NaN", "Infinity", "-Infinity" (SpecialValues::kKeep).
inline bool IsKeptInfinity(int64_t v, bool is_date) {
  return is_date ? v == kDateInfinity || v == kDateMinusInfinity
                 : v == kTimestampInfinity || v == kTimestampMinusInfinity;
}

inline uint16_t ReadU16(const char* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return std::byteswap(v);
}
inline int16_t ReadI16(const char* p) {
  return static_cast<int16_t>(ReadU16(p));
}
inline uint32_t ReadU32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return std::byteswap(v);
}
inline int32_t ReadI32(const char* p) {
  return static_cast<int32_t>(ReadU32(p));
}
inline uint64_t ReadU64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return std::byteswap(v);
}
inline int64_t ReadI64(const char* p) {
  return static_cast<int64_t>(ReadU64(p));
}

inline void PutU16(std::string& out, uint16_t v) {
  v = std::byteswap(v);
  out.append(reinterpret_cast<const char*>(&v), 2);
}
inline void PutU32(std::string& out, uint32_t v) {
  v = std::byteswap(v);
  out.append(reinterpret_cast<const char*>(&v), 4);
}
inline void PutU64(std::string& out, uint64_t v) {
  v = std::byteswap(v);
  out.append(reinterpret_cast<const char*>(&v), 8);
}
inline void PutI16(std::string& out, int16_t v) {
  PutU16(out, static_cast<uint16_t>(v));
}
inline void PutI32(std::string& out, int32_t v) {
  PutU32(out, static_cast<uint32_t>(v));
}
inline void PutI64(std::string& out, int64_t v) {
  PutU64(out, static_cast<uint64_t>(v));
}
// Overwrites 4 bytes at `at` (a field length written before its value was known).
inline void PatchI32(std::string& out, size_t at, int32_t v) {
  uint32_t be = std::byteswap(static_cast<uint32_t>(v));
  std::memcpy(out.data() + at, &be, 4);
}

}  // namespace sluice::postgres
