// LIKE: SQL pattern matching with % (any run of characters) and _ (one character).
//
// Matching is case-sensitive and by code point: _ consumes one UTF-8 character, not one byte.
// The escape character is backslash unless ESCAPE says otherwise (ESCAPE '' disables it); an
// escape at the very end of a pattern stands for itself. A constant pattern is compiled once,
// and the common shapes ('abc', 'abc%', '%abc', '%abc%') use plain string searches.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "expr/node.h"

namespace sluice::expr {

class LikePattern {
 public:
  // Compiles `pattern`; `escape` is the escape byte, or -1 for none.
  void Compile(std::string_view pattern, int escape);
  bool Matches(std::string_view text) const;

 private:
  enum class Shape : uint8_t { kGeneral, kExact, kPrefix, kSuffix, kContains };
  static constexpr int16_t kOne = -1;   // _
  static constexpr int16_t kMany = -2;  // %
  bool MatchGeneral(std::string_view text) const;

  Shape shape_ = Shape::kGeneral;
  std::string literal_;          // for the simple shapes
  std::vector<int16_t> tokens_;  // for kGeneral: bytes, kOne, kMany
};

// text LIKE pattern [ESCAPE escape]; `escape` may be null (backslash).
NodePtr MakeLike(bool negated, size_t offset, NodePtr text, NodePtr pattern, NodePtr escape);

}  // namespace sluice::expr
