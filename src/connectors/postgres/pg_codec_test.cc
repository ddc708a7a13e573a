// Unit tests of the PostgreSQL connector's pure parts (no server): numeric and uuid binary
// forms, JSON -> array literals, COPY text escaping, split payloads, names, type mapping.
#include <gtest/gtest.h>

#include "connectors/postgres/pg_array_literal.h"
#include "connectors/postgres/pg_copy_decoder.h"
#include "connectors/postgres/pg_copy_encoder.h"
#include "connectors/postgres/pg_numeric.h"
#include "connectors/postgres/pg_splits.h"
#include "connectors/postgres/pg_table.h"
#include "connectors/postgres/pg_target.h"
#include "connectors/postgres/pg_types.h"
#include "connectors/postgres/pg_wire.h"
#include "core/value_text.h"

namespace sluice::postgres {
namespace {

std::string NumericRoundTrip(std::string_view text) {
  std::string bin;
  if (!EncodeNumeric(text, bin)) return "<encode failed>";
  std::string out;
  NumericKind kind = DecodeNumeric(bin.data(), bin.size(), out);
  if (kind != NumericKind::kFinite) return "<special>";
  return out;
}

TEST(PgNumericTest, RoundTripsKeepEveryDigitAndTheScale) {
  for (std::string_view t :
       {"0", "1", "-1", "9999", "10000", "-10000", "12345678", "0.5", "0.0001", "0.00001", "1.50",
        "-0.0001", "123456789012345678901234567890.123456789012345678901234567890",
        "99999999999999999999", "18446744073709551615", "0.000000000000000000000000000001",
        "100000000000000000000000000000000000000000", "7.000", "0.00"}) {
    EXPECT_EQ(NumericRoundTrip(t), t);
  }
  std::string huge(1000, '9');
  EXPECT_EQ(NumericRoundTrip(huge), huge);
  EXPECT_EQ(NumericRoundTrip("-0.00"), "0.00");  // numeric has no negative zero
  EXPECT_EQ(NumericRoundTrip("+5"), "5");
}

TEST(PgNumericTest, EncodesPostgresLayout) {
  // 12345.678 -> digits {1, 2345, 6780}, weight 1, dscale 3 (as numeric_send produces it).
  std::string bin;
  ASSERT_TRUE(EncodeNumeric("12345.678", bin));
  ASSERT_EQ(bin.size(), 8u + 6u);
  EXPECT_EQ(ReadI16(bin.data()), 3);
  EXPECT_EQ(ReadI16(bin.data() + 2), 1);
  EXPECT_EQ(ReadU16(bin.data() + 4), 0);
  EXPECT_EQ(ReadU16(bin.data() + 6), 3);
  EXPECT_EQ(ReadI16(bin.data() + 8), 1);
  EXPECT_EQ(ReadI16(bin.data() + 10), 2345);
  EXPECT_EQ(ReadI16(bin.data() + 12), 6780);
}

TEST(PgNumericTest, SpecialValuesAndGarbage) {
  std::string bin;
  ASSERT_TRUE(EncodeNumeric("NaN", bin));
  std::string out;
  EXPECT_EQ(DecodeNumeric(bin.data(), bin.size(), out), NumericKind::kNaN);
  bin.clear();
  ASSERT_TRUE(EncodeNumeric("-Infinity", bin));
  EXPECT_EQ(DecodeNumeric(bin.data(), bin.size(), out), NumericKind::kMinusInfinity);
  EXPECT_TRUE(out.empty());
  for (std::string_view bad : {"", "-", "1e5", "1.2.3", "abc", " 1", "."}) {
    std::string b;
    EXPECT_FALSE(EncodeNumeric(bad, b)) << bad;
    EXPECT_TRUE(b.empty());
  }
  EXPECT_EQ(DecodeNumeric("\0\1", 2, out), NumericKind::kInvalid);
}

TEST(PgArrayLiteralTest, ConvertsNestedArraysStringsAndNulls) {
  auto convert = [](std::string_view json, bool json_elements = false) {
    std::string out;
    return JsonToArrayLiteral(json, json_elements, out) ? out : "<error>";
  };
  EXPECT_EQ(convert("[1, 2, 3]"), "{1,2,3}");
  EXPECT_EQ(convert("[]"), "{}");
  EXPECT_EQ(convert("[[1,2],[3,null]]"), "{{1,2},{3,NULL}}");
  EXPECT_EQ(convert(R"(["a", "b c", "q\"uote", "back\\slash", null])"),
            R"({"a","b c","q\"uote","back\\slash",NULL})");
  EXPECT_EQ(convert(R"(["\u00e9\ud83d\ude00"])"), "{\"\xc3\xa9\xf0\x9f\x98\x80\"}");
  EXPECT_EQ(convert("[123456789012345678901234567890.5, -1e400]"),
            "{123456789012345678901234567890.5,-1e400}");  // numbers verbatim, never doubles
  EXPECT_EQ(convert("[true,false]"), "{true,false}");
  EXPECT_EQ(convert(R"([{"a": [1, 2]}, [3], null])", true), R"({"{\"a\": [1, 2]}","[3]",NULL})");
  EXPECT_EQ(convert("{\"a\": 1}"), "<error>");
  EXPECT_EQ(convert("[1, 2"), "<error>");
  EXPECT_EQ(convert("[1] x"), "<error>");
}

