#include "config/parameters.h"

#include <cstdlib>

#include <gtest/gtest.h>

#include "core/value_text.h"

namespace sluice {
namespace {

int32_t Day(int y, unsigned m, unsigned d) {
  return DaysFromCivil(y, m, d);
}

// Micros since the epoch of a UTC wall-clock time.
int64_t UtcMicros(int y, unsigned m, unsigned d, int h, int min) {
  return Day(y, m, d) * kMicrosPerDay + (h * 3600LL + min * 60LL) * kMicrosPerSecond;
}

std::string Sub(const ParameterResolver& r, std::string_view text) {
  Result<std::string> out = r.Substitute(text);
  EXPECT_TRUE(out.has_value()) << out.error().message();
  return out.value_or("<error>");
}

std::string SubError(const ParameterResolver& r, std::string_view text) {
  Result<std::string> out = r.Substitute(text);
  EXPECT_FALSE(out.has_value()) << "unexpectedly got '" << *out << "'";
  return out.has_value() ? "" : out.error().message();
}

TEST(ParseBizdateTest, AcceptsBothForms) {
  EXPECT_EQ(ParseBizdate("20240301").value(), Day(2024, 3, 1));
  EXPECT_EQ(ParseBizdate("2024-03-01").value(), Day(2024, 3, 1));
  EXPECT_EQ(ParseBizdate("20240229").value(), Day(2024, 2, 29));
  EXPECT_EQ(ParseBizdate("0001-01-01").value(), Day(1, 1, 1));
}

TEST(ParseBizdateTest, RejectsBadDates) {
  EXPECT_EQ(ParseBizdate("2024/03/01").error().message(),
            "--bizdate: expected a date as yyyyMMdd or yyyy-MM-dd (e.g. 20240301), got "
            "'2024/03/01'");
  EXPECT_EQ(ParseBizdate("20230229").error().message(),
            "--bizdate: '20230229' is not a valid date");
  EXPECT_EQ(ParseBizdate("2024-13-01").error().message(),
            "--bizdate: '2024-13-01' is not a valid date");
  EXPECT_EQ(ParseBizdate("00000101").error().message(),
            "--bizdate: '00000101' is not a valid date");
  EXPECT_FALSE(ParseBizdate("2024031").has_value());
  EXPECT_FALSE(ParseBizdate("2024-3-01").has_value());
  EXPECT_FALSE(ParseBizdate("").has_value());
}

TEST(DefaultBizdateTest, IsYesterdayInTheJobZone) {
  // 2024-03-01T17:00Z is 2024-03-02 01:00 in Shanghai: yesterday there is March 1st, while in
  // UTC it is still March 1st, so yesterday is February 29th.
  const int64_t now = UtcMicros(2024, 3, 1, 17, 0);
  EXPECT_EQ(DefaultBizdate(now, TimeZone::Load("Asia/Shanghai").value()), Day(2024, 3, 1));
  EXPECT_EQ(DefaultBizdate(now, TimeZone::Utc()), Day(2024, 2, 29));
  // 2024-03-10T04:30Z is 23:30 on the 9th in New York (EST, just before the DST change).
  EXPECT_EQ(
      DefaultBizdate(UtcMicros(2024, 3, 10, 4, 30), TimeZone::Load("America/New_York").value()),
      Day(2024, 3, 8));
  EXPECT_EQ(DefaultBizdate(UtcMicros(2024, 1, 1, 0, 0), TimeZone::Load("-05:00").value()),
            Day(2023, 12, 30));
  // Before 1970 the day must round down, not toward zero.
  EXPECT_EQ(DefaultBizdate(UtcMicros(1969, 12, 31, 12, 0), TimeZone::Utc()), Day(1969, 12, 30));
}

TEST(FormatDatePatternTest, FormatsYearMonthDay) {
  const int32_t d = Day(2024, 3, 5);
  EXPECT_EQ(FormatDatePattern(d, "yyyyMMdd").value(), "20240305");
  EXPECT_EQ(FormatDatePattern(d, "yyyy-MM-dd").value(), "2024-03-05");
  EXPECT_EQ(FormatDatePattern(d, "yyyy/MM").value(), "2024/03");
  EXPECT_EQ(FormatDatePattern(d, "dd.MM.yyyy").value(), "05.03.2024");
  EXPECT_EQ(FormatDatePattern(d, "").value(), "");
  // Letters are never literal: "dt=" belongs outside the parameter (dt=${bizdate}).
  EXPECT_FALSE(FormatDatePattern(d, "dt=yyyyMMdd").has_value());
}

TEST(FormatDatePatternTest, RejectsOtherLetters) {
  const std::string expected =
      "unsupported date pattern 'yyyy-mm-dd': use yyyy for the year, MM for the month and dd "
      "for the day (other letters are not allowed)";
  EXPECT_EQ(FormatDatePattern(0, "yyyy-mm-dd").error().message(), expected);
  EXPECT_FALSE(FormatDatePattern(0, "yyMMdd").has_value());
  EXPECT_FALSE(FormatDatePattern(0, "yyyyMMddHH").has_value());
}

TEST(ParameterResolverTest, Bizdate) {
  ParameterResolver r(Day(2024, 3, 1), {});
  EXPECT_EQ(Sub(r, "out/orders_${bizdate}.csv"), "out/orders_20240301.csv");
  EXPECT_EQ(Sub(r, "${bizdate:yyyy-MM-dd}"), "2024-03-01");
  EXPECT_EQ(Sub(r, "'${bizdate}'"), "'20240301'");
  EXPECT_EQ(Sub(r, "${bizdate}${bizdate}"), "2024030120240301");
  EXPECT_EQ(Sub(r, "no parameters"), "no parameters");
  EXPECT_EQ(Sub(r, "cost $5"), "cost $5");
}

TEST(ParameterResolverTest, BizdateArithmeticCrossesMonthsYearsAndLeapDays) {
  ParameterResolver leap(Day(2024, 3, 1), {});
  EXPECT_EQ(Sub(leap, "${bizdate-1}"), "20240229");
  EXPECT_EQ(Sub(leap, "${bizdate+30:yyyy-MM-dd}"), "2024-03-31");
  EXPECT_EQ(Sub(leap, "${bizdate-366}"), "20230301");
  EXPECT_EQ(Sub(ParameterResolver(Day(2023, 3, 1), {}), "${bizdate-1}"), "20230228");
  EXPECT_EQ(Sub(ParameterResolver(Day(1900, 3, 1), {}), "${bizdate-1}"), "19000228");
  EXPECT_EQ(Sub(ParameterResolver(Day(2000, 3, 1), {}), "${bizdate-1}"), "20000229");
  ParameterResolver new_year(Day(2024, 1, 1), {});
  EXPECT_EQ(Sub(new_year, "${bizdate-1}"), "20231231");
  EXPECT_EQ(Sub(new_year, "${bizdate+0}"), "20240101");
  EXPECT_EQ(Sub(ParameterResolver(Day(2024, 12, 31), {}), "${bizdate+1:yyyy/MM/dd}"), "2025/01/01");
  EXPECT_EQ(Sub(new_year, "${bizdate-7:yyyy-MM-dd}..${bizdate:yyyy-MM-dd}"),
            "2023-12-25..2024-01-01");
}

TEST(ParameterResolverTest, BadBizdateExpressions) {
  ParameterResolver r(Day(2024, 3, 1), {});
  const std::string form =
      "expected ${bizdate}, ${bizdate-N} or ${bizdate+N} (N days), optionally followed by "
      ":PATTERN such as :yyyy-MM-dd";
  EXPECT_EQ(SubError(r, "${bizdate+x}"), "bad parameter '${bizdate+x}': " + form);
  EXPECT_EQ(SubError(r, "${bizdate-}"), "bad parameter '${bizdate-}': " + form);
  EXPECT_EQ(SubError(r, "${bizdate:}"), "bad parameter '${bizdate:}': " + form);
  EXPECT_EQ(SubError(r, "${bizdate+1-1}"), "bad parameter '${bizdate+1-1}': " + form);
  EXPECT_EQ(SubError(r, "${bizdate+9999999}"), "bad parameter '${bizdate+9999999}': " + form);
  EXPECT_EQ(SubError(ParameterResolver(Day(1, 1, 1), {}), "${bizdate-1}"),
            "parameter '${bizdate-1}' falls outside the years 0001..9999");
  EXPECT_EQ(SubError(r, "${bizdate:yyyy-mm-dd}"),
            "unsupported date pattern 'yyyy-mm-dd': use yyyy for the year, MM for the month and "
            "dd for the day (other letters are not allowed)");
}

TEST(ParameterResolverTest, Environment) {
  ::setenv("SLUICE_CFG_TEST_HOST", "db.local", 1);
  ::setenv("SLUICE_CFG_TEST_EMPTY", "", 1);
  ::unsetenv("SLUICE_CFG_TEST_UNSET");
  ParameterResolver r(0, {});
  EXPECT_EQ(Sub(r, "mysql://${env:SLUICE_CFG_TEST_HOST}/db"), "mysql://db.local/db");
  EXPECT_EQ(Sub(r, "${env:SLUICE_CFG_TEST_HOST:-other}"), "db.local");
  EXPECT_EQ(Sub(r, "${env:SLUICE_CFG_TEST_UNSET:-fallback value}"), "fallback value");
  EXPECT_EQ(Sub(r, "${env:SLUICE_CFG_TEST_UNSET:-}"), "");
  // As in the shell, :- also covers a variable that is set but empty...
  EXPECT_EQ(Sub(r, "${env:SLUICE_CFG_TEST_EMPTY:-x}"), "x");
  // ... while without a fallback an empty variable is a valid (empty) value.
  EXPECT_EQ(Sub(r, "[${env:SLUICE_CFG_TEST_EMPTY}]"), "[]");
  EXPECT_EQ(SubError(r, "${env:SLUICE_CFG_TEST_UNSET}"),
            "environment variable 'SLUICE_CFG_TEST_UNSET' is not set (give a fallback with "
            "${env:SLUICE_CFG_TEST_UNSET:-VALUE})");
  EXPECT_EQ(SubError(r, "${env:}"),
            "bad parameter '${env:}': expected ${env:NAME} or ${env:NAME:-fallback}");
  EXPECT_EQ(SubError(r, "${env:A-B}"),
            "bad parameter '${env:A-B}': expected ${env:NAME} or ${env:NAME:-fallback}");
}

TEST(ParameterResolverTest, SetValuesAndUnknownNames) {
  ParameterResolver r(Day(2024, 3, 1), {{"region", "eu"}, {"batch", "7"}});
  EXPECT_EQ(Sub(r, "orders_${region}_${batch}"), "orders_eu_7");
  EXPECT_EQ(SubError(r, "${regoin}"),
            "unknown parameter '${regoin}' (did you mean '${region}'?); give it with --set "
            "regoin=VALUE");
  EXPECT_EQ(SubError(r, "${bizdat}"),
            "unknown parameter '${bizdat}' (did you mean '${bizdate}'?); give it with --set "
            "bizdat=VALUE");
  EXPECT_EQ(SubError(r, "${}"), "unknown parameter '${}'");
  EXPECT_EQ(SubError(r, "${a b}"), "unknown parameter '${a b}'");
}

TEST(ParameterResolverTest, SetValuesAreTakenLiterally) {
  ParameterResolver r(Day(2024, 3, 1), {{"p", "${bizdate}"}});
  EXPECT_EQ(Sub(r, "${p}"), "${bizdate}");
}

TEST(ParameterResolverTest, EscapesAndUnterminated) {
  ParameterResolver r(Day(2024, 3, 1), {});
  EXPECT_EQ(Sub(r, "$${bizdate}"), "${bizdate}");
  EXPECT_EQ(Sub(r, "a $${x} b ${bizdate}"), "a ${x} b 20240301");
  EXPECT_EQ(Sub(r, "$$"), "$$");
  EXPECT_EQ(SubError(r, "path_${bizdate"), "unterminated '${' (write '$${' for a literal '${')");
}

TEST(IsParameterNameTest, Identifiers) {
  EXPECT_TRUE(IsParameterName("region"));
  EXPECT_TRUE(IsParameterName("_x1"));
  EXPECT_FALSE(IsParameterName("1x"));
  EXPECT_FALSE(IsParameterName("my-var"));
  EXPECT_FALSE(IsParameterName(""));
}

}  // namespace
}  // namespace sluice
