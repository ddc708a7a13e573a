#include "connectors/jsonl/jsonl_sink.h"

#include <limits>

#include <gtest/gtest.h>

#include "connectors/file_common/file_test_util.h"
#include "connectors/jsonl/jsonl_source.h"

namespace sluice {
namespace {

using testing::MakeOptions;
using testing::ReadAll;
using testing::ReadFile;
using testing::RecordingRejectSink;
using testing::TempDir;
using testing::WriteAll;
using Rows = std::vector<std::string>;

const std::vector<std::pair<std::string, std::string>> kTypes = {
    {"b", "bool"},    {"i", "int64"},         {"u", "uint64"},     {"f32", "float32"},
    {"f", "float64"}, {"d", "decimal(70,5)"}, {"s", "string"},     {"raw", "bytes"},
    {"day", "date"},  {"t", "time"},          {"ts", "timestamp"}, {"tz", "timestamptz"},
    {"j", "json"},    {"id", "uuid"}};

Schema TypesSchema() {
  Schema schema;
  for (const auto& [name, type] : kTypes)
    schema.fields.push_back({name, *ParseTypeName(type), true});
  return schema;
}

Batch Parse(const Schema& schema, const Rows& rows) {
  Batch b(schema);
  for (const std::string& row : rows) {
    size_t start = 0;
    for (size_t c = 0; c < schema.size(); ++c) {
      size_t bar = row.find('|', start);
      std::string text =
          row.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
      start = bar + 1;
      if (text == "NULL") {
        b.columns[c].AppendNull();
      } else {
        EXPECT_TRUE(ParseAndAppend(text, b.columns[c], TimeZone::Utc()).ok()) << text;
      }
    }
  }
  return b;
}

WriteRequest Request(const Schema& schema, WriteMode mode) {
  WriteRequest req;
  req.run_id = "r1";
  req.mode = mode;
  req.schema = schema;
  return req;
}

const Rows kRows = {
    "true|-9223372036854775808|18446744073709551615|0.1|-0|"
    "-12345678901234567890123456789012345678901234567890123456789012345.12345|"
    "\xF0\x9F\x98\x80 \"q\"\n\\|\x01\xFF|0001-01-01|-838:59:59.5|9999-12-31 23:59:59.999999|"
    "2024-03-01T00:00:00Z|{\"a\":[1,2.5,\"x\"]}|123e4567-e89b-12d3-a456-426614174000",
    "false|0|0|inf|nan|0.00000|||2024-02-29|00:00:00|2024-03-01 00:00:00|1970-01-01T00:00:00Z|[]|"
    "00000000-0000-0000-0000-000000000000",
    "NULL|NULL|NULL|-inf|5e-324|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL"};

TEST(JsonlSinkTest, WritesJsonTypes) {
  TempDir dir;
  const Schema schema = TypesSchema();
  Batch b = Parse(schema, {kRows[0], kRows[2]});
  auto sink = JsonlSink::Make(MakeOptions({{"path", dir / "out.jsonl"}}), ConnectorContext{});
  ASSERT_TRUE(sink.has_value());
  RecordingRejectSink rejects;
  ASSERT_TRUE(WriteAll(**sink, Request(schema, WriteMode::kOverwrite), {&b}, rejects));
  EXPECT_EQ(ReadFile(dir / "out.jsonl"),
            "{\"b\":true,\"i\":-9223372036854775808,\"u\":18446744073709551615,\"f32\":0.1,"
            "\"f\":-0.0,\"d\":\"-12345678901234567890123456789012345678901234567890123456789012345."
            "12345\",\"s\":\"\xF0\x9F\x98\x80 \\\"q\\\"\\n\\\\\",\"raw\":\"Af8=\","
            "\"day\":\"0001-01-01\",\"t\":\"-838:59:59.5\",\"ts\":\"9999-12-31 23:59:59.999999\","
            "\"tz\":\"2024-03-01T00:00:00Z\",\"j\":{\"a\":[1,2.5,\"x\"]},"
            "\"id\":\"123e4567-e89b-12d3-a456-426614174000\"}\n"
            "{\"b\":null,\"i\":null,\"u\":null,\"f32\":\"-Infinity\",\"f\":5e-324,\"d\":null,"
            "\"s\":null,\"raw\":null,\"day\":null,\"t\":null,\"ts\":null,\"tz\":null,\"j\":null,"
            "\"id\":null}\n");
}

TEST(JsonlSinkTest, DecimalAsNumberAndBadOption) {
  TempDir dir;
  Schema schema;
  schema.fields.push_back({"d", DataType::Decimal(10, 2), true});
  Batch b(schema);
  b.columns[0].AppendBytes("-1.50");
  auto sink = JsonlSink::Make(MakeOptions({{"path", dir / "o.jsonl"}, {"decimal_as", "number"}}),
                              ConnectorContext{});
  ASSERT_TRUE(sink.has_value());
  RecordingRejectSink rejects;
  ASSERT_TRUE(WriteAll(**sink, Request(schema, WriteMode::kAppend), {&b}, rejects));
  EXPECT_EQ(ReadFile(dir / "o.jsonl"), "{\"d\":-1.50}\n");
  EXPECT_FALSE(
      JsonlSink::Make(MakeOptions({{"path", "x"}, {"decimal_as", "float"}}), ConnectorContext{}));
  auto upsert = (*sink)->Prepare(Request(schema, WriteMode::kUpsert));
  ASSERT_FALSE(upsert.has_value());
  EXPECT_EQ(upsert.error().message(),
            "jsonl target does not support write_mode upsert (supported: append, overwrite)");
}

TEST(JsonlSinkTest, RoundTripsEveryTypeThroughTheSource) {
  TempDir dir;
  const std::string path = dir / "rt.jsonl";
  const Schema schema = TypesSchema();
  Batch b = Parse(schema, kRows);
  auto sink =
      JsonlSink::Make(MakeOptions({{"path", path}, {"bytes_encoding", "hex"}}), ConnectorContext{});
  ASSERT_TRUE(sink.has_value());
  RecordingRejectSink rejects;
  ASSERT_TRUE(WriteAll(**sink, Request(schema, WriteMode::kOverwrite), {&b}, rejects));
  auto source = JsonlSource::Make(MakeOptions({{"path", path}, {"bytes_encoding", "hex"}}, kTypes),
                                  ConnectorContext{});
  ASSERT_TRUE(source.has_value());
  auto rows = ReadAll(**source, rejects);
  ASSERT_TRUE(rows.has_value()) << rows.error().message();
  ASSERT_TRUE(rejects.reasons.empty()) << rejects.reasons[0];
  EXPECT_EQ(*rows, kRows);
}

}  // namespace
}  // namespace sluice
