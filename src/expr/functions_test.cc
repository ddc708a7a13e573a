#include <gtest/gtest.h>

#include "expr/expr_test_util.h"

namespace sluice::testing {
namespace {

TEST(StringFunctionsTest, ConcatAndCase) {
  ExprTester t;
  t.Col("name", TypeId::kString, {"alice", "BOB", "élan"})
      .Col("n", TypeId::kInt32, {"1", "2", "3"});
  EXPECT_EQ(t.Eval("concat(upper(substr(name, 1, 1)), lower(substr(name, 2)))"),
            (Strings{"Alice", "Bob", "élan"}));  // é is not ASCII: left as it is
  EXPECT_EQ(t.Eval("name || '-' || n"), (Strings{"alice-1", "BOB-2", "élan-3"}));
  EXPECT_EQ(t.Eval("concat(name, n, 1.50, TRUE)"),
            (Strings{"alice11.50true", "BOB21.50true", "élan31.50true"}));
  EXPECT_EQ(t.Eval("upper(name)"), (Strings{"ALICE", "BOB", "éLAN"}));
}

TEST(StringFunctionsTest, SubstrCountsCodePoints) {
  ExprTester t;
  t.Col("s", TypeId::kString, {"北京市海淀区"});
  EXPECT_EQ(t.One("substr(s, 3)"), "市海淀区");
  EXPECT_EQ(t.One("substring(s, 2, 2)"), "京市");
  EXPECT_EQ(t.One("substr(s, -2)"), "淀区");
  EXPECT_EQ(t.One("substr(s, -2, 1)"), "淀");
  EXPECT_EQ(t.One("substr(s, 0)"), "");
  EXPECT_EQ(t.One("substr(s, 7)"), "");
  EXPECT_EQ(t.One("substr(s, -7)"), "");
  EXPECT_EQ(t.One("substr(s, 1, 0)"), "");
  EXPECT_EQ(t.One("substr(s, 1, -1)"), "");
  EXPECT_EQ(t.One("substr(s, 5, 100)"), "淀区");
  EXPECT_EQ(t.One("length(s)"), "6");
  EXPECT_EQ(t.One("char_length(s)"), "6");
  EXPECT_EQ(t.One("octet_length(s)"), "18");
  EXPECT_EQ(t.One("substr('hello', 2, 3)"), "ell");
  EXPECT_EQ(t.One("substr('hello', NULL)"), "NULL");
}

TEST(StringFunctionsTest, TrimReplace) {
  ExprTester t;
  EXPECT_EQ(t.One("trim('  a b \t\n')"), "a b");
  EXPECT_EQ(t.One("ltrim('  a  ')"), "a  ");
  EXPECT_EQ(t.One("rtrim('  a  ')"), "  a");
  EXPECT_EQ(t.One("replace('a-b-c', '-', '+')"), "a+b+c");
  EXPECT_EQ(t.One("replace('aaa', 'aa', 'b')"), "ba");
  EXPECT_EQ(t.One("replace('abc', '', 'x')"), "abc");
  EXPECT_EQ(t.One("replace('abc', 'b', '')"), "ac");
  EXPECT_EQ(t.One("length('')"), "0");
}

TEST(RegexpFunctionsTest, ReplaceAndLike) {
  ExprTester t;
  t.Col("s", TypeId::kString, {"2024-01-31", "phone: 138-0000-1111"})
      .Col("p", TypeId::kString, {"[0-9]", "("});
  EXPECT_EQ(t.Eval("regexp_replace(s, '[0-9]', '#')"),
            (Strings{"####-##-##", "phone: ###-####-####"}));
  EXPECT_EQ(t.Eval("regexp_replace(s, '(\\d+)-(\\d+)', '\\2/\\1')"),
            (Strings{"01/2024-31", "phone: 0000/138-1111"}));
  EXPECT_EQ(t.Eval("regexp_like(s, '^\\d{4}-')"), (Strings{"true", "false"}));
  EXPECT_EQ(t.CompileError("regexp_replace(s, '(', 'x')"),
            "at position 19: invalid regular expression: missing ): (");
  std::vector<std::string> errors;
  EXPECT_EQ(t.Eval("regexp_replace(s, p, '')", &errors), (Strings{"--", "NULL"}));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "1: invalid regular expression '(': missing ): (");
}

TEST(HashFunctionsTest, KnownVectors) {
  ExprTester t;
  EXPECT_EQ(t.One("md5('')"), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(t.One("md5('abc')"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(t.One("md5('The quick brown fox jumps over the lazy dog')"),
            "9e107d9d372bb6826bd81d3542a419d6");
  EXPECT_EQ(t.One("sha256('')"),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(t.One("sha256('abc')"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(t.One("md5(123)"), t.One("md5('123')"));  // non-text hashes its canonical text
  EXPECT_EQ(t.One("md5(NULL)"), "NULL");
}

TEST(NumericFunctionsTest, AbsRoundFloorCeil) {
  ExprTester t;
  EXPECT_EQ(t.One("abs(-5)"), "5");
  EXPECT_EQ(t.One("abs(-5.50)"), "5.50");
  EXPECT_EQ(t.One("abs(-2.5e0)"), "2.5");
  EXPECT_EQ(t.One("round(2.345, 2)"), "2.35");
  EXPECT_EQ(t.One("round(-2.345, 2)"), "-2.35");
  EXPECT_EQ(t.One("round(2.5)"), "3");
  EXPECT_EQ(t.One("round(-2.5)"), "-3");
  EXPECT_EQ(t.One("round(1234.5, -2)"), "1200");
  EXPECT_EQ(t.One("round(1250, -2)"), "1300");
  EXPECT_EQ(t.One("round(-1250, -2)"), "-1300");
  EXPECT_EQ(t.One("round(2.5e0)"), "3");
  EXPECT_EQ(t.One("round(1.25e0, 1)"), "1.3");
  EXPECT_EQ(t.One("round(0.1 + 0.2, 1)"), "0.3");
  EXPECT_EQ(t.One("floor(-1.5)"), "-2");
  EXPECT_EQ(t.One("ceil(-1.5)"), "-1");
  EXPECT_EQ(t.One("ceiling(1.01)"), "2");
  EXPECT_EQ(t.One("floor(7)"), "7");
  EXPECT_EQ(t.One("floor(-0.5e0)"), "-1");
  EXPECT_EQ(t.CompileError("round(1.5, 0.5)"),
            "at position 12: round() expects a constant integer of places");
  ExprTester c;
  c.Col("v", TypeId::kInt64, {"-9223372036854775808"});
  std::vector<std::string> errors;
  EXPECT_EQ(c.Eval("abs(v)", &errors), (Strings{"NULL"}));
  EXPECT_EQ(errors, (Strings{"0: abs(-9223372036854775808) overflows int64"}));
}

TEST(TemporalFunctionsTest, DateFormat) {
  ExprTester t;
  t.Col("ts", TypeId::kTimestamp, {"2024-03-05 07:08:09.012345", "1999-12-31 23:59:59"})
      .Col("d", TypeId::kDate, {"2024-02-29", "0001-01-01"});
  EXPECT_EQ(t.Eval("date_format(ts, '%Y-%m-%d %H:%i:%s.%f')"),
            (Strings{"2024-03-05 07:08:09.012345", "1999-12-31 23:59:59.000000"}));
  EXPECT_EQ(t.Eval("date_format(ts, '%y/%c/%e %h %p %% %M %b %W %a %j %T')"),
            (Strings{"24/3/5 07 AM % March Mar Tuesday Tue 065 07:08:09",
                     "99/12/31 11 PM % December Dec Friday Fri 365 23:59:59"}));
  EXPECT_EQ(t.Eval("date_format(d, '%Y%m%d')"), (Strings{"20240229", "00010101"}));
  EXPECT_EQ(t.Eval("date_format(ts, '%Q')"), (Strings{"Q", "Q"}));  // unknown: the letter
  EXPECT_EQ(t.Eval("year(ts) * 10000 + month(ts) * 100 + day(ts)"),
            (Strings{"20240305", "19991231"}));
  EXPECT_EQ(t.Eval("hour(ts) + minute(ts) + second(ts)"), (Strings{"24", "141"}));
  EXPECT_EQ(t.CompileError("date_format('2024-01-01', '%Y')"),
            "at position 13: date_format() expects a date or timestamp, got string");
}

TEST(TemporalFunctionsTest, NowBizdateAndParsing) {
  ExprTester t;
  t.context().now_micros = 1706745600LL * 1000000;  // 2024-02-01T00:00:00Z
  EXPECT_EQ(t.One("now()"), "2024-02-01T00:00:00Z");
  EXPECT_EQ(t.One("current_date()"), "2024-02-01");
  EXPECT_EQ(t.One("bizdate()"), "20240131");
  EXPECT_EQ(t.One("'x_' || bizdate()"), "x_20240131");
  EXPECT_EQ(t.One("to_date('2024-01-31')"), "2024-01-31");
  EXPECT_EQ(t.One("to_date('31/01/2024', '%d/%m/%Y')"), "2024-01-31");
  EXPECT_EQ(t.One("to_timestamp('20240131 0102', '%Y%m%d %H%i')"), "2024-01-31 01:02:00");
  EXPECT_EQ(t.One("to_timestamp('1.5', '%s.%f')"), "1970-01-01 00:00:01.5");
  EXPECT_EQ(t.One("to_date('30/02/2024', '%d/%m/%Y')"),
            "ROW ERROR 0: to_date(): '30/02/2024' does not match '%d/%m/%Y' or is not a valid "
            "date");
  EXPECT_EQ(t.One("now() > '2024-01-31'"), "true");
}

}  // namespace
}  // namespace sluice::testing
