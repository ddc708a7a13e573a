#include "expr/expression.h"

#include <thread>

#include <gtest/gtest.h>

#include "expr/expr_test_util.h"

namespace sluice::testing {
namespace {

ExprTester Orders() {
  ExprTester t;
  t.Col("id", TypeId::kInt64, {"1", "2", "3", std::nullopt})
      .Col("amount", DataType::Decimal(10, 2), {"10.50", "0.00", std::nullopt, "-3.25"})
      .Col("status", TypeId::kString, {"paid", "new", "shipped", std::nullopt})
      .Col("qty", TypeId::kInt32, {"2", "0", "5", "1"})
      .Col("flag", TypeId::kBool, {"true", "false", std::nullopt, "true"});
  return t;
}

TEST(ExpressionTest, CompileErrorsNameThePlace) {
  ExprTester t = Orders();
  EXPECT_EQ(t.CompileError("id > 0 AND amout > 1"),
            "at position 12: unknown column 'amout' (did you mean 'amount'?)");
  EXPECT_EQ(t.CompileError("zzz = 1"), "at position 1: unknown column 'zzz'");
  EXPECT_EQ(t.CompileError("uper(status)"),
            "at position 1: unknown function 'uper' (did you mean 'upper'?)");
  EXPECT_EQ(t.CompileError("id = 'x'"), "at position 4: cannot compare int64 with string");
  EXPECT_EQ(t.CompileError("status = 5"), "at position 8: cannot compare string with int64");
  EXPECT_EQ(t.CompileError("status + 1"), "at position 8: cannot apply '+' to string and int64");
  EXPECT_EQ(t.CompileError("substr(status)"),
            "at position 1: substr() takes 2 to 3 arguments, got 1");
  EXPECT_EQ(t.CompileError("upper(status, 1)"), "at position 1: upper() takes 1 argument, got 2");
  EXPECT_EQ(t.CompileError("upper(id)"), "at position 7: upper() expects text, got int64");
  EXPECT_EQ(t.CompileError("id AND flag"), "at position 1: AND expects a boolean, got int64");
  EXPECT_EQ(t.CompileError("CASE WHEN flag THEN 1 ELSE 'x' END"),
            "at position 28: CASE mixes int64 and string");
  EXPECT_EQ(t.CompileError("CAST(flag AS DATE)"), "at position 1: cannot cast bool to date");
  EXPECT_EQ(t.CompileError("-status"), "at position 1: cannot negate string");
  EXPECT_EQ(t.CompileError("\"Amount\" > 1"), "");  // names match case-insensitively
}

TEST(ExpressionTest, ColumnsAndTypes) {
  ExprTester t = Orders();
  EXPECT_EQ(t.Eval("status"), (Strings{"paid", "new", "shipped", "NULL"}));
  EXPECT_EQ(t.TypeOf("qty + 1"), DataType::Of(TypeId::kInt64));
  EXPECT_EQ(t.TypeOf("amount + 1"), DataType::Decimal(22, 2));
  EXPECT_EQ(t.TypeOf("amount * amount"), DataType::Decimal(20, 4));
  EXPECT_EQ(t.TypeOf("qty / 2"), DataType::Decimal(16, 6));
  EXPECT_EQ(t.TypeOf("1.5e0 + qty"), DataType::Of(TypeId::kFloat64));
  EXPECT_EQ(t.TypeOf("1.50"), DataType::Decimal(3, 2));
  EXPECT_EQ(t.TypeOf("18446744073709551615"), DataType::Of(TypeId::kUInt64));
  EXPECT_EQ(t.TypeOf("18446744073709551616"), DataType::Decimal(20, 0));
}

TEST(ExpressionTest, Arithmetic) {
  ExprTester t = Orders();
  EXPECT_EQ(t.Eval("id * 10 + qty"), (Strings{"12", "20", "35", "NULL"}));
  EXPECT_EQ(t.Eval("amount + 1"), (Strings{"11.50", "1.00", "NULL", "-2.25"}));
  EXPECT_EQ(t.Eval("amount * qty"), (Strings{"21.00", "0.00", "NULL", "-3.25"}));
  EXPECT_EQ(t.Eval("id % 2"), (Strings{"1", "0", "1", "NULL"}));
  EXPECT_EQ(t.Eval("id / 4"), (Strings{"0.250000", "0.500000", "0.750000", "NULL"}));
  EXPECT_EQ(t.Eval("-amount"), (Strings{"-10.50", "0.00", "NULL", "3.25"}));
  EXPECT_EQ(t.One("7 / 2"), "3.500000");
  EXPECT_EQ(t.One("-7 % 3"), "-1");
  EXPECT_EQ(t.One("1.5e0 * 2"), "3");
  EXPECT_EQ(t.One("7.5 % 2"), "1.5");
  EXPECT_EQ(t.One("1 / 3.0000000"), "0.3333333");  // scale max(6, operand scales)
}

TEST(ExpressionTest, DecimalExactness) {
  ExprTester t;
  EXPECT_EQ(t.One("0.1 + 0.2"), "0.3");
  EXPECT_EQ(t.One("0.1 + 0.2 = 0.3"), "true");
  EXPECT_EQ(t.One("0.1e0 + 0.2e0 = 0.3e0"), "false");  // floats are not exact
  std::string big(65, '9');
  EXPECT_EQ(t.One(big + " + 1"), "1" + std::string(65, '0'));
  EXPECT_EQ(t.One(big + " * " + big), std::string(64, '9') + "8" + std::string(64, '0') + "1");
  EXPECT_EQ(t.One("0.000000000000000000000000000001 * 3"), "0.000000000000000000000000000003");
  EXPECT_EQ(t.One("1.10 = 1.1"), "true");
  EXPECT_EQ(t.One("2 = 2.000"), "true");
}

TEST(ExpressionTest, IntegerOverflowIsARowError) {
  ExprTester t;
  t.Col("v", TypeId::kInt64, {"9223372036854775807", "1", "-9223372036854775808"});
  std::vector<std::string> errors;
  EXPECT_EQ(t.Eval("v + 1", &errors), (Strings{"NULL", "2", "-9223372036854775807"}));
  EXPECT_EQ(errors, (Strings{"0: 9223372036854775807 + 1 overflows int64"}));
  EXPECT_EQ(t.Eval("v * 2", &errors), (Strings{"NULL", "2", "NULL"}));
  EXPECT_EQ(errors.size(), 2u);
  EXPECT_EQ(t.Eval("-v", &errors), (Strings{"-9223372036854775807", "-1", "NULL"}));
  EXPECT_EQ(errors, (Strings{"2: -(-9223372036854775808) overflows int64"}));
  EXPECT_EQ(t.Eval("v / 0", &errors), (Strings{"NULL", "NULL", "NULL"}));
  EXPECT_EQ(errors.front(), "0: division by zero: 9223372036854775807 / 0");
  EXPECT_EQ(t.Eval("v % 0", &errors), (Strings{"NULL", "NULL", "NULL"}));
  EXPECT_EQ(t.Eval("v + 1.5e0 / 0", &errors).size(), 3u);
  EXPECT_EQ(errors.size(), 3u);
}

TEST(ExpressionTest, UInt64Range) {
  ExprTester t;
  t.Col("u", TypeId::kUInt64, {"18446744073709551615", "0", "9223372036854775808"});
  std::vector<std::string> errors;
  EXPECT_EQ(t.TypeOf("u + 1"), DataType::Of(TypeId::kUInt64));  // the literal adapts
  EXPECT_EQ(t.Eval("u + 1", &errors), (Strings{"NULL", "1", "9223372036854775809"}));
  EXPECT_EQ(errors, (Strings{"0: 18446744073709551615 + 1 overflows uint64"}));
  EXPECT_EQ(t.Eval("u - 1", &errors),
            (Strings{"18446744073709551614", "NULL", "9223372036854775807"}));
  EXPECT_EQ(t.Eval("u > -1"), (Strings{"true", "true", "true"}));
  EXPECT_EQ(t.Eval("u = 18446744073709551615"), (Strings{"true", "false", "false"}));
  EXPECT_EQ(t.Eval("u > 9223372036854775807"), (Strings{"true", "false", "true"}));
  EXPECT_EQ(t.Eval("u + -1", &errors), (Strings{"NULL", "-1", "9223372036854775807"}));
  EXPECT_EQ(t.Eval("u * 0.5"), (Strings{"9223372036854775807.5", "0.0", "4611686018427387904.0"}));
  EXPECT_EQ(t.One("18446744073709551615 > -1"), "true");
  EXPECT_EQ(t.One("18446744073709551615 = 1.8446744073709552e19"), "false");  // exact
  EXPECT_EQ(t.One("9007199254740993 > 9007199254740992e0"), "true");          // beyond 2^53
}

TEST(ExpressionTest, CrossTypeComparisonsAreExact) {
  ExprTester t;
  EXPECT_EQ(t.One("0.1 < 0.1e0"), "true");  // the double nearest 0.1 is slightly larger
  EXPECT_EQ(t.One("0.5 = 0.5e0"), "true");
  EXPECT_EQ(t.One("3 = 3.000"), "true");
  EXPECT_EQ(t.One("2.5 > 2"), "true");
  EXPECT_EQ(t.One("CAST('nan' AS DOUBLE) > 1e308"), "true");
  EXPECT_EQ(t.One("CAST('nan' AS DOUBLE) = CAST('nan' AS DOUBLE)"), "true");
  EXPECT_EQ(t.One("CAST('-inf' AS DOUBLE) < -" + std::string(70, '9')), "true");
  EXPECT_EQ(t.One("'abc' < 'abd'"), "true");
  EXPECT_EQ(t.One("'é' > 'z'"), "true");  // code point order
  EXPECT_EQ(t.One("TRUE > FALSE"), "true");
}

TEST(ExpressionTest, TemporalComparisonsCoerceLiterals) {
  ExprTester t;
  t.Col("d", TypeId::kDate, {"2024-01-01", "2023-12-31"})
      .Col("ts", TypeId::kTimestamp, {"2024-01-01 10:00:00", "2023-12-31 23:59:59"})
      .Col("tz", TypeId::kTimestampTz, {"2024-01-01T10:00:00Z", "2023-12-31T00:00:00Z"});
  EXPECT_EQ(t.Eval("d = '2024-01-01'"), (Strings{"true", "false"}));
  EXPECT_EQ(t.Eval("'2024-01-01' <= d"), (Strings{"true", "false"}));
  EXPECT_EQ(t.Eval("ts >= '2024-01-01'"), (Strings{"true", "false"}));
  EXPECT_EQ(t.Eval("d < ts"), (Strings{"true", "true"}));  // midnight < 23:59:59
  EXPECT_EQ(t.Eval("tz > '2024-01-01 09:00:00'"), (Strings{"true", "false"}));
  EXPECT_EQ(t.Eval("d BETWEEN '2023-12-01' AND '2023-12-31'"), (Strings{"false", "true"}));
  EXPECT_EQ(t.Eval("d IN ('2024-01-01', '2020-01-01')"), (Strings{"true", "false"}));
  EXPECT_EQ(t.Eval("d + 1"), (Strings{"2024-01-02", "2024-01-01"}));
  EXPECT_EQ(t.Eval("d - DATE_COL", nullptr).front().substr(0, 6), "ERROR:");
  EXPECT_EQ(t.Eval("d - CAST('2023-12-01' AS DATE)"), (Strings{"31", "30"}));
  EXPECT_EQ(t.CompileError("d = '2024-13-01'"),
            "at position 5: '2024-13-01' is not a valid date (expected YYYY-MM-DD)");
  EXPECT_EQ(t.CompileError("d = 5"), "at position 3: cannot compare date with int64");
}

TEST(ExpressionTest, TimestampTzUsesTheJobZone) {
  ExprTester t;
  ASSERT_TRUE(TimeZone::Load("+08:00").has_value());
  t.context().zone = *TimeZone::Load("+08:00");
  t.Col("tz", TypeId::kTimestampTz, {"2024-01-01T00:00:00Z"});
  EXPECT_EQ(t.One("tz = '2024-01-01 08:00:00'"), "true");
  EXPECT_EQ(t.One("CAST(tz AS TIMESTAMP)"), "2024-01-01 08:00:00");
  EXPECT_EQ(t.One("CAST(tz AS DATE)"), "2024-01-01");
  EXPECT_EQ(t.One("date_format(tz, '%H:%i')"), "08:00");
}

// One compiled expression, many threads at once (every reader thread shares the chain).
TEST(ExpressionTest, EvaluatesOnManyThreads) {
  Schema schema;
  schema.fields = {{"n", DataType::Of(TypeId::kInt64), true},
                   {"s", DataType::Of(TypeId::kString), true}};
  auto compiled = Expression::Compile(
      "CASE WHEN n % 3 = 0 THEN upper(s) || n ELSE concat(s, '-', n * 0.5) END", schema, {});
  ASSERT_TRUE(compiled.has_value()) << compiled.error().message();
  const Expression& e = **compiled;
  auto run = [&](int seed, std::vector<std::string>& out) {
    Batch b(schema);
    for (int i = 0; i < 2000; ++i) {
      b.columns[0].AppendInt(seed * 10000 + i);
      b.columns[1].AppendBytes(i % 2 ? "ab" : "xyz");
    }
    for (int round = 0; round < 20; ++round) {
      Column result;
      std::vector<RowError> errors;
      ASSERT_TRUE(e.Evaluate(b, result, errors).ok());
      ASSERT_TRUE(errors.empty());
      out.clear();
      for (size_t i = 0; i < result.size(); ++i) out.emplace_back(result.GetView(i));
    }
  };
  std::vector<std::vector<std::string>> expected(4), actual(4);
  for (int t = 0; t < 4; ++t) run(t, expected[t]);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back([&, t] { run(t, actual[t]); });
  for (auto& th : threads) th.join();
  EXPECT_EQ(actual, expected);
  EXPECT_EQ(expected[0][3], "AB3");
  EXPECT_EQ(expected[0][1], "ab-0.5");
}

}  // namespace
}  // namespace sluice::testing

