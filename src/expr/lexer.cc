#include "expr/lexer.h"

#include <fmt/format.h>

namespace sluice::expr {

namespace {

bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;  // UTF-8 letters in names
}
bool IsIdentChar(char c) {
  return IsIdentStart(c) || (c >= '0' && c <= '9') || c == '$';
}
bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

// Reads a quoted run starting at text[pos] (the opening quote); a doubled quote stands for one.
// Returns false when the closing quote is missing.
bool ReadQuoted(std::string_view text, size_t& pos, char quote, std::string& out) {
  ++pos;
  while (pos < text.size()) {
    char c = text[pos];
    if (c == quote) {
      if (pos + 1 < text.size() && text[pos + 1] == quote) {
        out.push_back(quote);
        pos += 2;
        continue;
      }
      ++pos;
      return true;
    }
    out.push_back(c);
    ++pos;
  }
  return false;
}

// Reads a number at text[pos]: digits, an optional fraction, an optional exponent.
TokenKind ReadNumber(std::string_view text, size_t& pos) {
  TokenKind kind = TokenKind::kInteger;
  while (pos < text.size() && IsDigit(text[pos])) ++pos;
  if (pos < text.size() && text[pos] == '.') {
    kind = TokenKind::kDecimal;
    ++pos;
    while (pos < text.size() && IsDigit(text[pos])) ++pos;
  }
  if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
    size_t p = pos + 1;
    if (p < text.size() && (text[p] == '+' || text[p] == '-')) ++p;
    if (p < text.size() && IsDigit(text[p])) {
      while (p < text.size() && IsDigit(text[p])) ++p;
      pos = p;
      kind = TokenKind::kFloat;
    }
  }
  return kind;
}

}  // namespace

size_t PositionOf(std::string_view text, size_t offset) {
  size_t pos = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++pos;
  }
  if (offset > text.size()) pos += offset - text.size();
  return pos;
}

Status ErrorAt(std::string_view text, size_t offset, std::string_view message) {
  return Status::Invalid("at position {}: {}", PositionOf(text, offset), message);
}

std::string Describe(const Token& token) {
  switch (token.kind) {
    case TokenKind::kEnd:
      return "end of expression";
    case TokenKind::kString:
      return fmt::format("string '{}'", token.text);
    case TokenKind::kQuotedIdent:
      return fmt::format("\"{}\"", token.text);
    default:
      return fmt::format("'{}'", token.text);
  }
}

Result<std::vector<Token>> Tokenize(std::string_view text) {
  std::vector<Token> tokens;
  size_t pos = 0;
  while (true) {
    while (pos < text.size() && IsSpace(text[pos])) ++pos;
    Token tok;
    tok.offset = pos;
    if (pos >= text.size()) {
      tok.kind = TokenKind::kEnd;
      tokens.push_back(std::move(tok));
      return tokens;
    }
    char c = text[pos];
    char next = pos + 1 < text.size() ? text[pos + 1] : '\0';
    if (IsIdentStart(c)) {
      size_t start = pos;
      while (pos < text.size() && IsIdentChar(text[pos])) ++pos;
      tok.kind = TokenKind::kIdent;
      tok.text = std::string(text.substr(start, pos - start));
    } else if (IsDigit(c) || (c == '.' && IsDigit(next))) {
      size_t start = pos;
      tok.kind = ReadNumber(text, pos);
      tok.text = std::string(text.substr(start, pos - start));
    } else if (c == '\'') {
      tok.kind = TokenKind::kString;
      if (!ReadQuoted(text, pos, '\'', tok.text)) {
        return Err(ErrorAt(text, tok.offset, "unterminated string literal"));
      }
    } else if (c == '"' || c == '`') {
      tok.kind = TokenKind::kQuotedIdent;
      if (!ReadQuoted(text, pos, c, tok.text)) {
        return Err(ErrorAt(text, tok.offset, "unterminated quoted name"));
      }
      if (tok.text.empty()) return Err(ErrorAt(text, tok.offset, "empty quoted name"));
    } else {
      struct Op {
        const char* text;
        TokenKind kind;
      };
      // Two-character operators first so "<=" is not read as "<" then "=".
      static constexpr Op kOps[] = {
          {"||", TokenKind::kConcat}, {"<>", TokenKind::kNe},     {"!=", TokenKind::kNe},
          {"<=", TokenKind::kLe},     {">=", TokenKind::kGe},     {"==", TokenKind::kEq},
          {"(", TokenKind::kLParen},  {")", TokenKind::kRParen},  {",", TokenKind::kComma},
          {"+", TokenKind::kPlus},    {"-", TokenKind::kMinus},   {"*", TokenKind::kStar},
          {"/", TokenKind::kSlash},   {"%", TokenKind::kPercent}, {"=", TokenKind::kEq},
          {"<", TokenKind::kLt},      {">", TokenKind::kGt},
      };
      bool found = false;
      for (const Op& op : kOps) {
        std::string_view s(op.text);
        if (text.substr(pos, s.size()) == s) {
          tok.kind = op.kind;
          tok.text = std::string(s);
          pos += s.size();
          found = true;
          break;
        }
      }
      if (!found) {
        return Err(ErrorAt(text, pos, fmt::format("unexpected character '{}'", c)));
      }
    }
    tokens.push_back(std::move(tok));
  }
}

}  // namespace sluice::expr
