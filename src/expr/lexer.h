// Lexer: splits expression text into tokens that remember where they started.
//
// Positions are byte offsets internally; errors show them as 1-based character positions
// (PositionOf) so a message points at the same place a person counts to in an editor, even
// after non-ASCII text.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sluice::expr {

enum class TokenKind {
  kEnd,
  kIdent,        // bare identifier or keyword (keywords are recognised by the parser)
  kQuotedIdent,  // "name" or `name`: always a column name
  kInteger,      // 123
  kDecimal,      // 1.50, .5
  kFloat,        // 1e3, 2.5E-2
  kString,       // 'text' (text holds the unescaped value)
  kLParen,
  kRParen,
  kComma,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kPercent,
  kConcat,  // ||
  kEq,      // = or ==
  kNe,      // <> or !=
  kLt,
  kLe,
  kGt,
  kGe,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;   // identifiers and literals: the value; operators: as written
  size_t offset = 0;  // byte offset in the expression text
};

// 1-based character (code point) position of byte `offset` in `text`.
size_t PositionOf(std::string_view text, size_t offset);
// "at position N: message" for a compile error at byte `offset`.
Status ErrorAt(std::string_view text, size_t offset, std::string_view message);

// Tokenises `text`; the last token is always kEnd (at offset text.size()).
Result<std::vector<Token>> Tokenize(std::string_view text);

// How a token looks in an error message: 'abc', end of expression.
std::string Describe(const Token& token);

}  // namespace sluice::expr