TEST(PgCopyTextTest, EscapesControlCharacters) {
  std::string out;
  AppendCopyText("a\tb\nc\\d\re", out);
  EXPECT_EQ(out, "a\\tb\\nc\\\\d\\re");
}

TEST(PgUuidTest, ParsesAndFormats) {
  char bytes[16];
  ASSERT_TRUE(ParseUuidBytes("{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}", bytes));
  std::string text;
  FormatUuidBytes(bytes, text);
  EXPECT_EQ(text, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  ASSERT_TRUE(ParseUuidBytes("a0eebc999c0b4ef8bb6d6bb9bd380a11", bytes));
  EXPECT_FALSE(ParseUuidBytes("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1", bytes));
  EXPECT_FALSE(ParseUuidBytes("a0eebc99x9c0b-4ef8-bb6d-6bb9bd380a11", bytes));
  EXPECT_FALSE(ParseUuidBytes("g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", bytes));
}

TEST(PgSplitsTest, PayloadRoundTripsAndConditions) {
  KeyRange r{std::string("a'b"), std::string("z:9"), true};
  Result<KeyRange> back = KeyRange::Decode(r.Encode());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, r);
  EXPECT_EQ(r.Condition("\"k\"", "text"),
            "((\"k\" >= 'a''b'::text AND \"k\" < 'z:9'::text) OR \"k\" IS NULL)");
  KeyRange open_end{std::string("5"), std::nullopt, false};
  EXPECT_EQ(open_end.Condition("\"id\"", "bigint"), "(\"id\" >= '5'::bigint)");
  EXPECT_EQ(KeyRange{}.Condition("\"id\"", "bigint"), "");
  Result<KeyRange> single = KeyRange::Decode("");
  ASSERT_TRUE(single.has_value());
  EXPECT_TRUE(single->with_nulls);
  EXPECT_FALSE(KeyRange::Decode("k1;v9:abc-n").has_value());
}

