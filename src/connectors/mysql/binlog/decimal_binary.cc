#include "connectors/mysql/binlog/decimal_binary.h"

#include <array>
#include <cstdint>

namespace sluice::mysql::binlog {
namespace {

constexpr int kDigitsPerGroup = 9;
constexpr std::array<int, 10> kBytesForDigits = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
constexpr std::array<uint32_t, 10> kPow10 = {1,      10,      100,      1000,      10000,
                                             100000, 1000000, 10000000, 100000000, 1000000000};
// MySQL and MariaDB allow DECIMAL(65,30); JSON may carry a little more. Bounds the buffers.
constexpr int kMaxDigits = 81;

// Reads `digits` digits stored big-endian in kBytesForDigits[digits] bytes at bytes[pos],
// writes them zero-padded to `text`. False when the group holds more than `digits` digits.
bool Group(const uint8_t* bytes, size_t& pos, int digits, char* text, size_t& len) {
  const int n = kBytesForDigits[digits];
  uint32_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | bytes[pos + i];
  pos += n;
  if (v >= kPow10[digits]) return false;
  for (int i = digits - 1; i >= 0; --i) {
    text[len + i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  len += digits;
  return true;
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
  std::array<uint8_t, kMaxDigits> buf{};
  for (size_t i = 0; i < size; ++i) buf[i] = static_cast<uint8_t>(bytes[i]);
  const bool negative = (buf[0] & 0x80) == 0;
  buf[0] ^= 0x80;
  if (negative) {
    for (size_t i = 0; i < size; ++i) buf[i] = ~buf[i];
  }
  const int intg = precision - scale;
  std::array<char, kMaxDigits + 2> int_digits{};
  std::array<char, kMaxDigits + 2> frac_digits{};
  size_t pos = 0, int_len = 0, frac_len = 0;
  if (intg % kDigitsPerGroup &&
      !Group(buf.data(), pos, intg % kDigitsPerGroup, int_digits.data(), int_len)) {
    return false;
  }
  for (int g = 0; g < intg / kDigitsPerGroup; ++g) {
    if (!Group(buf.data(), pos, kDigitsPerGroup, int_digits.data(), int_len)) return false;
  }
  for (int g = 0; g < scale / kDigitsPerGroup; ++g) {
    if (!Group(buf.data(), pos, kDigitsPerGroup, frac_digits.data(), frac_len)) return false;
  }
  if (scale % kDigitsPerGroup &&
      !Group(buf.data(), pos, scale % kDigitsPerGroup, frac_digits.data(), frac_len)) {
    return false;
  }
  size_t first = 0;
  while (first < int_len && int_digits[first] == '0') ++first;
  bool zero = first == int_len;
  for (size_t i = 0; zero && i < frac_len; ++i) zero = frac_digits[i] == '0';
  if (negative && !zero) out += '-';
  if (first == int_len) {
    out += '0';
  } else {
    out.append(int_digits.data() + first, int_len - first);
  }
  if (frac_len) {
    out += '.';
    out.append(frac_digits.data(), frac_len);
  }
  return true;
}

}  // namespace sluice::mysql::binlog
