#include "verify/value_normalizer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/value_text.h"

namespace sluice::verify {
namespace {

// The normalized text of `text` parsed as `own`, compared as the kind of (own, other).
std::string Norm(DataType own, DataType other, std::string_view text,
                 const TimeZone& zone = TimeZone::Utc()) {
  Column column(own);
  Status st = ParseAndAppend(text, column, zone);
  EXPECT_TRUE(st.ok()) << st.ToString();
  ValueNormalizer normalizer(own, ResolveCompareKind(own, other), zone);
  std::string out = "garbage from before";
  normalizer.Normalize(column, 0, out);
  return out;
}

DataType T(TypeId id) {
  return DataType::Of(id);
}

TEST(ResolveCompareKind, IsSymmetricAndReconcilesCrossDatabaseTypes) {
  const std::pair<DataType, DataType> pairs[] = {
      {T(TypeId::kUInt64), DataType::Decimal(20, 0)},
      {T(TypeId::kInt8), T(TypeId::kBool)},
      {T(TypeId::kFloat32), T(TypeId::kFloat64)},
      {T(TypeId::kTimestamp), T(TypeId::kTimestampTz)},
      {T(TypeId::kJson), T(TypeId::kString)},
      {T(TypeId::kUuid), T(TypeId::kString)},
      {T(TypeId::kDate), T(TypeId::kTimestamp)},
      {T(TypeId::kString), T(TypeId::kBytes)},
  };
  const CompareKind expected[] = {
      CompareKind::kNumber, CompareKind::kNumber, CompareKind::kFloat32,   CompareKind::kInstant,
      CompareKind::kJson,   CompareKind::kUuid,   CompareKind::kTimestamp, CompareKind::kText};
  for (size_t i = 0; i < std::size(pairs); ++i) {
    EXPECT_EQ(ResolveCompareKind(pairs[i].first, pairs[i].second), expected[i]) << i;
    EXPECT_EQ(ResolveCompareKind(pairs[i].second, pairs[i].first), expected[i]) << i;
  }
}

TEST(ValueNormalizer, IntegersOfEveryWidthAndDecimalsAgree) {
  const DataType dec = DataType::Decimal(20, 0);
  EXPECT_EQ(Norm(T(TypeId::kUInt64), dec, "18446744073709551615"), "18446744073709551615");
  EXPECT_EQ(Norm(dec, T(TypeId::kUInt64), "18446744073709551615"), "18446744073709551615");
  EXPECT_EQ(Norm(T(TypeId::kInt16), T(TypeId::kInt64), "-32768"), "-32768");
  EXPECT_EQ(Norm(T(TypeId::kInt64), T(TypeId::kInt16), "-32768"), "-32768");
  EXPECT_EQ(Norm(T(TypeId::kBool), T(TypeId::kInt8), "true"), "1");
  EXPECT_EQ(Norm(T(TypeId::kInt8), T(TypeId::kBool), "1"), "1");
  EXPECT_EQ(Norm(T(TypeId::kBool), T(TypeId::kInt8), "false"), "0");
}

TEST(ValueNormalizer, DecimalsDropTrailingFractionZerosOnly) {
  const DataType d = DataType::Decimal(10, 2);
  const DataType any = DataType::Decimal(0, 0);
  EXPECT_EQ(Norm(d, any, "1.50"), "1.5");
  EXPECT_EQ(Norm(any, d, "1.5"), "1.5");
  EXPECT_EQ(Norm(d, any, "2.00"), "2");
  EXPECT_EQ(Norm(any, d, "100"), "100");  // integer zeros stay
  EXPECT_EQ(Norm(d, any, "-0.00"), "0");
  EXPECT_EQ(Norm(d, any, "-0.10"), "-0.1");
  EXPECT_NE(Norm(d, any, "10.50"), Norm(d, any, "10.51"));
}

TEST(ValueNormalizer, AppendTrimmedDecimalAppends) {
  std::string out = "x";
  AppendTrimmedDecimal("-0.000", out);
  EXPECT_EQ(out, "x0");
  out.clear();
  AppendTrimmedDecimal("12.340", out);
  EXPECT_EQ(out, "12.34");
}

TEST(ValueNormalizer, FloatsUseShortestTextAndFloat32Precision) {
  EXPECT_EQ(Norm(T(TypeId::kFloat64), T(TypeId::kFloat64), "0.1"), "0.1");
  // 0.1 as float32 held in a double on one side, as float64 0.1f on the other.
  EXPECT_EQ(Norm(T(TypeId::kFloat32), T(TypeId::kFloat64), "0.1"), "0.1");
  EXPECT_EQ(Norm(T(TypeId::kFloat64), T(TypeId::kFloat32), "0.1"), "0.1");
  EXPECT_EQ(Norm(T(TypeId::kFloat64), T(TypeId::kFloat64), "-0"), "0");
  EXPECT_EQ(Norm(T(TypeId::kFloat64), T(TypeId::kFloat64), "nan"),
            Norm(T(TypeId::kFloat64), T(TypeId::kFloat64), "nan"));
  // A decimal facing a double is compared as a double.
  EXPECT_EQ(Norm(DataType::Decimal(10, 2), T(TypeId::kFloat64), "2.50"),
            Norm(T(TypeId::kFloat64), DataType::Decimal(10, 2), "2.5"));
}

TEST(ValueNormalizer, TemporalValuesAndInstants) {
  EXPECT_EQ(Norm(T(TypeId::kDate), T(TypeId::kDate), "2024-03-01"), "2024-03-01");
  EXPECT_EQ(Norm(T(TypeId::kTime), T(TypeId::kTime), "-838:59:59"), "-838:59:59");
  EXPECT_EQ(Norm(T(TypeId::kTimestamp), T(TypeId::kTimestamp), "2024-03-01 10:00:00.500000"),
            "2024-03-01 10:00:00.5");
  EXPECT_EQ(Norm(T(TypeId::kDate), T(TypeId::kTimestamp), "2024-03-01"), "2024-03-01 00:00:00");
  const std::string utc =
      Norm(T(TypeId::kTimestampTz), T(TypeId::kTimestampTz), "2024-03-01T00:00:00Z");
  EXPECT_EQ(utc, "1709251200000000");
  // A wall-clock value meets an instant in the comparison's zone.
  Result<TimeZone> shanghai = TimeZone::Load("Asia/Shanghai");
  ASSERT_TRUE(shanghai.has_value());
  EXPECT_EQ(Norm(T(TypeId::kTimestamp), T(TypeId::kTimestampTz), "2024-03-01 08:00:00", *shanghai),
            utc);
  EXPECT_EQ(Norm(T(TypeId::kTimestamp), T(TypeId::kTimestampTz), "2024-03-01 00:00:00"), utc);
}

TEST(ValueNormalizer, WallClockFacingAnInstantIsShownAsThatInstant) {
  Result<TimeZone> shanghai = TimeZone::Load("Asia/Shanghai");
  ASSERT_TRUE(shanghai.has_value());
  Column wall(T(TypeId::kTimestamp));
  ASSERT_TRUE(ParseAndAppend("2024-03-01 08:00:01", wall, *shanghai).ok());
  ValueNormalizer as_instant(T(TypeId::kTimestamp), CompareKind::kInstant, *shanghai);
  EXPECT_EQ(as_instant.Display(wall, 0), "2024-03-01T00:00:01Z");
  ValueNormalizer as_wall(T(TypeId::kTimestamp), CompareKind::kTimestamp, *shanghai);
  EXPECT_EQ(as_wall.Display(wall, 0), "2024-03-01 08:00:01");
}

TEST(ValueNormalizer, JsonKeysSortedAndSpacingIgnored) {
  const std::string a = Norm(T(TypeId::kJson), T(TypeId::kJson), R"({"b": 1, "a": [1, 2.50]})");
  EXPECT_EQ(a, R"({"a":[1,2.5],"b":1})");
  EXPECT_EQ(Norm(T(TypeId::kString), T(TypeId::kJson), R"({"a":[1,2.5],"b":1})"), a);
  EXPECT_EQ(Norm(T(TypeId::kJson), T(TypeId::kJson), "not json"), "not json");
  EXPECT_NE(Norm(T(TypeId::kJson), T(TypeId::kJson), R"({"a":1})"),
            Norm(T(TypeId::kJson), T(TypeId::kJson), R"({"a":"1"})"));
}

// MariaDB keeps JSON as written ({"a": 2e3}); jsonb prints numbers as numeric ({"a": 2000}).
// Numbers compare by exact decimal value: not through double, which would merge big integers
// and cannot hold 1e400.
TEST(ValueNormalizer, JsonNumbersCompareByExactValue) {
  auto json = [](std::string_view text) { return Norm(T(TypeId::kJson), T(TypeId::kJson), text); };
  EXPECT_EQ(json(R"({"a": 2e3})"), R"({"a":2000})");
  EXPECT_EQ(json("[-1.50e-1, 1e400, 1.5e-60]"), "[-0.15,1e400,15e-61]");
  EXPECT_EQ(json(R"({"a": 2e3})"), json(R"({"a": 2000})"));
  EXPECT_EQ(json(R"({"a": 2E+3})"), json(R"({"a": 2000.000})"));
  EXPECT_EQ(json(R"({"a": 1E-2})"), json(R"({"a": 0.01})"));
  EXPECT_EQ(json("[-0, 0.0, -0e5]"), json("[0,0,0]"));
  EXPECT_EQ(json("1e400"), json("1" + std::string(400, '0')));
  EXPECT_NE(json("1e400"), json("1e401"));
  EXPECT_EQ(json("12345678901234567890123"), json("1.2345678901234567890123e22"));
  EXPECT_NE(json("12345678901234567890123"), json("12345678901234567890124"));
  EXPECT_NE(json("9007199254740993"), json("9007199254740992"));  // equal as doubles
  EXPECT_NE(json("0.1"), json("0.10000000000000001"));            // equal as doubles
  EXPECT_EQ(json(R"({"n": -1.50e-1, "s": "2e3"})"), json(R"({"s":"2e3","n":-0.15})"));
  EXPECT_NE(json(R"({"a": 2e3})"), json(R"({"a": "2000"})"));
  // Strings keep their value whatever the escapes; duplicate keys keep the last, as jsonb does.
  EXPECT_EQ(json(R"(["é\/"])"), json(R"(["é/"])"));
  EXPECT_EQ(json(R"({"a": 1, "a": 2})"), json(R"({"a": 2})"));
  EXPECT_EQ(json("[1, 2"), "[1, 2");  // not JSON: compared as written
}

TEST(ValueNormalizer, UuidLowercaseAndTextCoercion) {
  EXPECT_EQ(Norm(T(TypeId::kString), T(TypeId::kUuid), "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"),
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  EXPECT_EQ(Norm(T(TypeId::kUuid), T(TypeId::kString), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  // Text facing a typed column is parsed as that type: "007" meets the integer 7.
  EXPECT_EQ(Norm(T(TypeId::kString), T(TypeId::kInt32), "007"), "7");
  EXPECT_EQ(Norm(T(TypeId::kString), T(TypeId::kDate), "2024-03-01"), "2024-03-01");
  EXPECT_EQ(Norm(T(TypeId::kString), T(TypeId::kBool), "true"), "1");
  // Unparsable text stays as it is, so it cannot meet a typed value.
  EXPECT_EQ(Norm(T(TypeId::kString), T(TypeId::kInt32), "7x"), "7x");
}

TEST(ValueNormalizer, StringsAndBytesAsTheyAre) {
  EXPECT_EQ(Norm(T(TypeId::kString), T(TypeId::kString), " a b "), " a b ");
  EXPECT_EQ(Norm(T(TypeId::kString), T(TypeId::kString), ""), "");
  EXPECT_EQ(Norm(T(TypeId::kBytes), T(TypeId::kString), std::string_view("a\0b", 3)),
            std::string("a\0b", 3));
}

TEST(DisplayValue, QuotesTextHexesBytesAndTruncates) {
  Column s(T(TypeId::kString));
  s.AppendBytes("it");
  s.AppendNull();
  s.AppendBytes(std::string(100, 'x'));
  s.AppendBytes("\xC3\xA9\xC3\xA9\xC3\xA9");  // three two-byte characters
  EXPECT_EQ(DisplayValue(s, 0), "'it'");
  EXPECT_EQ(DisplayValue(s, 1), "NULL");
  EXPECT_EQ(DisplayValue(s, 2), "'" + std::string(59, 'x') + "...");
  EXPECT_EQ(DisplayValue(s, 3, 3), "'\xC3\xA9\xC3\xA9...");
  Column b(T(TypeId::kBytes));
  b.AppendBytes(std::string("\x00\xff", 2));
  EXPECT_EQ(DisplayValue(b, 0), "x'00ff'");
  Column d(DataType::Decimal(10, 2));
  d.AppendBytes("10.50");
  EXPECT_EQ(DisplayValue(d, 0), "10.50");
}

}  // namespace
}  // namespace sluice::verify
