// NEWDECIMAL's binary form (row images, and DECIMAL inside MySQL binary JSON).
//
// DECIMAL(p,s) is stored as groups of 9 decimal digits in 4 big-endian bytes each, integer part
// and fraction part separately, with the leftover digits of each part in 1-4 bytes (1-2 digits:
// 1 byte, 3-4: 2, 5-6: 3, 7-9: 4), the integer leftovers first and the fraction leftovers last.
// The sign is the top bit of the first byte, inverted (set for positive numbers), and a
// negative number has every byte inverted, so the bytes sort like the numbers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sluice::mysql::binlog {

// Bytes of a DECIMAL(precision, scale) value.
size_t DecimalBinarySize(int precision, int scale);

// Appends the exact text of the value in `bytes` (DecimalBinarySize bytes): "-12.3400",
// "0.00", the integer part without leading zeros and exactly `scale` fraction digits, which is
// how the server prints DECIMAL. Returns false when a digit group is out of range or the
// precision/scale are impossible (then `out` is unchanged).
bool AppendDecimalText(std::string_view bytes, int precision, int scale, std::string& out);

}  // namespace sluice::mysql::binlog
