#include "connectors/jsonl/jsonl_source.h"

#include <gtest/gtest.h>

#include "connectors/file_common/file_test_util.h"
#include "connectors/jsonl/json_schema_inference.h"

namespace sluice {
namespace {

using testing::MakeOptions;
using testing::ReadAll;
using testing::RecordingRejectSink;
using testing::TempDir;
using testing::WriteFile;
using Rows = std::vector<std::string>;

std::unique_ptr<Source> MakeSource(const Options& options) {
  auto source = JsonlSource::Make(options, ConnectorContext{});
  EXPECT_TRUE(source.has_value()) << source.error().message();
  return std::move(*source);
}

TEST(JsonlSourceTest, InfersTypesAndKeepsBigNumbersExact) {
  TempDir dir;
  WriteFile(
      dir / "a.jsonl",
      R"({"id":1,"name":"a","price":1.5,"ok":true,"tags":["x",{"k":null}],"big":18446744073709551615,"huge":123456789012345678901234567890,"none":null})"
      "\n"
      R"({"id":-2,"name":"b","price":2,"ok":false,"tags":{"a":[1,2.50]},"big":0,"huge":-1})"
      "\n");
  auto source = MakeSource(MakeOptions({{"path", dir / "a.jsonl"}}));
  RecordingRejectSink rejects;
  auto rows = ReadAll(*source, rejects);
  ASSERT_TRUE(rows.has_value()) << rows.error().message();
  EXPECT_EQ(source->schema().ToString(),
            "id int64, name string, price float64, ok bool, tags json, big uint64, huge decimal, "
            "none string");
  EXPECT_EQ(*rows, (Rows{"1|a|1.5|true|[\"x\",{\"k\":null}]|18446744073709551615|"
                         "123456789012345678901234567890|NULL",
                         "-2|b|2|false|{\"a\":[1,2.50]}|0|-1|NULL"}));
  EXPECT_TRUE(rejects.reasons.empty());
}

TEST(JsonlSourceTest, InferenceMixes) {
  JsonSchemaInference inf;
  inf.Add(R"({"a":1,"b":1,"c":"x","d":-1,"e":null,"f":true})");
  inf.Add(R"({"a":2.5,"b":"y","c":"z","d":18446744073709551615,"f":1})");
  inf.Add("not json");
  inf.Add("[1,2]");
  EXPECT_EQ(inf.Result().ToString(),
            "a float64, b string, c string, d decimal, e string, f string");
}

TEST(JsonlSourceTest, DeclaredSchemaMissingKeysAndConversions) {
  TempDir dir;
  WriteFile(
      dir / "a.jsonl",
      "{\"id\":\"7\",\"amount\":12345678901234567890.123456789,\"at\":\"2024-03-01 "
      "08:00:00+08:00\",\"raw\":\"aGk=\",\"doc\":\"text\",\"f\":\"NaN\"}\n"
      "\n"
      "  \r\n"
      "{\"id\":8,\"extra\":{\"skip\":[1,2]},\"f\":\"-Infinity\",\"doc\":{\"a\":\"\\u00e9\"}}\n");
  auto source = MakeSource(MakeOptions({{"path", dir / "a.jsonl"}}, {{"id", "int32"},
                                                                     {"amount", "decimal(40,9)"},
                                                                     {"at", "timestamptz"},
                                                                     {"raw", "bytes"},
                                                                     {"doc", "json"},
                                                                     {"f", "float64"}}));
  RecordingRejectSink rejects;
  auto rows = ReadAll(*source, rejects);
  ASSERT_TRUE(rows.has_value()) << rows.error().message();
  EXPECT_EQ(*rows, (Rows{"7|12345678901234567890.123456789|2024-03-01T00:00:00Z|hi|\"text\"|nan",
                         "8|NULL|NULL|NULL|{\"a\":\"\xC3\xA9\"}|-inf"}));
  EXPECT_TRUE(rejects.reasons.empty()) << rejects.reasons[0];
}

TEST(JsonlSourceTest, BadLinesAreRejectedWithFileLineAndColumn) {
  TempDir dir;
  const std::string file = dir / "a.jsonl";
  WriteFile(file,
            "{\"id\":1}\n"
            "{\"id\":\n"
            "[1,2]\n"
            "{\"id\":\"x\"}\n"
            "{\"id\":3000000000}\n"
            "{\"id\":{\"a\":1}}\n"
            "{\"id\":2}");
  auto source = MakeSource(MakeOptions({{"path", file}}, {{"id", "int32"}}));
  RecordingRejectSink rejects;
  auto rows = ReadAll(*source, rejects);
  ASSERT_TRUE(rows.has_value()) << rows.error().message();
  EXPECT_EQ(*rows, (Rows{"1", "2"}));
  ASSERT_EQ(rejects.reasons.size(), 5u);
  EXPECT_EQ(rejects.reasons[0].rfind(file + ":2: invalid JSON at character 7: syntax error", 0), 0u)
      << rejects.reasons[0];
  EXPECT_EQ(rejects.reasons[1], file + ":3: expected a JSON object, found an array");
  EXPECT_EQ(rejects.reasons[2], file + ":4: column 'id': 'x' is not a valid int32");
  EXPECT_EQ(rejects.reasons[3], file + ":5: column 'id': '3000000000' is out of range for int32");
  EXPECT_EQ(rejects.reasons[4], file + ":6: column 'id': expected int32, found an object");
  EXPECT_EQ(rejects.rows[3], "{\"id\":3000000000}");
}

TEST(JsonlSourceTest, ColumnSelectionAndUnicode) {
  TempDir dir;
  WriteFile(dir / "1.jsonl", "{\"a\":\"\xF0\x9F\x98\x80\",\"b\":1}\n");
  WriteFile(dir / "2.jsonl", "{\"b\":2,\"a\":\"\\ud83d\\ude00 \xE4\xB8\xAD\"}\n");
  auto source = MakeSource(MakeOptions({{"path", dir / "*.jsonl"}}));
  RecordingRejectSink rejects;
  ReadRequest request;
  request.columns = {"b", "a"};
  auto rows = ReadAll(*source, rejects, request);
  ASSERT_TRUE(rows.has_value()) << rows.error().message();
  EXPECT_EQ(*rows, (Rows{"1|\xF0\x9F\x98\x80", "2|\xF0\x9F\x98\x80 \xE4\xB8\xAD"}));
  EXPECT_EQ(source->PlanSplits()->size(), 2u);

  request.columns = {"c"};
  Status st = source->Open(request);
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_EQ(st.message(), "column 'c' not found in " + (dir / "*.jsonl") + " (columns: a, b)");
}

TEST(JsonlSourceTest, NothingToInferFrom) {
  TempDir dir;
  WriteFile(dir / "a.jsonl", "\n[1]\n");
  auto source = MakeSource(MakeOptions({{"path", dir / "a.jsonl"}}));
  Status st = source->Open(ReadRequest{});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  ReadRequest request;
  request.where = "x";
  EXPECT_EQ(source->Open(request).message(),
            "jsonl source does not support 'where'; use a filter transform");
}

}  // namespace
}  // namespace sluice