TEST(PgNamesTest, TableNamesAndPartitionNames) {
  auto parse = [](std::string_view text) {
    Result<TableName> n = ParseTableName(text);
    return n ? n->schema + "|" + n->name : "<error>";
  };
  EXPECT_EQ(parse("orders"), "|orders");
  EXPECT_EQ(parse("shop.orders"), "shop|orders");
  EXPECT_EQ(parse("\"My Schema\".\"a.b\"\"c\""), "My Schema|a.b\"c");
  EXPECT_EQ(parse("a.b.c"), "<error>");
  EXPECT_EQ(parse("\"open"), "<error>");
  EXPECT_EQ(parse(""), "<error>");
  // A quoted part is matched exactly (multi-table jobs quote every name they fill in).
  Result<TableName> quoted = ParseTableName("shop_x.x_\"Same\"");
  ASSERT_TRUE(quoted.has_value());
  EXPECT_EQ(quoted->name, "x_Same");
  EXPECT_TRUE(quoted->name_exact);
  EXPECT_FALSE(quoted->schema_exact);
  EXPECT_FALSE(ParseTableName("Same")->name_exact);
  EXPECT_EQ(PartitionTableName("events", "20240101"), "events_p_20240101");
  EXPECT_EQ(PartitionTableName("events", "2024-01-01"), "events_p_2024_01_01");
  EXPECT_EQ(PartitionTableName(std::string(70, 't'), "1").size(), 63u);
}

TEST(PgTypesTest, ReadMappingOfBuiltinsAndFallbacks) {
  auto map = [](uint32_t type_oid, int32_t typmod = -1, char typtype = 'b', char category = 'U') {
    PgType t{type_oid, "t", "declared_t", typtype, category, typmod};
    return MapForRead(t, false);
  };
  EXPECT_EQ(map(oid::kNumeric, ((10 << 16) | 2) + 4)->type, DataType::Decimal(10, 2));
  EXPECT_EQ(map(oid::kNumeric)->type, DataType::Decimal(0, 0));
  // numeric(5,-2) holds 7-digit integers.
  EXPECT_EQ(map(oid::kNumeric, ((5 << 16) | 0x7fe) + 4)->type, DataType::Decimal(7, 0));
  EXPECT_EQ(map(oid::kVarchar, 14)->type.precision, 10);
  EXPECT_EQ(map(oid::kInterval)->select, "{}::text");
  EXPECT_EQ(map(oid::kMoney)->select, "{}::numeric");
  EXPECT_EQ(map(99999, -1, 'b', 'A')->select, "to_json({})");
  EXPECT_EQ(map(99999, -1, 'e', 'E')->wire, Wire::kText);
  Result<ReadMapping> point = map(600, -1, 'b', 'G');
  ASSERT_FALSE(point.has_value());
  EXPECT_NE(point.error().message().find("type 'declared_t' is not supported"), std::string::npos);
  PgType geo{600, "point", "point", 'b', 'G', -1};
  EXPECT_EQ(MapForRead(geo, true)->type.id, TypeId::kString);
}

TEST(PgTypesTest, WritePairs) {
  PgType int4{oid::kInt4, "int4", "integer", 'b', 'N', -1};
  PgType inet{oid::kInet, "inet", "inet", 'b', 'I', -1};
  PgType arr{1007, "_int4", "integer[]", 'b', 'A', -1};
  EXPECT_TRUE(PlanColumnWrite(DataType::Of(TypeId::kInt64), int4).problem.empty());
  EXPECT_EQ(PlanColumnWrite(DataType::Of(TypeId::kString), int4).problem,
            "integer but incoming is string");
  ColumnWrite to_inet = PlanColumnWrite(DataType::Of(TypeId::kString), inet);
  EXPECT_TRUE(to_inet.problem.empty());
  EXPECT_FALSE(to_inet.binary);
  EXPECT_FALSE(PlanColumnWrite(DataType::Of(TypeId::kJson), arr).binary);
  EXPECT_FALSE(PlanColumnWrite(DataType::Of(TypeId::kInt32), arr).problem.empty());
  EXPECT_EQ(PgTypeFor(DataType::Of(TypeId::kUInt64)), "numeric(20,0)");
  EXPECT_EQ(PgTypeFor(DataType::Decimal(65, 30)), "numeric(65,30)");
  EXPECT_EQ(CreatedPgType(DataType::Decimal(65, 30)).typmod, ((65 << 16) | 30) + 4);
}

