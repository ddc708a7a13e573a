#include <bit>
#include <limits>

#include <gtest/gtest.h>

#include "connectors/mysql/mysql_decoder.h"
#include "connectors/mysql/mysql_encoder.h"
#include "core/value_text.h"

namespace sluice::mysql {
namespace {

// Decodes `text` as `kind` into a column of `type` and returns the canonical text ("NULL" for
// NULL), or "error: <why>".
std::string Decode(ReadKind kind, DataType type, std::string_view text,
                   ZeroDate zero = ZeroDate::kError, TimeZone zone = TimeZone::Utc()) {
  ValueDecoder decoder(kind, zero, zone);
  Cell cell;
  std::string why;
  if (!decoder.Decode(text.data(), text.size(), cell, why)) return "error: " + why;
  Column col(type);
  cell.AppendTo(col);
  if (col.IsNull(0)) return "NULL";
  std::string out;
  FormatValue(col, 0, out);
  return out;
}

TEST(MysqlDecoderTest, IntegersAtTheirLimits) {
  EXPECT_EQ(Decode(ReadKind::kUInt, DataType::Of(TypeId::kUInt64), "18446744073709551615"),
            "18446744073709551615");
  EXPECT_EQ(Decode(ReadKind::kInt, DataType::Of(TypeId::kInt64), "-9223372036854775808"),
            "-9223372036854775808");
  EXPECT_EQ(Decode(ReadKind::kYear, DataType::Of(TypeId::kInt16), "2155"), "2155");
  EXPECT_EQ(Decode(ReadKind::kYear, DataType::Of(TypeId::kInt16), "0000"), "0");
  EXPECT_NE(Decode(ReadKind::kInt, DataType::Of(TypeId::kInt64), "12x").find("error"),
            std::string::npos);
}

TEST(MysqlDecoderTest, SqlNullIsNull) {
  ValueDecoder decoder(ReadKind::kString, ZeroDate::kError, TimeZone::Utc());
  Cell cell;
  std::string why;
  ASSERT_TRUE(decoder.Decode(nullptr, 0, cell, why));
  EXPECT_TRUE(cell.null);
}

TEST(MysqlDecoderTest, DecimalsStayExactText) {
  const DataType d = DataType::Decimal(65, 30);
  const std::string big = "-12345678901234567890123456789012345.123456789012345678901234567890";
  EXPECT_EQ(Decode(ReadKind::kDecimal, d, big), big);
  EXPECT_EQ(Decode(ReadKind::kDecimal, DataType::Decimal(5, 2), "0.50"), "0.50");
}

TEST(MysqlDecoderTest, DoublesAndFloatsAreBitExact) {
  EXPECT_EQ(Decode(ReadKind::kDouble, DataType::Of(TypeId::kFloat64), "0.1"), "0.1");
  EXPECT_EQ(Decode(ReadKind::kDouble, DataType::Of(TypeId::kFloat64), "1.7976931348623157e308"),
            "1.7976931348623157e+308");
  EXPECT_EQ(Decode(ReadKind::kDouble, DataType::Of(TypeId::kFloat64), "5e-324"), "5e-324");
  // FLOAT is read through CAST(... AS DOUBLE): the double text of the float's exact value.
  EXPECT_EQ(Decode(ReadKind::kFloat, DataType::Of(TypeId::kFloat32), "3.087959704611975e31"),
            "3.0879597e+31");
  // A double that no float holds means the server did not send a float.
  EXPECT_NE(Decode(ReadKind::kFloat, DataType::Of(TypeId::kFloat32), "0.1").find("error"),
            std::string::npos);
}

TEST(MysqlDecoderTest, BitIsBigEndianUnsigned) {
  const std::string bytes("\x02\xAA", 2);
  EXPECT_EQ(Decode(ReadKind::kBit, DataType::Of(TypeId::kUInt64), bytes), "682");
  const std::string all(8, '\xff');
  EXPECT_EQ(Decode(ReadKind::kBit, DataType::Of(TypeId::kUInt64), all), "18446744073709551615");
}

TEST(MysqlDecoderTest, DatesTimesAndZeroDates) {
  const DataType date = DataType::Of(TypeId::kDate);
  EXPECT_EQ(Decode(ReadKind::kDate, date, "2024-02-29"), "2024-02-29");
  EXPECT_EQ(Decode(ReadKind::kDate, date, "1000-01-01"), "1000-01-01");
  for (const char* zero : {"0000-00-00", "2024-00-10", "2024-03-00", "2023-02-29", "0000-01-01"}) {
    EXPECT_EQ(Decode(ReadKind::kDate, date, zero, ZeroDate::kNull), "NULL") << zero;
    std::string err = Decode(ReadKind::kDate, date, zero, ZeroDate::kError);
    EXPECT_NE(err.find("not a calendar date"), std::string::npos) << err;
    EXPECT_NE(err.find("zero_date: null"), std::string::npos) << err;
  }
  const DataType ts = DataType::Of(TypeId::kTimestamp);
  EXPECT_EQ(Decode(ReadKind::kDateTime, ts, "2024-03-01 08:00:00.000500"),
            "2024-03-01 08:00:00.0005");
  EXPECT_EQ(Decode(ReadKind::kDateTime, ts, "0000-00-00 00:00:00", ZeroDate::kNull), "NULL");
  const DataType tz = DataType::Of(TypeId::kTimestampTz);
  EXPECT_EQ(Decode(ReadKind::kTimestampTz, tz, "2024-03-01 00:00:00"), "2024-03-01T00:00:00Z");
  // DATETIME read as an instant in the source's zone.
  Result<TimeZone> shanghai = TimeZone::Load("+08:00");
  ASSERT_TRUE(shanghai.has_value());
  EXPECT_EQ(Decode(ReadKind::kDateTimeTz, tz, "2024-03-01 08:00:00", ZeroDate::kError, *shanghai),
            "2024-03-01T00:00:00Z");
  const DataType time = DataType::Of(TypeId::kTime);
  EXPECT_EQ(Decode(ReadKind::kTime, time, "-838:59:59.000000"), "-838:59:59");
  EXPECT_EQ(Decode(ReadKind::kTime, time, "100:00:00.5"), "100:00:00.5");
  EXPECT_EQ(Decode(ReadKind::kTime, time, "-00:00:01"), "-00:00:01");
}

TEST(MysqlDecoderTest, BoolOnlyFromZeroOrOne) {
  const DataType b = DataType::Of(TypeId::kBool);
  EXPECT_EQ(Decode(ReadKind::kBool, b, "1"), "true");
  EXPECT_EQ(Decode(ReadKind::kBool, b, "0"), "false");
  EXPECT_NE(Decode(ReadKind::kBool, b, "2").find("not a boolean"), std::string::npos);
}

TEST(MysqlDecoderTest, UuidIsCanonicalised) {
  const DataType u = DataType::Of(TypeId::kUuid);
  EXPECT_EQ(Decode(ReadKind::kUuid, u, "6155BE21-E8BD-11F1-B5FC-02FC00000001"),
            "6155be21-e8bd-11f1-b5fc-02fc00000001");
}

std::string Encode(DataType type, TargetClass target, void (*fill)(Column&),
                   TimeZone zone = TimeZone::Utc()) {
  Column col(type);
  fill(col);
  FieldEncoder encoder(type, target, zone);
  std::string out;
  std::string why;
  if (!encoder.Append(col, 0, out, why)) return "error: " + why;
  return out;
}

TEST(MysqlDecoderTest, Latin1IsTranscodedAndAsciiChecked) {
  const DataType str = DataType::Of(TypeId::kString);
  // cp1252's euro sign, an undefined byte (a C1 control, as the server maps it), e acute.
  EXPECT_EQ(Decode(ReadKind::kLatin1, str,
                   "\x80\x81"
                   "caf\xE9"),
            "\u20AC\u0081caf\u00E9");
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  std::string utf8;
  AppendLatin1AsUtf8(all, utf8);
  // ASCII 1 byte; of 0x80..0x9F, 17 (punctuation, the euro and trade mark signs) take 3 bytes
  // and 15 (letters with carons, the 5 C1 controls) 2; 0xA0..0xFF take 2.
  EXPECT_EQ(utf8.size(), 128u + 17 * 3 + 15 * 2 + 96 * 2);
  EXPECT_EQ(Decode(ReadKind::kAscii, str, "plain\x7F"), "plain\x7F");
  EXPECT_EQ(Decode(ReadKind::kAscii, str, "caf\xE9"),
            "error: byte 0xE9 at offset 3 is not ASCII, the column's character set (the server "
            "would have read it as '?')");
}

TEST(MysqlEncoderTest, EscapesTheFourSpecialBytes) {
  std::string out;
  AppendEscaped(std::string_view("a\tb\nc\\d\0e\r\xF0\x9F\x98\x80", 14), out);
  EXPECT_EQ(out, std::string("a\\tb\\nc\\\\d\\0e\r\xF0\x9F\x98\x80"));
  out.clear();
  AppendHex(std::string_view("\x00\xff\x10", 3), out);
  EXPECT_EQ(out, "00FF10");
}

TEST(MysqlEncoderTest, ValuesForEachTargetKind) {
  EXPECT_EQ(
      Encode(DataType::Of(TypeId::kString), TargetClass::kText, [](Column& c) { c.AppendNull(); }),
      "\\N");
  EXPECT_EQ(Encode(DataType::Of(TypeId::kString), TargetClass::kText,
                   [](Column& c) { c.AppendBytes("\\N"); }),
            "\\\\N");
  EXPECT_EQ(Encode(DataType::Of(TypeId::kBytes), TargetClass::kBinary,
                   [](Column& c) { c.AppendBytes(std::string_view("\0\n", 2)); }),
            "000A");
  EXPECT_EQ(Encode(DataType::Of(TypeId::kUInt64), TargetClass::kUInt,
                   [](Column& c) { c.AppendUInt(std::numeric_limits<uint64_t>::max()); }),
            "18446744073709551615");
  EXPECT_EQ(
      Encode(DataType::Of(TypeId::kInt64), TargetClass::kBit, [](Column& c) { c.AppendInt(-1); })
          .substr(0, 6),
      "error:");
  EXPECT_EQ(Encode(DataType::Of(TypeId::kFloat64), TargetClass::kDouble,
                   [](Column& c) { c.AppendDouble(std::numeric_limits<double>::quiet_NaN()); })
                .substr(0, 6),
            "error:");
  // A float is written as the double that holds it, so the server reads it back exactly.
  EXPECT_EQ(Encode(DataType::Of(TypeId::kFloat32), TargetClass::kFloat,
                   [](Column& c) { c.AppendDouble(static_cast<double>(0.1f)); }),
            "0.10000000149011612");
  EXPECT_EQ(Encode(DataType::Of(TypeId::kFloat32), TargetClass::kText,
                   [](Column& c) { c.AppendDouble(static_cast<double>(0.1f)); }),
            "0.1");
  EXPECT_EQ(
      Encode(DataType::Of(TypeId::kBool), TargetClass::kInt, [](Column& c) { c.AppendBool(true); }),
      "1");
}

TEST(MysqlEncoderTest, TimeZoneRule) {
  Result<TimeZone> zone = TimeZone::Load("+08:00");
  ASSERT_TRUE(zone.has_value());
  // 2024-03-01T00:00:00Z
  auto instant = [](Column& c) { c.AppendInt(1709251200LL * 1000000); };
  // An instant into TIMESTAMP: UTC, the session's zone.
  EXPECT_EQ(Encode(DataType::Of(TypeId::kTimestampTz), TargetClass::kTimestamp, instant, *zone),
            "2024-03-01 00:00:00");
  // Into DATETIME: wall-clock time in the target's time_zone.
  EXPECT_EQ(Encode(DataType::Of(TypeId::kTimestampTz), TargetClass::kDateTime, instant, *zone),
            "2024-03-01 08:00:00");
  // Wall-clock time into TIMESTAMP: read in the target's time_zone.
  EXPECT_EQ(Encode(DataType::Of(TypeId::kTimestamp), TargetClass::kTimestamp, instant, *zone),
            "2024-02-29 16:00:00");
  EXPECT_EQ(Encode(DataType::Of(TypeId::kTimestamp), TargetClass::kDateTime, instant, *zone),
            "2024-03-01 00:00:00");
  EXPECT_EQ(Encode(DataType::Of(TypeId::kTime), TargetClass::kTime,
                   [](Column& c) { c.AppendInt(-(838LL * 3600 + 59 * 60 + 59) * 1000000 - 1); }),
            "-838:59:59.000001");
}

}  // namespace
}  // namespace sluice::mysql
