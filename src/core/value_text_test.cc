#include "core/value_text.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace sluice {
namespace {

// Parses `text` into a fresh column of `type` and formats it back.
std::string RoundTrip(DataType type, std::string_view text,
                      const TimeZone& zone = TimeZone::Utc()) {
  Column c(type);
  Status st = ParseAndAppend(text, c, zone);
  if (!st.ok()) return "ERROR: " + st.message();
  EXPECT_EQ(c.size(), 1u);
  std::string out;
  FormatValue(c, 0, out);
  return out;
}

std::string ErrorOf(DataType type, std::string_view text) {
  Column c(type);
  Status st = ParseAndAppend(text, c, TimeZone::Utc());
  EXPECT_EQ(c.size(), 0u) << "nothing may be appended on error";
  if (c.is_var()) {
    EXPECT_TRUE(c.data().empty()) << "partial bytes left behind";
  }
  return st.ok() ? "OK" : st.message();
}

TEST(ValueTextTest, Calendar) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  for (int32_t d : {-719162, -1, 0, 59, 60, 11016, 2932896}) {
    int64_t y = 0;
    unsigned m = 0;
    unsigned day = 0;
    CivilFromDays(d, y, m, day);
    EXPECT_EQ(DaysFromCivil(y, m, day), d);
  }
  int64_t y = 0;
  unsigned m = 0;
  unsigned d = 0;
  CivilFromDays(-719162, y, m, d);
  EXPECT_EQ(y, 1);
  EXPECT_EQ(m, 1u);
  EXPECT_EQ(d, 1u);
}

TEST(ValueTextTest, Bool) {
  EXPECT_EQ(RoundTrip(DataType::Of(TypeId::kBool), "true"), "true");
  for (const char* t : {"1", "T", "yes", "ON", "True"}) EXPECT_EQ(ParseBool(t), true) << t;
  for (const char* t : {"0", "f", "NO", "off", "FALSE"}) EXPECT_EQ(ParseBool(t), false) << t;
  EXPECT_FALSE(ParseBool("maybe").has_value());
  EXPECT_FALSE(ParseBool("").has_value());
  EXPECT_FALSE(ParseBool(" true").has_value());
}