TEST(PgEncoderTest, ChecksValuesPostgresWouldChange) {
  PgType int2{oid::kInt2, "int2", "smallint", 'b', 'N', -1};
  PgType num{oid::kNumeric, "numeric", "numeric(5,2)", 'b', 'N', ((5 << 16) | 2) + 4};
  PgType time{oid::kTime, "time", "time", 'b', 'D', -1};
  Schema schema{{{"a", DataType::Of(TypeId::kInt64)},
                 {"b", DataType::Decimal(0, 0)},
                 {"c", DataType::Of(TypeId::kTime)}}};
  CopyEncoder encoder(
      {PlanColumnWrite(schema.fields[0].type, int2), PlanColumnWrite(schema.fields[1].type, num),
       PlanColumnWrite(schema.fields[2].type, time)},
      true);
  Batch batch(schema);
  auto add = [&](int64_t a, std::string_view b, int64_t c) {
    batch.columns[0].AppendInt(a);
    batch.columns[1].AppendBytes(b);
    batch.columns[2].AppendInt(c);
  };
  add(7, "123.40", 3600 * kMicrosPerSecond);                 // fits
  add(40000, "1", 0);                                        // too big for smallint
  add(1, "1.005", 0);                                        // numeric(5,2) would round
  add(1, "1234.5", 0);                                       // too many integer digits
  add(1, "1", -1);                                           // negative time
  add(1, "-0.0000000000000000000000000000000000000001", 0);  // would round to zero
  add(1, "-" + std::string(300, '9'), 0);                    // a long value is cut
  std::string out;
  size_t bad = 0;
  std::string why;
  EXPECT_TRUE(encoder.AppendRow(batch, 0, 0, out, bad, why));
  const size_t good_size = out.size();
  EXPECT_FALSE(encoder.AppendRow(batch, 1, 1, out, bad, why));
  EXPECT_EQ(bad, 0u);
  EXPECT_EQ(why, "40000 is out of range for smallint");
  EXPECT_EQ(out.size(), good_size);  // the failed row left nothing behind
  EXPECT_FALSE(encoder.AppendRow(batch, 2, 2, out, bad, why));
  EXPECT_EQ(why, "1.005 would be rounded by numeric(5,2)");
  EXPECT_FALSE(encoder.AppendRow(batch, 3, 3, out, bad, why));
  EXPECT_EQ(why, "1234.5 is out of range for numeric(5,2)");
  EXPECT_FALSE(encoder.AppendRow(batch, 4, 4, out, bad, why));
  EXPECT_EQ(bad, 2u);
  // The reason quotes the value with its sign.
  EXPECT_FALSE(encoder.AppendRow(batch, 5, 5, out, bad, why));
  EXPECT_EQ(why, "-0.0000000000000000000000000000000000000001 would be rounded by numeric(5,2)");
  EXPECT_FALSE(encoder.AppendRow(batch, 6, 6, out, bad, why));
  EXPECT_EQ(why, "-" + std::string(199, '9') + "... (301 bytes) is out of range for numeric(5,2)");
}

TEST(PgTypesTest, TimeIsCreatedAsIntervalAndWrittenInBinary) {
  EXPECT_EQ(PgTypeFor(DataType::Of(TypeId::kTime)), "interval");
  ColumnWrite w =
      PlanColumnWrite(DataType::Of(TypeId::kTime), CreatedPgType(DataType::Of(TypeId::kTime)));
  EXPECT_TRUE(w.problem.empty());
  EXPECT_TRUE(w.binary);
  Schema schema{{{"t", DataType::Of(TypeId::kTime)}}};
  CopyEncoder encoder({w}, true);
  Batch batch(schema);
  batch.columns[0].AppendInt(-(838 * 3600 + 59 * 60 + 59) * kMicrosPerSecond);
  std::string out;
  size_t bad = 0;
  std::string why;
  ASSERT_TRUE(encoder.AppendRow(batch, 0, 0, out, bad, why)) << why;
  // int16 field count, int32 length 16, int64 micros, int32 days 0, int32 months 0.
  ASSERT_EQ(out.size(), 2u + 4 + 16);
  EXPECT_EQ(ReadI32(out.data() + 2), 16);
  EXPECT_EQ(ReadI64(out.data() + 6), -3020399 * kMicrosPerSecond);
  EXPECT_EQ(ReadI32(out.data() + 14), 0);
  EXPECT_EQ(ReadI32(out.data() + 18), 0);
}

