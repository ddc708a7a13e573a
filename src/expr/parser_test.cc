#include "expr/parser.h"

#include <gtest/gtest.h>

#include "expr/expr_test_util.h"
#include "expr/lexer.h"

namespace sluice::testing {
namespace {

std::string ParseError(std::string_view text) {
  auto r = expr::Parse(text);
  return r.has_value() ? "" : r.error().message();
}

// Deep expressions used to overflow the stack (a segfault in `sluice check`): the parser
// refuses them as it builds them, before anything walks them recursively.
std::string Repeat(std::string_view piece, size_t n) {
  std::string out;
  out.reserve(piece.size() * n);
  for (size_t i = 0; i < n; ++i) out += piece;
  return out;
}

TEST(ParserTest, RefusesExpressionsNestedTooDeep) {
  const std::string kTooDeep = "nested more than 256 levels deep";
  EXPECT_NE(ParseError(Repeat("(", 100000) + "1" + Repeat(")", 100000)).find(kTooDeep),
            std::string::npos);
  EXPECT_NE(ParseError("a" + Repeat(" + a", 200000)).find(kTooDeep), std::string::npos);
  EXPECT_NE(ParseError("x = 1" + Repeat(" OR x = 1", 200000)).find(kTooDeep), std::string::npos);
  EXPECT_NE(ParseError(Repeat("- ", 100000) + "1").find(kTooDeep), std::string::npos);
  EXPECT_NE(ParseError(Repeat("NOT ", 100000) + "true").find(kTooDeep), std::string::npos);
  EXPECT_NE(ParseError(Repeat("abs(", 100000) + "1" + Repeat(")", 100000)).find(kTooDeep),
            std::string::npos);
  // Parentheses around a chain add to its depth.
  EXPECT_NE(ParseError(Repeat("(a + ", 200) + "a" + Repeat(" + a)", 200)).find(kTooDeep),
            std::string::npos);
}

TEST(ParserTest, AcceptsExpressionsJustUnderTheDepthLimit) {
  EXPECT_EQ(ParseError(Repeat("(", 250) + "1" + Repeat(")", 250)), "");
  EXPECT_EQ(ParseError("a" + Repeat(" + a", 250)), "");
  EXPECT_EQ(ParseError(Repeat("- ", 250) + "1"), "");
  // Wide is fine: a CASE with many branches or a long IN list is shallow.
  EXPECT_EQ(ParseError("CASE" + Repeat(" WHEN a = 1 THEN 2", 5000) + " END"), "");
  EXPECT_EQ(ParseError("a IN (1" + Repeat(", 1", 50000) + ")"), "");
}

TEST(LexerTest, TokenKindsAndOffsets) {
  auto tokens = expr::Tokenize("a<=1.50 || 'it''s' <> \"Col X\" 1e3 `b`");
  ASSERT_TRUE(tokens.has_value());
  using K = expr::TokenKind;
  std::vector<K> kinds;
  for (const auto& t : *tokens) kinds.push_back(t.kind);
  EXPECT_EQ(kinds, (std::vector<K>{K::kIdent, K::kLe, K::kDecimal, K::kConcat, K::kString, K::kNe,
                                   K::kQuotedIdent, K::kFloat, K::kQuotedIdent, K::kEnd}));
  EXPECT_EQ((*tokens)[4].text, "it's");
  EXPECT_EQ((*tokens)[6].text, "Col X");
  EXPECT_EQ((*tokens)[2].offset, 3u);
}

TEST(LexerTest, PositionsCountCharactersNotBytes) {
  EXPECT_EQ(expr::PositionOf("héllo", 3), 3u);  // 'l' after a two-byte é
  EXPECT_EQ(expr::PositionOf("abc", 3), 4u);    // end of text
}

TEST(ParserTest, ErrorsCarryPositions) {
  EXPECT_EQ(ParseError("(1 + 2"), "at position 7: expected ')'");
  EXPECT_EQ(ParseError("f(a b"), "at position 5: expected ')'");
  EXPECT_EQ(ParseError("1 +"), "at position 4: expected an expression, found end of expression");
  EXPECT_EQ(ParseError("a = 'abc"), "at position 5: unterminated string literal");
  EXPECT_EQ(ParseError("a # b"), "at position 3: unexpected character '#'");
  EXPECT_EQ(ParseError("a b"), "at position 3: unexpected 'b'");
  EXPECT_EQ(ParseError("CASE a END"), "at position 8: expected WHEN");
  EXPECT_EQ(ParseError("CASE WHEN a THEN 1"), "at position 19: expected END");
  EXPECT_EQ(ParseError("CAST(a AS)"), "at position 10: expected a type name");
  EXPECT_EQ(ParseError("CAST(a AS wibble)"), "at position 11: unknown type 'wibble'");
  EXPECT_EQ(ParseError("a BETWEEN 1 OR 2"), "at position 13: expected AND");
  EXPECT_EQ(ParseError("a IN 1"), "at position 6: expected '('");
  EXPECT_EQ(ParseError("a IS 1"), "at position 6: expected NULL");
  EXPECT_EQ(ParseError("x = AND"), "at position 5: expected an expression, found 'AND'");
  EXPECT_EQ(ParseError("'é' = ("),
            "at position 8: expected an expression, found end of expression");
}

TEST(ParserTest, AcceptsTheGrammar) {
  for (const char* ok :
       {"a", "\"select\"", "`end`", "-a", "NOT a AND b OR c", "a IS NOT NULL", "a NOT IN (1, 2)",
        "a not like 'x%' escape '!'", "a NOT BETWEEN 1 AND 2", "CASE a WHEN 1 THEN 2 ELSE 3 END",
        "CAST(a AS decimal(10, 2))", "cast(a as double precision)",
        "CAST(a AS timestamp with time zone)", "f()", "f(1, g(2))", "+1", "a == b", "a != b"}) {
    EXPECT_EQ(ParseError(ok), "") << ok;
  }
}

// Precedence is checked through results: each pair must evaluate alike.
TEST(ParserTest, Precedence) {
  ExprTester t;
  EXPECT_EQ(t.One("1 + 2 * 3"), "7");
  EXPECT_EQ(t.One("(1 + 2) * 3"), "9");
  EXPECT_EQ(t.One("10 - 4 - 3"), "3");  // left associative
  EXPECT_EQ(t.One("-2 * 3"), "-6");
  EXPECT_EQ(t.One("'a' || 1 + 2"), "a3");              // + binds tighter than ||
  EXPECT_EQ(t.One("'ab' || 'c' = 'abc'"), "true");     // || tighter than =
  EXPECT_EQ(t.One("TRUE OR TRUE AND FALSE"), "true");  // AND tighter than OR
  EXPECT_EQ(t.One("NOT FALSE AND FALSE"), "false");    // NOT tighter than AND
  EXPECT_EQ(t.One("NOT 1 = 2"), "true");               // comparison tighter than NOT
  EXPECT_EQ(t.One("1 BETWEEN 0 AND 2 AND 2 BETWEEN 3 AND 4"), "false");
  EXPECT_EQ(t.One("true and TRUE"), "true");  // keywords are case-insensitive
}

}  // namespace
}  // namespace sluice::testing
