// NULL semantics, boolean logic, IN, LIKE, BETWEEN, CASE and the conditional functions.
#include <gtest/gtest.h>

#include "expr/expr_test_util.h"
#include "expr/like.h"

namespace sluice::testing {
namespace {

TEST(NullSemanticsTest, ThreeValuedLogic) {
  ExprTester t;
  EXPECT_EQ(t.One("NULL = NULL"), "NULL");
  EXPECT_EQ(t.One("NULL <> 1"), "NULL");
  EXPECT_EQ(t.One("NULL AND FALSE"), "false");
  EXPECT_EQ(t.One("FALSE AND NULL"), "false");
  EXPECT_EQ(t.One("NULL AND TRUE"), "NULL");
  EXPECT_EQ(t.One("NULL OR TRUE"), "true");
  EXPECT_EQ(t.One("NULL OR FALSE"), "NULL");
  EXPECT_EQ(t.One("NOT NULL"), "NULL");
  EXPECT_EQ(t.One("NULL IS NULL"), "true");
  EXPECT_EQ(t.One("1 IS NOT NULL"), "true");
  EXPECT_EQ(t.One("NULL + 1"), "NULL");
  EXPECT_EQ(t.One("'a' || NULL"), "NULL");
  EXPECT_EQ(t.One("concat('a', NULL, 'b')"), "NULL");
  EXPECT_EQ(t.One("upper(NULL)"), "NULL");
  EXPECT_EQ(t.One("CAST(NULL AS BIGINT)"), "NULL");
}

TEST(NullSemanticsTest, ColumnsWithNulls) {
  ExprTester t;
  t.Col("a", TypeId::kBool,
        {"true", "true", "true", "false", "false", "false", std::nullopt, std::nullopt,
         std::nullopt})
      .Col("b", TypeId::kBool,
           {"true", "false", std::nullopt, "true", "false", std::nullopt, "true", "false",
            std::nullopt});
  EXPECT_EQ(t.Eval("a AND b"),
            (Strings{"true", "false", "NULL", "false", "false", "false", "NULL", "false", "NULL"}));
  EXPECT_EQ(t.Eval("a OR b"),
            (Strings{"true", "true", "true", "true", "false", "NULL", "true", "NULL", "NULL"}));
  EXPECT_EQ(t.Eval("NOT a"),
            (Strings{"false", "false", "false", "true", "true", "true", "NULL", "NULL", "NULL"}));
  EXPECT_EQ(t.Eval("a = b"),
            (Strings{"true", "false", "NULL", "false", "true", "NULL", "NULL", "NULL", "NULL"}));
}

TEST(NullSemanticsTest, InWithNull) {
  ExprTester t;
  t.Col("x", TypeId::kInt64, {"1", "5", std::nullopt});
  EXPECT_EQ(t.Eval("x IN (1, 2)"), (Strings{"true", "false", "NULL"}));
  EXPECT_EQ(t.Eval("x IN (1, NULL)"), (Strings{"true", "NULL", "NULL"}));
  EXPECT_EQ(t.Eval("x NOT IN (1, 2)"), (Strings{"false", "true", "NULL"}));
  EXPECT_EQ(t.Eval("x NOT IN (2, NULL)"), (Strings{"NULL", "NULL", "NULL"}));
  EXPECT_EQ(t.Eval("x IN (1.0, 5e0)"), (Strings{"true", "true", "NULL"}));  // numeric mix
  EXPECT_EQ(t.CompileError("x IN (1, 'a')"), "at position 10: cannot compare int64 with string");
}

TEST(NullSemanticsTest, InListsOfEveryShape) {
  ExprTester t;
  t.Col("s", TypeId::kString, {"paid", "new", std::nullopt})
      .Col("u", TypeId::kUInt64, {"18446744073709551615", "1", "2"})
      .Col("d", TypeId::kDate, {"2024-01-01", "2024-01-02", "2024-01-03"})
      .Col("f", TypeId::kFloat64, {"1.5", "2", "3"});
  // Constant lists use a sorted-set lookup; the answers must match the OR rewrite.
  EXPECT_EQ(t.Eval("s IN ('paid', 'shipped')"), (Strings{"true", "false", "NULL"}));
  EXPECT_EQ(t.Eval("s NOT IN ('paid', 'shipped')"), (Strings{"false", "true", "NULL"}));
  EXPECT_EQ(t.Eval("s IN ('x', NULL)"), (Strings{"NULL", "NULL", "NULL"}));
  EXPECT_EQ(t.Eval("s IN ('paid', NULL)"), (Strings{"true", "NULL", "NULL"}));
  EXPECT_EQ(t.Eval("u IN (18446744073709551615, -1, 2)"), (Strings{"true", "false", "true"}));
  EXPECT_EQ(t.Eval("d IN ('2024-01-02', '2024-01-03')"), (Strings{"false", "true", "true"}));
  EXPECT_EQ(t.Eval("f IN (1.5, 2)"), (Strings{"true", "true", "false"}));
  EXPECT_EQ(t.Eval("s IN (s, 'new')"), (Strings{"true", "true", "NULL"}));  // not constant
  EXPECT_EQ(t.CompileError("d IN ('2024-01-02', 'soon')"),
            "at position 21: 'soon' is not a valid date (expected YYYY-MM-DD)");
}

TEST(LogicTest, BetweenAndCase) {
  ExprTester t;
  t.Col("x", TypeId::kInt64, {"1", "5", "10", std::nullopt});
  EXPECT_EQ(t.Eval("x BETWEEN 2 AND 10"), (Strings{"false", "true", "true", "NULL"}));
  EXPECT_EQ(t.Eval("x NOT BETWEEN 2 AND 10"), (Strings{"true", "false", "false", "NULL"}));
  EXPECT_EQ(t.Eval("CASE WHEN x < 5 THEN 'low' WHEN x < 10 THEN 'mid' ELSE 'high' END"),
            (Strings{"low", "mid", "high", "high"}));
  EXPECT_EQ(t.Eval("CASE WHEN x < 5 THEN 'low' END"), (Strings{"low", "NULL", "NULL", "NULL"}));
  EXPECT_EQ(t.Eval("CASE x WHEN 1 THEN 'one' WHEN 10 THEN 'ten' ELSE 'other' END"),
            (Strings{"one", "other", "ten", "other"}));
  // Branches of different numeric types meet in their common type.
  DataType type;
  EXPECT_EQ(t.Eval("CASE WHEN x = 1 THEN 1 ELSE 2.50 END", nullptr, &type),
            (Strings{"1.00", "2.50", "2.50", "2.50"}));
  EXPECT_EQ(type, DataType::Decimal(21, 2));
  EXPECT_EQ(t.Eval("if(x > 4, x, 0)"), (Strings{"0", "5", "10", "0"}));
  EXPECT_EQ(t.Eval("coalesce(x, -1)"), (Strings{"1", "5", "10", "-1"}));
  EXPECT_EQ(t.Eval("ifnull(x, 0) + 1"), (Strings{"2", "6", "11", "1"}));
  EXPECT_EQ(t.Eval("nullif(x, 5)"), (Strings{"1", "NULL", "10", "NULL"}));
  EXPECT_EQ(t.Eval("coalesce(NULL, NULL, 'z')"), (Strings{"z", "z", "z", "z"}));
}

TEST(LogicTest, ErrorsOnlyWhereABranchIsTaken) {
  ExprTester t;
  t.Col("x", TypeId::kInt64, {"0", "2", std::nullopt});
  std::vector<std::string> errors;
  EXPECT_EQ(t.Eval("CASE WHEN x = 0 THEN 0 ELSE 10 / x END", &errors),
            (Strings{"0.000000", "5.000000", "NULL"}));
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(t.Eval("x <> 0 AND 10 / x > 1", &errors), (Strings{"false", "true", "NULL"}));
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(t.Eval("x = 0 OR 10 / x > 1", &errors), (Strings{"true", "true", "NULL"}));
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(t.Eval("coalesce(x, 10 / 0)", &errors), (Strings{"0.000000", "2.000000", "NULL"}));
  EXPECT_EQ(errors, (Strings{"2: division by zero: 10 / 0"}));
  EXPECT_EQ(t.Eval("if(x = 2, 1 / x, 0)", &errors), (Strings{"0.000000", "0.500000", "0.000000"}));
  EXPECT_TRUE(errors.empty());
  // A failing row is reported even when a later operator would have hidden the NULL.
  EXPECT_EQ(t.Eval("coalesce(10 / x, 0)", &errors), (Strings{"0.000000", "5.000000", "0.000000"}));
  EXPECT_EQ(errors, (Strings{"0: division by zero: 10 / 0"}));
}

TEST(LikeTest, Patterns) {
  ExprTester t;
  t.Col("s", TypeId::kString, {"abc", "aXc", "", "a%c", "北京市", std::nullopt});
  EXPECT_EQ(t.Eval("s LIKE 'a_c'"), (Strings{"true", "true", "false", "true", "false", "NULL"}));
  EXPECT_EQ(t.Eval("s LIKE 'a%'"), (Strings{"true", "true", "false", "true", "false", "NULL"}));
  EXPECT_EQ(t.Eval("s LIKE '%c'"), (Strings{"true", "true", "false", "true", "false", "NULL"}));
  EXPECT_EQ(t.Eval("s LIKE '%'"), (Strings{"true", "true", "true", "true", "true", "NULL"}));
  EXPECT_EQ(t.Eval("s LIKE ''"), (Strings{"false", "false", "true", "false", "false", "NULL"}));
  EXPECT_EQ(t.Eval("s LIKE 'a\\%c'"),
            (Strings{"false", "false", "false", "true", "false", "NULL"}));
  EXPECT_EQ(t.Eval("s LIKE 'a!%c' ESCAPE '!'"),
            (Strings{"false", "false", "false", "true", "false", "NULL"}));
  EXPECT_EQ(t.Eval("s LIKE '北_市'"),
            (Strings{"false", "false", "false", "false", "true", "NULL"}));
  EXPECT_EQ(t.Eval("s LIKE '___'"), (Strings{"true", "true", "false", "true", "true", "NULL"}));
  EXPECT_EQ(t.Eval("s NOT LIKE '%b%'"), (Strings{"false", "true", "true", "true", "true", "NULL"}));
  EXPECT_EQ(t.Eval("s LIKE s"), (Strings{"true", "true", "true", "true", "true", "NULL"}));
  EXPECT_EQ(t.CompileError("s LIKE 'a' ESCAPE 'ab'"),
            "at position 19: ESCAPE expects a constant of one character");
}

TEST(LikeTest, MatcherEdgeCases) {
  expr::LikePattern p;
  p.Compile("%a%b%c%", '\\');
  EXPECT_TRUE(p.Matches("xxaxxbxxcxx"));
  EXPECT_FALSE(p.Matches("xxaxxcxxbxx"));
  p.Compile("a%%b", '\\');
  EXPECT_TRUE(p.Matches("ab"));
  EXPECT_TRUE(p.Matches("axxb"));
  EXPECT_FALSE(p.Matches("axxbc"));
  p.Compile("%ab_", '\\');
  EXPECT_TRUE(p.Matches("abababc"));
  EXPECT_FALSE(p.Matches("ab"));
  p.Compile("abc\\", '\\');  // a trailing escape stands for itself
  EXPECT_TRUE(p.Matches("abc\\"));
  p.Compile("a_", -1);  // no escape at all
  EXPECT_TRUE(p.Matches("aé"));
  EXPECT_FALSE(p.Matches("aéé"));
  // Pathological backtracking stays fast.
  p.Compile("%a%a%a%a%a%a%a%a%b", '\\');
  EXPECT_FALSE(p.Matches(std::string(5000, 'a')));
}

}  // namespace
}  // namespace sluice::testing