TEST(PgCopyDecoderTest, KeepsSpecialValuesForAPostgresTarget) {
  // One tuple: numeric NaN, date -infinity, timestamp infinity.
  std::string msg = std::string("PGCOPY\n\377\r\n\0", 11);
  PutU32(msg, 0);
  PutU32(msg, 0);
  PutI16(msg, 3);
  PutI32(msg, 8);
  PutI16(msg, 0);
  PutI16(msg, 0);
  PutU16(msg, 0xC000);
  PutU16(msg, 0);
  PutI32(msg, 4);
  PutI32(msg, kDateMinusInfinity);
  PutI32(msg, 8);
  PutI64(msg, kTimestampInfinity);
  Schema schema{{{"n", DataType::Decimal(0, 0)},
                 {"d", DataType::Of(TypeId::kDate)},
                 {"ts", DataType::Of(TypeId::kTimestamp)}}};
  const std::vector<Wire> wires = {Wire::kNumeric, Wire::kDate, Wire::kTimestamp};
  Batch kept(schema);
  CopyDecoder keep(wires, SpecialValues::kKeep);
  ASSERT_EQ(*keep.Decode(msg.data(), msg.size(), kept), CopyDecoder::RowResult::kRow);
  EXPECT_EQ(kept.columns[0].GetView(0), "NaN");
  EXPECT_EQ(kept.columns[1].GetInt(0), kDateMinusInfinity);
  EXPECT_EQ(kept.columns[2].GetInt(0), kTimestampInfinity);
  Batch refused(schema);
  CopyDecoder error(wires, SpecialValues::kError);
  ASSERT_EQ(*error.Decode(msg.data(), msg.size(), refused), CopyDecoder::RowResult::kBadValue);
  EXPECT_EQ(error.reason(), "numeric NaN");

  // Encoded again: PostgreSQL's own special values, NaN into any numeric, Infinity not into
  // a numeric(p,s).
  PgType num{oid::kNumeric, "numeric", "numeric", 'b', 'N', -1};
  PgType num52{oid::kNumeric, "numeric", "numeric(5,2)", 'b', 'N', ((5 << 16) | 2) + 4};
  PgType date{oid::kDate, "date", "date", 'b', 'D', -1};
  PgType ts{oid::kTimestamp, "timestamp", "timestamp", 'b', 'D', -1};
  CopyEncoder encoder(
      {PlanColumnWrite(schema.fields[0].type, num52), PlanColumnWrite(schema.fields[1].type, date),
       PlanColumnWrite(schema.fields[2].type, ts)},
      true);
  std::string out;
  size_t bad = 0;
  std::string why;
  ASSERT_TRUE(encoder.AppendRow(kept, 0, 0, out, bad, why)) << why;
  EXPECT_EQ(out.substr(2 + 4 + 8), std::string(msg).substr(19 + 2 + 4 + 8));
  kept.columns[0].Clear();
  kept.columns[0].AppendBytes("Infinity");
  EXPECT_FALSE(encoder.AppendRow(kept, 0, 0, out, bad, why));
  EXPECT_EQ(why, "Infinity cannot be held by numeric(5,2)");
  CopyEncoder unconstrained(
      {PlanColumnWrite(schema.fields[0].type, num), PlanColumnWrite(schema.fields[1].type, date),
       PlanColumnWrite(schema.fields[2].type, ts)},
      true);
  EXPECT_TRUE(unconstrained.AppendRow(kept, 0, 0, out, bad, why)) << why;
}

}  // namespace
}  // namespace sluice::postgres
