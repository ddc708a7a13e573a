#include "expr/decimal.h"

#include <cstdint>
#include <limits>
#include <string>

#include <gtest/gtest.h>

namespace sluice {
namespace {

Decimal D(std::string_view text) {
  Decimal d;
  EXPECT_TRUE(d.Parse(text)) << text;
  return d;
}

std::string AddText(std::string_view a, std::string_view b) {
  Decimal out;
  Decimal::Add(D(a), D(b), out);
  return out.ToString();
}
std::string SubText(std::string_view a, std::string_view b) {
  Decimal out;
  Decimal::Sub(D(a), D(b), out);
  return out.ToString();
}
std::string MulText(std::string_view a, std::string_view b) {
  Decimal out;
  Decimal::Mul(D(a), D(b), out);
  return out.ToString();
}
std::string DivText(std::string_view a, std::string_view b, int scale) {
  Decimal out;
  if (!Decimal::Div(D(a), D(b), scale, out)) return "div0";
  return out.ToString();
}
std::string ModText(std::string_view a, std::string_view b) {
  Decimal out;
  if (!Decimal::Mod(D(a), D(b), out)) return "div0";
  return out.ToString();
}

TEST(DecimalTest, ParseAndFormatRoundTrip) {
  for (const char* t : {"0", "1", "-1", "1.50", "-0.001", "123456789012345678901234567890.123",
                        "1000000000", "999999999", "0.000000000000000000001"}) {
    EXPECT_EQ(D(t).ToString(), t);
  }
  EXPECT_EQ(D("+5").ToString(), "5");
  EXPECT_EQ(D(".5").ToString(), "0.5");
  EXPECT_EQ(D("5.").ToString(), "5");
  EXPECT_EQ(D("-0.00").ToString(), "0.00");  // no negative zero
  EXPECT_EQ(D("007").ToString(), "7");
  Decimal d;
  EXPECT_FALSE(d.Parse(""));
  EXPECT_FALSE(d.Parse("-"));
  EXPECT_FALSE(d.Parse("."));
  EXPECT_FALSE(d.Parse("1e5"));
  EXPECT_FALSE(d.Parse(" 1"));
  EXPECT_FALSE(d.Parse("1.2.3"));
}

TEST(DecimalTest, ParseScientific) {
  Decimal d;
  ASSERT_TRUE(d.ParseScientific("1.5e3"));
  EXPECT_EQ(d.ToString(), "1500");
  ASSERT_TRUE(d.ParseScientific("25E-3"));
  EXPECT_EQ(d.ToString(), "0.025");
  ASSERT_TRUE(d.ParseScientific("1.25e1"));
  EXPECT_EQ(d.ToString(), "12.5");
  EXPECT_FALSE(d.ParseScientific("1e"));
}

TEST(DecimalTest, AddIsExact) {
  EXPECT_EQ(AddText("0.1", "0.2"), "0.3");
  EXPECT_EQ(AddText("1.50", "2.5"), "4.00");
  EXPECT_EQ(AddText("-1", "1"), "0");
  EXPECT_EQ(AddText("999999999", "1"), "1000000000");
  EXPECT_EQ(AddText("-5.5", "2.25"), "-3.25");
  EXPECT_EQ(AddText("2.25", "-5.5"), "-3.25");
  // 65-digit values (MySQL's maximum DECIMAL precision) keep every digit.
  std::string big(65, '9');
  EXPECT_EQ(AddText(big, "1"), "1" + std::string(65, '0'));
  EXPECT_EQ(AddText("0." + std::string(30, '9'), "0." + std::string(29, '0') + "1"),
            "1." + std::string(30, '0'));
}

TEST(DecimalTest, SubIsExact) {
  EXPECT_EQ(SubText("0.3", "0.1"), "0.2");
  EXPECT_EQ(SubText("1", "1000000000.5"), "-999999999.5");
  EXPECT_EQ(SubText("1000000000", "1"), "999999999");
  EXPECT_EQ(SubText("-1", "-1"), "0");
}

TEST(DecimalTest, MulIsExact) {
  EXPECT_EQ(MulText("1.5", "1.5"), "2.25");
  EXPECT_EQ(MulText("-0.1", "0.1"), "-0.01");
  EXPECT_EQ(MulText("123456789123456789", "987654321987654321"),
            "121932631356500531347203169112635269");
  EXPECT_EQ(MulText("0", "-5.5"), "0.0");
  std::string big(40, '9');
  EXPECT_EQ(MulText(big, big), std::string(39, '9') + "8" + std::string(39, '0') + "1");
}

TEST(DecimalTest, DivRoundsHalfAwayFromZero) {
  EXPECT_EQ(DivText("1", "3", 6), "0.333333");
  EXPECT_EQ(DivText("2", "3", 6), "0.666667");
  EXPECT_EQ(DivText("-2", "3", 6), "-0.666667");
  EXPECT_EQ(DivText("7", "2", 0), "4");
  EXPECT_EQ(DivText("-7", "2", 0), "-4");
  EXPECT_EQ(DivText("1.00", "0.25", 2), "4.00");
  EXPECT_EQ(DivText("1", "0", 6), "div0");
  EXPECT_EQ(DivText("1", "0.000", 6), "div0");
  // Multi-limb divisors go through the long-division path.
  EXPECT_EQ(DivText("121932631356500531347203169112635269", "987654321987654321", 0),
            "123456789123456789");
  EXPECT_EQ(DivText("1", "12345678901234567890", 30), "0.000000000000000000081000000729");
  EXPECT_EQ(DivText("100000000000000000000000000000", "99999999999999999999", 3), "1000000000.000");
}

TEST(DecimalTest, ModFollowsDividendSign) {
  EXPECT_EQ(ModText("7", "3"), "1");
  EXPECT_EQ(ModText("-7", "3"), "-1");
  EXPECT_EQ(ModText("7.5", "2"), "1.5");
  EXPECT_EQ(ModText("7", "0"), "div0");
  EXPECT_EQ(ModText("123456789012345678901234567890", "1000000000000"), "901234567890");
}

TEST(DecimalTest, CompareIgnoresScale) {
  EXPECT_EQ(Decimal::Compare(D("1.50"), D("1.5")), 0);
  EXPECT_EQ(Decimal::Compare(D("-0.0"), D("0")), 0);
  EXPECT_LT(Decimal::Compare(D("-1"), D("0.001")), 0);
  EXPECT_LT(Decimal::Compare(D("-2"), D("-1.999")), 0);
  EXPECT_GT(Decimal::Compare(D("10"), D("9.99999999999999999")), 0);
  EXPECT_GT(Decimal::Compare(D(std::string(65, '9')), D("1" + std::string(64, '0'))), 0);
}

TEST(DecimalTest, RescaleRoundsHalfAwayFromZero) {
  Decimal d = D("2.345");
  d.Rescale(2);
  EXPECT_EQ(d.ToString(), "2.35");
  d = D("-2.345");
  d.Rescale(2);
  EXPECT_EQ(d.ToString(), "-2.35");
  d = D("2.344999");
  d.Rescale(2);
  EXPECT_EQ(d.ToString(), "2.34");
  d = D("1.5");
  d.Rescale(4);
  EXPECT_EQ(d.ToString(), "1.5000");
  d = D("1250");
  d.Rescale(-2);
  EXPECT_EQ(d.ToString(), "1300");
  d = D("0.0000000000000000000000049");
  d.Rescale(0);
  EXPECT_EQ(d.ToString(), "0");
  d = D("9.99");
  d.Rescale(1);
  EXPECT_EQ(d.ToString(), "10.0");
}

TEST(DecimalTest, FloorAndCeil) {
  Decimal d = D("-1.2");
  d.Floor();
  EXPECT_EQ(d.ToString(), "-2");
  d = D("-1.2");
  d.Ceil();
  EXPECT_EQ(d.ToString(), "-1");
  d = D("1.0000000000000000001");
  d.Ceil();
  EXPECT_EQ(d.ToString(), "2");
  d = D("3.00");
  d.Floor();
  EXPECT_EQ(d.ToString(), "3");
}

TEST(DecimalTest, IntegerConversions) {
  Decimal d;
  d.SetInt(std::numeric_limits<int64_t>::min());
  EXPECT_EQ(d.ToString(), "-9223372036854775808");
  int64_t i = 0;
  ASSERT_TRUE(d.ToInt64(i));
  EXPECT_EQ(i, std::numeric_limits<int64_t>::min());
  d.SetUInt(std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(d.ToString(), "18446744073709551615");
  EXPECT_FALSE(d.ToInt64(i));
  uint64_t u = 0;
  ASSERT_TRUE(d.ToUInt64(u));
  EXPECT_EQ(u, std::numeric_limits<uint64_t>::max());
  EXPECT_FALSE(D("18446744073709551616").ToUInt64(u));
  EXPECT_FALSE(D("-1").ToUInt64(u));
  ASSERT_TRUE(D("2.5").ToInt64(i));
  EXPECT_EQ(i, 3);
  ASSERT_TRUE(D("-2.5").ToInt64(i));
  EXPECT_EQ(i, -3);
  EXPECT_EQ(D("1.5").Digits(), 2);
  EXPECT_EQ(D("0.05").Digits(), 1);
  EXPECT_EQ(D("123.45").IntegerDigits(), 3);
}

TEST(DecimalTest, DoubleConversions) {
  Decimal d;
  ASSERT_TRUE(d.SetDoubleExact(0.5));
  EXPECT_EQ(d.ToString(), "0.5");
  ASSERT_TRUE(d.SetDoubleExact(0.1));
  EXPECT_EQ(d.ToString(), "0.1000000000000000055511151231257827021181583404541015625");
  ASSERT_TRUE(d.SetDoubleExact(-1024.0));
  EXPECT_EQ(d.ToString(), "-1024");
  ASSERT_TRUE(d.SetDoubleExact(1e20));
  EXPECT_EQ(d.ToString(), "100000000000000000000");
  EXPECT_FALSE(d.SetDoubleExact(std::numeric_limits<double>::infinity()));
  EXPECT_DOUBLE_EQ(D("0.1").ToDouble(), 0.1);
  EXPECT_DOUBLE_EQ(D("-12345.678").ToDouble(), -12345.678);
}

}  // namespace
}  // namespace sluice