TEST(ValueTextTest, IntegersRoundTripEdges) {
  const DataType i64 = DataType::Of(TypeId::kInt64);
  const DataType u64 = DataType::Of(TypeId::kUInt64);
  EXPECT_EQ(RoundTrip(i64, "-9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(RoundTrip(i64, "9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(RoundTrip(i64, "+42"), "42");
  EXPECT_EQ(RoundTrip(i64, "007"), "7");
  EXPECT_EQ(RoundTrip(u64, "18446744073709551615"), "18446744073709551615");
  EXPECT_EQ(ParseInt("-9223372036854775808"), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(ParseUInt("18446744073709551615"), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(ErrorOf(i64, "9223372036854775808"), "'9223372036854775808' is out of range for int64");
  EXPECT_EQ(ErrorOf(u64, "18446744073709551616"),
            "'18446744073709551616' is out of range for uint64");
  EXPECT_EQ(ErrorOf(u64, "-1"), "'-1' is not a valid uint64");
  for (const char* bad : {"", " 1", "1 ", "+", "-", "+-1", "--1", "1.0", "1e3", "0x10"}) {
    EXPECT_FALSE(ParseInt(bad).has_value()) << bad;
  }
}

TEST(ValueTextTest, SmallIntegerRanges) {
  EXPECT_EQ(RoundTrip(DataType::Of(TypeId::kInt8), "-128"), "-128");
  EXPECT_EQ(ErrorOf(DataType::Of(TypeId::kInt8), "128"), "'128' is out of range for int8");
  EXPECT_EQ(ErrorOf(DataType::Of(TypeId::kInt16), "-32769"), "'-32769' is out of range for int16");
  EXPECT_EQ(RoundTrip(DataType::Of(TypeId::kInt32), "-2147483648"), "-2147483648");
  EXPECT_EQ(ErrorOf(DataType::Of(TypeId::kInt32), "2147483648"),
            "'2147483648' is out of range for int32");
  EXPECT_EQ(ErrorOf(DataType::Of(TypeId::kInt32), "12x"), "'12x' is not a valid int32");
  EXPECT_EQ(RoundTrip(DataType::Of(TypeId::kUInt8), "255"), "255");
  EXPECT_EQ(ErrorOf(DataType::Of(TypeId::kUInt8), "256"), "'256' is out of range for uint8");
  EXPECT_EQ(ErrorOf(DataType::Of(TypeId::kUInt16), "65536"), "'65536' is out of range for uint16");
  EXPECT_EQ(RoundTrip(DataType::Of(TypeId::kUInt32), "4294967295"), "4294967295");
  EXPECT_EQ(ErrorOf(DataType::Of(TypeId::kUInt32), "4294967296"),
            "'4294967296' is out of range for uint32");
}

TEST(ValueTextTest, FloatsUseShortestRoundTripText) {
  const DataType f64 = DataType::Of(TypeId::kFloat64);
  const DataType f32 = DataType::Of(TypeId::kFloat32);
  EXPECT_EQ(RoundTrip(f64, "0.1"), "0.1");
  EXPECT_EQ(RoundTrip(f64, "-0.0"), "-0");
  EXPECT_EQ(RoundTrip(f64, "1e308"), "1e+308");
  EXPECT_EQ(RoundTrip(f64, "+2.5"), "2.5");
  EXPECT_EQ(RoundTrip(f64, "inf"), "inf");
  EXPECT_EQ(RoundTrip(f64, "-Infinity"), "-inf");
  EXPECT_EQ(RoundTrip(f64, "NaN"), "nan");
  EXPECT_EQ(RoundTrip(f32, "0.1"), "0.1");  // via float, not the double nearest 0.1f
  EXPECT_EQ(RoundTrip(f32, "3.4028235e38"), "3.4028235e+38");
  EXPECT_EQ(ErrorOf(f32, "1e39"), "'1e39' is out of range for float32");
  EXPECT_EQ(ErrorOf(f64, "1e400"), "'1e400' is out of range for float64");
  EXPECT_EQ(ErrorOf(f64, "abc"), "'abc' is not a valid float64");
  EXPECT_EQ(ErrorOf(f64, "1.5 "), "'1.5 ' is not a valid float64");
  // Denormals survive; underflow rounds to zero instead of failing.
  const double denorm = std::numeric_limits<double>::denorm_min();
  std::string text;
  FormatDouble(denorm, text);
  EXPECT_EQ(ParseDouble(text), denorm);
  EXPECT_EQ(ParseDouble("1e-400"), 0.0);
  EXPECT_EQ(RoundTrip(f32, "1e-46"), "0");
  // Every double's text reads back to the same bits.
  for (double v :
       {1.0 / 3, 2.0 / 3, 1e-300, 123456789.123456789, -5e-324, 1.7976931348623157e308}) {
    std::string s;
    FormatDouble(v, s);
    auto back = ParseDouble(s);
    ASSERT_TRUE(back.has_value()) << s;
    EXPECT_EQ(std::bit_cast<uint64_t>(*back), std::bit_cast<uint64_t>(v)) << s;
  }
  std::string nan_text;
  FormatDouble(std::nan(""), nan_text);
  EXPECT_EQ(nan_text, "nan");
  EXPECT_TRUE(std::isnan(*ParseDouble("nan")));
}

TEST(ValueTextTest, Dates) {
  const DataType date = DataType::Of(TypeId::kDate);
  EXPECT_EQ(RoundTrip(date, "0001-01-01"), "0001-01-01");
  EXPECT_EQ(RoundTrip(date, "9999-12-31"), "9999-12-31");
  EXPECT_EQ(RoundTrip(date, "2024-02-29"), "2024-02-29");
  EXPECT_EQ(RoundTrip(date, "2000-02-29"), "2000-02-29");
  EXPECT_EQ(ParseDate("1970-01-01"), 0);
  EXPECT_EQ(ParseDate("1969-12-31"), -1);
  // What FormatDate writes reads back: years after 9999, year 0 (1 BC) and years before it.
  EXPECT_EQ(RoundTrip(date, "21016-11-04"), "21016-11-04");
  EXPECT_EQ(RoundTrip(date, "5874897-12-31"), "5874897-12-31");  // PostgreSQL's last date
  EXPECT_EQ(RoundTrip(date, "0000-02-29"), "0000-02-29");        // 1 BC was a leap year
  EXPECT_EQ(RoundTrip(date, "-4713-11-24"), "-4713-11-24");      // PostgreSQL's first date
  EXPECT_EQ(ParseDate("0000-12-31"), *ParseDate("0001-01-01") - 1);
  for (const char* bad : {"2023-02-29", "1900-02-29", "2024-13-01", "2024-04-31", "2024-1-01",
                          "2024-01-01 ", "20240101", "2024-01-00", "-044-03-15", "--0044-03-15",
                          "+2024-01-01", "99999999-01-01", "-0001-02-29"}) {
    EXPECT_FALSE(ParseDate(bad).has_value()) << bad;
  }
  EXPECT_EQ(ErrorOf(date, "2023-02-29"), "'2023-02-29' is not a valid date (expected YYYY-MM-DD)");
}

TEST(ValueTextTest, Times) {
  const DataType time = DataType::Of(TypeId::kTime);
  EXPECT_EQ(RoundTrip(time, "00:00:00"), "00:00:00");
  EXPECT_EQ(RoundTrip(time, "23:59:59.999999"), "23:59:59.999999");
  EXPECT_EQ(RoundTrip(time, "-838:59:59.000000"), "-838:59:59");
  EXPECT_EQ(RoundTrip(time, "838:59:59"), "838:59:59");
  EXPECT_EQ(RoundTrip(time, "12:30"), "12:30:00");
  EXPECT_EQ(RoundTrip(time, "1:02:03.5"), "01:02:03.5");
  EXPECT_EQ(ParseTime("-00:00:01"), -kMicrosPerSecond);
  EXPECT_EQ(ParseTime("00:00:00.123456789"), 123456);  // truncated, not rounded
  EXPECT_EQ(ParseTime("00:00:00.9999999"), 999999);
  for (const char* bad : {"24:60:00", "12:00:60", "12", "12:0", "00:00:00.", "00:00:00.1234567890",
                          "--1:00:00", "1:00:00 "}) {
    EXPECT_FALSE(ParseTime(bad).has_value()) << bad;
  }
  std::string out;
  FormatTime(std::numeric_limits<int64_t>::min(), out);
  EXPECT_EQ(out, "-2562047788:00:54.775808");
}

TEST(ValueTextTest, Timestamps) {
  const DataType ts = DataType::Of(TypeId::kTimestamp);
  EXPECT_EQ(RoundTrip(ts, "2024-03-01 12:34:56.789"), "2024-03-01 12:34:56.789");
  EXPECT_EQ(RoundTrip(ts, "2024-03-01T12:34:56"), "2024-03-01 12:34:56");
  EXPECT_EQ(RoundTrip(ts, "2024-03-01"), "2024-03-01 00:00:00");
  EXPECT_EQ(RoundTrip(ts, "2024-03-01 12:34"), "2024-03-01 12:34:00");
  EXPECT_EQ(RoundTrip(ts, "0001-01-01 00:00:00"), "0001-01-01 00:00:00");
  EXPECT_EQ(RoundTrip(ts, "9999-12-31 23:59:59.999999"), "9999-12-31 23:59:59.999999");
  EXPECT_EQ(RoundTrip(ts, "1969-12-31 23:59:59.5"), "1969-12-31 23:59:59.5");
  EXPECT_EQ(ParseTimestamp("1969-12-31 23:59:59.999999"), -1);
  EXPECT_EQ(ParseTimestamp("2024-01-01 00:00:00.1234569"), *ParseTimestamp("2024-01-01") + 123456);
  EXPECT_EQ(RoundTrip(ts, "21016-11-04 01:02:03.5"), "21016-11-04 01:02:03.5");
  EXPECT_EQ(RoundTrip(ts, "-4713-11-24 00:00:00"), "-4713-11-24 00:00:00");
  EXPECT_EQ(RoundTrip(DataType::Of(TypeId::kTimestampTz), "294246-12-31T23:59:59.999999Z"),
            "294246-12-31T23:59:59.999999Z");
  for (const char* bad :
       {"2024-03-01 24:00:00", "2024-03-01 12", "2024-03-01X12:00:00", "2024-03-01 12:00:00Z",
        "300000-01-01 00:00:00", "-300000-01-01 00:00:00"}) {
    EXPECT_FALSE(ParseTimestamp(bad).has_value()) << bad;
  }
}

TEST(ValueTextTest, TimestampTz) {
  const DataType tz = DataType::Of(TypeId::kTimestampTz);
  EXPECT_EQ(RoundTrip(tz, "2024-03-01T00:00:00Z"), "2024-03-01T00:00:00Z");
  EXPECT_EQ(RoundTrip(tz, "2024-03-01 08:00:00+08:00"), "2024-03-01T00:00:00Z");
  EXPECT_EQ(RoundTrip(tz, "2024-03-01 08:00:00 +0800"), "2024-03-01T00:00:00Z");
  EXPECT_EQ(RoundTrip(tz, "2024-03-01 08:00:00+08"), "2024-03-01T00:00:00Z");
  EXPECT_EQ(RoundTrip(tz, "2024-02-29 19:00:00.25-05:00"), "2024-03-01T00:00:00.25Z");
  auto shanghai = TimeZone::Load("Asia/Shanghai");
  ASSERT_TRUE(shanghai.has_value());
  // No suffix: wall-clock time in the given zone.
  EXPECT_EQ(RoundTrip(tz, "2024-03-01 08:00:00", *shanghai), "2024-03-01T00:00:00Z");
  EXPECT_EQ(RoundTrip(tz, "2024-03-01 08:00:00Z", *shanghai), "2024-03-01T08:00:00Z");
  for (const char* bad : {"2024-03-01 08:00:00+8", "2024-03-01 08:00:00+08:0",
                          "2024-03-01 08:00:00 UTC", "2024-03-01 08:00:00Zx"}) {
    EXPECT_FALSE(ParseTimestampTz(bad, TimeZone::Utc()).has_value()) << bad;
  }
  std::string out;
  FormatTimestampTz(-1, out);
  EXPECT_EQ(out, "1969-12-31T23:59:59.999999Z");
}

TEST(ValueTextTest, DecimalCanonicalForm) {
  auto canon = [](std::string_view t, uint16_t p = 0, uint16_t s = 0) {
    auto r = CanonicalDecimal(t, p, s);
    return r.has_value() ? *r : "ERROR: " + r.error().message();
  };
  EXPECT_EQ(canon("1.50"), "1.50");
  EXPECT_EQ(canon("+1.5e2"), "150");
  EXPECT_EQ(canon("1.50e1"), "15.0");
  EXPECT_EQ(canon("1.5E-3"), "0.0015");
  EXPECT_EQ(canon("007.10"), "7.10");
  EXPECT_EQ(canon("-0"), "0");
  EXPECT_EQ(canon("-0.000"), "0.000");
  EXPECT_EQ(canon(".5"), "0.5");
  EXPECT_EQ(canon("5."), "5");
  EXPECT_EQ(canon("0e10"), "0");
  EXPECT_EQ(canon("-12.3400"), "-12.3400");
  const std::string big = "-12345678901234567890123456789012345678901234567890123456789012345";
  EXPECT_EQ(canon(big), big);  // 65 digits, exact
  EXPECT_EQ(canon(big + ".5", 66, 1), big + ".5");
  EXPECT_EQ(canon("0." + big.substr(1), 0, 0), "0." + big.substr(1));
  for (const char* bad :
       {"", " 1", "1 ", "+", "-", ".", "1..2", "1e", "1e+", "abc", "1,5", "0x1"}) {
    EXPECT_EQ(canon(bad).rfind("ERROR: ", 0), 0u) << bad;
  }
  EXPECT_EQ(canon("1e999999999"), "ERROR: '1e999999999' is out of range for decimal");
}

TEST(ValueTextTest, DecimalScaleAndPrecision) {
  auto canon = [](std::string_view t, uint16_t p, uint16_t s) {
    auto r = CanonicalDecimal(t, p, s);
    return r.has_value() ? *r : "ERROR: " + r.error().message();
  };
  EXPECT_EQ(canon("1.5", 10, 2), "1.50");
  EXPECT_EQ(canon("1.500", 10, 2), "1.50");  // dropped digits are zeros
  EXPECT_EQ(canon("1.505", 10, 2), "ERROR: '1.505' has more than 2 digits after the point");
  EXPECT_EQ(canon("12", 10, 0), "12");
  EXPECT_EQ(canon("12.0", 10, 0), "12");
  EXPECT_EQ(canon("12.1", 10, 0), "ERROR: '12.1' has more than 0 digits after the point");
  EXPECT_EQ(canon("999.99", 5, 2), "999.99");
  EXPECT_EQ(canon("1000", 5, 2), "ERROR: '1000' does not fit decimal(5,2)");
  EXPECT_EQ(canon("-00999.990", 5, 2), "-999.99");
  EXPECT_EQ(canon("0.5", 1, 1), "0.5");
  EXPECT_EQ(canon("1.2e1", 3, 1), "12.0");
  EXPECT_EQ(canon("1e-5", 10, 2), "ERROR: '1e-5' has more than 2 digits after the point");
  EXPECT_EQ(canon("1.5", 0, 3), "1.500");  // a scale alone still applies
  // Through a column: canonical text lands in the buffer, errors leave nothing behind.
  const DataType d = DataType::Decimal(6, 2);
  EXPECT_EQ(RoundTrip(d, "+12.5"), "12.50");
  EXPECT_EQ(ErrorOf(d, "12.555"), "'12.555' has more than 2 digits after the point");
  Column col(d);
  ASSERT_TRUE(ParseAndAppend("1", col, TimeZone::Utc()).ok());
  ASSERT_FALSE(ParseAndAppend("99999", col, TimeZone::Utc()).ok());
  ASSERT_TRUE(ParseAndAppend("-2", col, TimeZone::Utc()).ok());
  ASSERT_EQ(col.size(), 2u);
  EXPECT_EQ(col.GetView(0), "1.00");
  EXPECT_EQ(col.GetView(1), "-2.00");
}

TEST(ValueTextTest, Uuid) {
  const DataType uuid = DataType::Of(TypeId::kUuid);
  const char* canonical = "123e4567-e89b-12d3-a456-426614174000";
  EXPECT_EQ(RoundTrip(uuid, canonical), canonical);
  EXPECT_EQ(RoundTrip(uuid, "123E4567-E89B-12D3-A456-426614174000"), canonical);
  EXPECT_EQ(RoundTrip(uuid, "123e4567e89b12d3a456426614174000"), canonical);
  EXPECT_EQ(RoundTrip(uuid, "{123e4567-e89b-12d3-a456-426614174000}"), canonical);
  for (const char* bad :
       {"123e4567-e89b-12d3-a456-42661417400", "123e4567-e89b-12d3-a456_426614174000",
        "g23e4567-e89b-12d3-a456-426614174000", ""}) {
    EXPECT_FALSE(CanonicalUuid(bad).has_value()) << bad;
  }
}

TEST(ValueTextTest, StringsBytesJsonAreTakenAsIs) {
  EXPECT_EQ(RoundTrip(DataType::Of(TypeId::kString), "héllo 😀, \"x\""), "héllo 😀, \"x\"");
  EXPECT_EQ(RoundTrip(DataType::Of(TypeId::kString), ""), "");
  EXPECT_EQ(RoundTrip(DataType::Of(TypeId::kBytes), std::string_view("a\0b", 3)),
            std::string("a\0b", 3));
  EXPECT_EQ(RoundTrip(DataType::Of(TypeId::kJson), "{\"a\":[1,2]}"), "{\"a\":[1,2]}");
}

TEST(ValueTextTest, ErrorsShortenLongText) {
  const std::string long_text(1000, 'x');
  const std::string msg = ErrorOf(DataType::Of(TypeId::kInt64), long_text);
  EXPECT_LT(msg.size(), 120u);
  EXPECT_NE(msg.find("...' is not a valid int64"), std::string::npos) << msg;
}

TEST(ValueTextTest, FormatAppendsWithoutClearing) {
  std::string out = "x=";
  FormatInt(-5, out);
  out += ',';
  FormatUInt(7, out);
  out += ',';
  FormatFloat(0.1f, out);
  out += ',';
  FormatDate(0, out);
  EXPECT_EQ(out, "x=-5,7,0.1,1970-01-01");
}

}  // namespace
}  // namespace sluice
