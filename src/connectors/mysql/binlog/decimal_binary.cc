#include "connectors/mysql/binlog/decimal_binary.h"

#include <array>
#include <cstdint>
#include <cstring>

namespace sluice::mysql::binlog {
namespace {

constexpr int kDigitsPerGroup = 9;
constexpr std::array<int, 10> kBytesForDigits = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
constexpr std::array<uint32_t, 10> kPow10 = {1,      10,      100,      1000,      10000,
                                             100000, 1000000, 10000000, 100000000, 1000000000};
// MySQL and MariaDB allow DECIMAL(65,30); JSON may carry a little more. Bounds the buffers.
constexpr int kMaxDigits = 81;

// "00" "01" ... "99": two digits per division, on the hot path of every DECIMAL cell.
constexpr std::array<char, 200> kDigitPairs = [] {
  std::array<char, 200> pairs{};
  for (int i = 0; i < 100; ++i) {
    pairs[2 * i] = static_cast<char>('0' + i / 10);
    pairs[2 * i + 1] = static_cast<char>('0' + i % 10);
  }
  return pairs;
}();

// Writes `v` (< 10^digits) as exactly `digits` digits, zero-padded, at `text`.
void WritePadded(uint32_t v, int digits, char* text) {
  char* end = text + digits;
  for (; digits >= 2; digits -= 2) {
    end -= 2;
    std::memcpy(end, &kDigitPairs[2 * (v % 100)], 2);
    v /= 100;
  }
  if (digits == 1) *--end = static_cast<char>('0' + v);
}

// Writes `v` without leading zeros (v > 0) at `text`; returns the digits written.
int WriteUnpadded(uint32_t v, char* text) {
  int digits = 1;
  while (digits < kDigitsPerGroup && v >= kPow10[digits]) ++digits;
  WritePadded(v, digits, text);
  return digits;
}

// Reads the group of `digits` digits stored big-endian at bytes[pos]; false when it holds a
// number of more digits.
bool ReadGroup(const uint8_t* bytes, size_t& pos, int digits, uint32_t& v) {
  const int n = kBytesForDigits[digits];
  v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | bytes[pos + i];
  pos += n;
  return v < kPow10[digits];
}

}  // namespace

size_t DecimalBinarySize(int precision, int scale) {
  const int intg = precision - scale;
  return (intg / kDigitsPerGroup) * 4 + kBytesForDigits[intg % kDigitsPerGroup] +
         (scale / kDigitsPerGroup) * 4 + kBytesForDigits[scale % kDigitsPerGroup];
}

bool AppendDecimalText(std::string_view bytes, int precision, int scale, std::string& out) {
  if (precision <= 0 || precision > kMaxDigits || scale < 0 || scale > precision) return false;
  const size_t size = DecimalBinarySize(precision, scale);
  if (bytes.size() != size) return false;
  // Undo the sort-order encoding: a negative number has every byte inverted, and the sign bit
  // of the first byte is flipped either way.
  const uint8_t invert = (static_cast<uint8_t>(bytes[0]) & 0x80) == 0 ? 0xFF : 0x00;
  std::array<uint8_t, kMaxDigits> buf;  // every byte written below before it is read
  for (size_t i = 0; i < size; ++i) buf[i] = static_cast<uint8_t>(bytes[i]) ^ invert;
  buf[0] ^= 0x80;

  // text[0] is the sign's place; the digits follow.
  std::array<char, kMaxDigits + 3> text;
  size_t len = 1;
  size_t pos = 0;
  bool nonzero = false;
  uint32_t v = 0;
  const int intg = precision - scale;
  if (const int lead = intg % kDigitsPerGroup; lead != 0) {
    if (!ReadGroup(buf.data(), pos, lead, v)) return false;
    if (v != 0) len += WriteUnpadded(v, &text[len]);
    nonzero = v != 0;
  }
  for (int g = 0; g < intg / kDigitsPerGroup; ++g) {
    if (!ReadGroup(buf.data(), pos, kDigitsPerGroup, v)) return false;
    if (nonzero) {
      WritePadded(v, kDigitsPerGroup, &text[len]);
      len += kDigitsPerGroup;
    } else if (v != 0) {
      len += WriteUnpadded(v, &text[len]);
    }
    nonzero = nonzero || v != 0;
  }
  if (len == 1) text[len++] = '0';
  if (scale > 0) text[len++] = '.';
  for (int g = 0; g < scale / kDigitsPerGroup; ++g) {
    if (!ReadGroup(buf.data(), pos, kDigitsPerGroup, v)) return false;
    WritePadded(v, kDigitsPerGroup, &text[len]);
    len += kDigitsPerGroup;
    nonzero = nonzero || v != 0;
  }
  if (const int tail = scale % kDigitsPerGroup; tail != 0) {
    if (!ReadGroup(buf.data(), pos, tail, v)) return false;
    WritePadded(v, tail, &text[len]);
    len += tail;
    nonzero = nonzero || v != 0;
  }
  // No "-0.00".
  const bool negative = invert != 0 && nonzero;
  if (negative) text[0] = '-';
  out.append(text.data() + (negative ? 0 : 1), len - (negative ? 0 : 1));
  return true;
}

}  // namespace sluice::mysql::binlog
