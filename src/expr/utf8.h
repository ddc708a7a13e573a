// UTF-8 helpers for the string functions: lengths and offsets in code points.
//
// Invalid UTF-8 is not rejected: every byte that is not a continuation byte (10xxxxxx) starts
// a character, so malformed input still gets a defined, non-crashing answer.
#pragma once

#include <cstddef>
#include <string_view>

namespace sluice::expr {

inline bool IsContinuationByte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

inline bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

inline size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += IsContinuationByte(c) ? 0 : 1;
  return n;
}

// Byte offset reached after skipping `chars` characters from byte offset `from`
// (clamped to s.size()).
inline size_t Utf8Advance(std::string_view s, size_t from, size_t chars) {
  size_t i = from;
  while (chars > 0 && i < s.size()) {
    ++i;
    while (i < s.size() && IsContinuationByte(s[i])) ++i;
    --chars;
  }
  return i;
}

}  // namespace sluice::expr