namespace sluice {
namespace {

// A change that left a value unchanged did not send it: an expression reading that column
// fails for those rows (they are rejected with the reason), never computes from a NULL.
TEST(ExpressionUnchangedTest, ReadingAnUnchangedCellIsARowError) {
  Schema schema;
  schema.fields.push_back({"id", DataType::Of(TypeId::kInt64)});
  schema.fields.push_back({"big", DataType::Of(TypeId::kString)});
  Batch batch(schema);
  batch.columns[0].AppendInt(1);
  batch.columns[1].AppendBytes("abc");
  batch.columns[0].AppendInt(2);
  batch.columns[1].AppendUnchanged();
  batch.columns[0].AppendInt(3);
  batch.columns[1].AppendNull();
  auto len = Expression::Compile("length(big) + id", schema, ExprContext{});
  ASSERT_TRUE(len.has_value()) << len.error().ToString();
  Column out;
  std::vector<RowError> errors;
  ASSERT_TRUE((*len)->Evaluate(batch, out, errors).ok());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].row, 1u);
  EXPECT_NE(errors[0].message.find("column 'big' holds no value"), std::string::npos)
      << errors[0].message;
  EXPECT_EQ(out.GetInt(0), 4);
  EXPECT_TRUE(out.IsNull(2));
  // Columns that are not read do not matter.
  auto id = Expression::Compile("id * 2", schema, ExprContext{});
  ASSERT_TRUE(id.has_value());
  ASSERT_TRUE((*id)->Evaluate(batch, out, errors).ok());
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(out.GetInt(1), 4);
  // A plain column reference copies the column out: the row fails there too.
  auto plain = Expression::Compile("big", schema, ExprContext{});
  ASSERT_TRUE(plain.has_value());
  ASSERT_TRUE((*plain)->Evaluate(batch, out, errors).ok());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_FALSE(out.IsUnchanged(1));
}

}  // namespace
}  // namespace sluice
