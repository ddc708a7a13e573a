#include <gtest/gtest.h>

#include "expr/expr_test_util.h"

namespace sluice::testing {
namespace {

TEST(CastTest, TextToValues) {
  ExprTester t;
  EXPECT_EQ(t.One("CAST('42' AS BIGINT)"), "42");
  EXPECT_EQ(t.One("CAST('-7' AS INT)"), "-7");
  EXPECT_EQ(t.One("CAST('18446744073709551615' AS UINT64)"), "18446744073709551615");
  EXPECT_EQ(t.One("CAST('yes' AS BOOLEAN)"), "true");
  EXPECT_EQ(t.One("CAST('1.5e3' AS DOUBLE)"), "1500");
  EXPECT_EQ(t.One("CAST('2024-02-29' AS DATE)"), "2024-02-29");
  EXPECT_EQ(t.One("CAST('2024-02-29 12:00' AS TIMESTAMP)"), "2024-02-29 12:00:00");
  EXPECT_EQ(t.One("CAST('2024-02-29 12:00:00+08:00' AS TIMESTAMPTZ)"), "2024-02-29T04:00:00Z");
  EXPECT_EQ(t.One("CAST('12.345' AS DECIMAL(10,2))"), "12.35");  // rounds, like SQL
  EXPECT_EQ(t.One("CAST('1.5e2' AS DECIMAL)"), "150");
  EXPECT_EQ(t.One("CAST('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11' AS UUID)"),
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
}

TEST(CastTest, FailuresAreRowErrors) {
  ExprTester t;
  t.Col("s", TypeId::kString, {"abc", "12", "300", std::nullopt});
  std::vector<std::string> errors;
  EXPECT_EQ(t.Eval("CAST(s AS BIGINT)", &errors), (Strings{"NULL", "12", "300", "NULL"}));
  EXPECT_EQ(errors, (Strings{"0: CAST('abc' AS BIGINT): 'abc' is not a valid int64"}));
  EXPECT_EQ(t.Eval("CAST(s AS TINYINT)", &errors), (Strings{"NULL", "12", "NULL", "NULL"}));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[1], "2: CAST('300' AS TINYINT): '300' is out of range for int8");
  EXPECT_EQ(t.Eval("CAST(s AS DECIMAL(3,1))", &errors), (Strings{"NULL", "12.0", "NULL", "NULL"}));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], "0: CAST('abc' AS DECIMAL(3,1)): 'abc' is not a valid decimal");
  EXPECT_EQ(errors[1], "2: CAST('300' AS DECIMAL(3,1)): 300.0 does not fit decimal(3,1)");
  EXPECT_EQ(t.Eval("CAST(s AS DATE)", &errors)[0], "NULL");
  EXPECT_EQ(errors.size(), 3u);
  // A constant that cannot be converted fails per row too (it may sit in an untaken branch).
  EXPECT_EQ(t.Eval("CASE WHEN s IS NULL THEN CAST('x' AS INT) ELSE 1 END", &errors),
            (Strings{"1", "1", "1", "NULL"}));
  EXPECT_EQ(errors, (Strings{"3: CAST('x' AS INT): 'x' is not a valid int32"}));
}

TEST(CastTest, NumericConversions) {
  ExprTester t;
  t.Col("d", DataType::Decimal(10, 2), {"2.50", "-2.50", "2.49", "99999999.99"})
      .Col("f", TypeId::kFloat64, {"2.5", "-2.5", "1e300", "nan"});
  std::vector<std::string> errors;
  // Decimal and float to integer round half away from zero (MySQL's rule).
  EXPECT_EQ(t.Eval("CAST(d AS BIGINT)"), (Strings{"3", "-3", "2", "100000000"}));
  EXPECT_EQ(t.Eval("CAST(f AS BIGINT)", &errors), (Strings{"3", "-3", "NULL", "NULL"}));
  EXPECT_EQ(errors, (Strings{"2: CAST(1e+300 AS BIGINT): 1e+300 is out of range for int64",
                             "3: CAST(nan AS BIGINT): nan is out of range for int64"}));
  EXPECT_EQ(t.Eval("CAST(d AS SMALLINT)", &errors), (Strings{"3", "-3", "2", "NULL"}));
  EXPECT_EQ(errors.size(), 1u);
  EXPECT_EQ(t.Eval("CAST(d AS DOUBLE)"), (Strings{"2.5", "-2.5", "2.49", "99999999.99"}));
  EXPECT_EQ(t.Eval("CAST(d AS DECIMAL(5,1))", &errors), (Strings{"2.5", "-2.5", "2.5", "NULL"}));
  EXPECT_EQ(t.Eval("CAST(d AS BOOLEAN)"), (Strings{"true", "true", "true", "true"}));
  EXPECT_EQ(t.Eval("CAST(d AS STRING)"), (Strings{"2.50", "-2.50", "2.49", "99999999.99"}));
  EXPECT_EQ(t.One("CAST(0.1e0 AS DECIMAL)"), "0.1");  // shortest text, not the binary value
  EXPECT_EQ(t.One("CAST(300 AS UINT8)"),
            "ROW ERROR 0: CAST(300 AS UINT8): 300 is out of range for uint8");
  EXPECT_EQ(t.One("CAST(-1 AS UINT64)"),
            "ROW ERROR 0: CAST(-1 AS UINT64): -1 is out of range for uint64");
  EXPECT_EQ(t.One("CAST(TRUE AS INT)"), "1");
  EXPECT_EQ(t.One("CAST(0 AS BOOLEAN)"), "false");
  EXPECT_EQ(t.One("CAST(3.4e38 AS FLOAT)"), "3.4e+38");
  EXPECT_EQ(t.One("CAST(1e39 AS FLOAT)"),
            "ROW ERROR 0: CAST(1e+39 AS FLOAT): 1e+39 is out of range for float32");
}

TEST(CastTest, TemporalConversions) {
  ExprTester t;
  t.context().zone = *TimeZone::Load("Asia/Shanghai");
  t.Col("ts", TypeId::kTimestamp, {"2024-01-31 23:30:00"});
  EXPECT_EQ(t.One("CAST(ts AS DATE)"), "2024-01-31");
  EXPECT_EQ(t.One("CAST(ts AS TIME)"), "23:30:00");
  EXPECT_EQ(t.One("CAST(ts AS TIMESTAMPTZ)"), "2024-01-31T15:30:00Z");
  EXPECT_EQ(t.One("CAST(CAST(ts AS TIMESTAMPTZ) AS TIMESTAMP)"), "2024-01-31 23:30:00");
  EXPECT_EQ(t.One("CAST(CAST(ts AS DATE) AS TIMESTAMP)"), "2024-01-31 00:00:00");
  EXPECT_EQ(t.One("CAST(CAST(ts AS DATE) AS TIMESTAMPTZ)"), "2024-01-30T16:00:00Z");
  EXPECT_EQ(t.One("CAST(ts AS VARCHAR(20))"), "2024-01-31 23:30:00");
  EXPECT_EQ(t.CompileError("CAST(ts AS BIGINT)"), "at position 1: cannot cast timestamp to int64");
}

}  // namespace
}  // namespace sluice::testing
