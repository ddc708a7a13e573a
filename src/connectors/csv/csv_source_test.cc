#include "connectors/csv/csv_source.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "connectors/csv/csv_split_reader.h"
#include "connectors/file_common/file_test_util.h"

namespace sluice {
namespace {

using testing::MakeOptions;
using testing::ReadAll;
using testing::RecordingRejectSink;
using testing::TempDir;
using testing::WriteFile;
using Rows = std::vector<std::string>;

std::unique_ptr<Source> MakeSource(const Options& options, const TimeZone& zone = TimeZone::Utc()) {
  ConnectorContext ctx;
  ctx.zone = zone;
  auto source = CsvSource::Make(options, ctx);
  EXPECT_TRUE(source.has_value()) << source.error().message();
  return std::move(*source);
}

TEST(CsvSourceTest, ReadsHeaderNamedStringColumns) {
  TempDir dir;
  WriteFile(dir / "a.csv", "id,name\n1,alice\n2,\"bob, jr\"\n");
  auto source = MakeSource(MakeOptions({{"path", dir / "a.csv"}}));
  RecordingRejectSink rejects;
  auto rows = ReadAll(*source, rejects);
  ASSERT_TRUE(rows.has_value()) << rows.error().message();
  EXPECT_EQ(*rows, (Rows{"1|alice", "2|bob, jr"}));
  EXPECT_EQ(source->schema().ToString(), "id string, name string");
  EXPECT_EQ(source->Describe(), "csv:" + (dir / "a.csv"));
}

TEST(CsvSourceTest, QuotingEmbeddedNewlinesCrlfAndMissingFinalNewline) {
  TempDir dir;
  WriteFile(dir / "a.csv", "id,text\r\n1,\"multi\r\nline\"\r\n2,\"say \"\"hi\"\"\"\r\n3,last");
  auto source = MakeSource(MakeOptions({{"path", dir / "a.csv"}}, {{"id", "int32"}}));
  RecordingRejectSink rejects;
  auto rows = ReadAll(*source, rejects);
  ASSERT_TRUE(rows.has_value()) << rows.error().message();
  EXPECT_EQ(*rows, (Rows{"1|multi\r\nline", "2|say \"hi\"", "3|last"}));
  EXPECT_TRUE(rejects.reasons.empty());
}

TEST(CsvSourceTest, NullVersusEmptyString) {
  TempDir dir;
  WriteFile(dir / "a.csv", "a,b,n\n,\"\",\n\"\",x,\"\"\n");
  auto source = MakeSource(MakeOptions({{"path", dir / "a.csv"}}, {{"n", "int64"}}));
  RecordingRejectSink rejects;
  auto rows = ReadAll(*source, rejects);
  ASSERT_TRUE(rows.has_value()) << rows.error().message();
  // Unquoted empty = NULL, quoted empty = "" for strings; an empty number is NULL either way.
  EXPECT_EQ(*rows, (Rows{"NULL||NULL", "|x|NULL"}));
}

TEST(CsvSourceTest, CustomNullMarkerDelimiterAndQuote) {
  TempDir dir;
  WriteFile(dir / "a.csv", "a;b\n\\N;'x;y'\n;'\\N'\n");
  auto source = MakeSource(MakeOptions(
      {{"path", dir / "a.csv"}, {"delimiter", ";"}, {"quote", "'"}, {"null_marker", "\\N"}}));
  RecordingRejectSink rejects;
  auto rows = ReadAll(*source, rejects);
  ASSERT_TRUE(rows.has_value()) << rows.error().message();
  EXPECT_EQ(*rows, (Rows{"NULL|x;y", "|\\N"}));
}

TEST(CsvSourceTest, WrongFieldCountIsRejectedWithFileAndLine) {
  TempDir dir;
  const std::string file = dir / "a.csv";
  WriteFile(file, "a,b\n1,2\n\"multi\nline\",3\n4\n5,6,7\n8,9\n");
  auto source = MakeSource(MakeOptions({{"path", file}}));
  RecordingRejectSink rejects;
  auto rows = ReadAll(*source, rejects);
  ASSERT_TRUE(rows.has_value()) << rows.error().message();
  EXPECT_EQ(*rows, (Rows{"1|2", "multi\nline|3", "8|9"}));
  ASSERT_EQ(rejects.reasons.size(), 2u);
  EXPECT_EQ(rejects.reasons[0], file + ":5: expected 2 fields, found 1");
  EXPECT_EQ(rejects.reasons[1], file + ":6: expected 2 fields, found 3");
  EXPECT_EQ(rejects.rows[1], "5,6,7");
  EXPECT_EQ(rejects.stages[0], "source");
}

TEST(CsvSourceTest, TypeErrorsAreRejectedWithColumnName) {
  TempDir dir;
  const std::string file = dir / "a.csv";
  WriteFile(file,
            "id,price,day,name\n1,1.50,2024-02-29,a\n2x,1,2024-01-01,b\n3,9.999,2024-01-01,"
            "c\n4,2,2023-02-29,d\n5,3,2024-03-01,e\n");
  auto source = MakeSource(
      MakeOptions({{"path", file}}, {{"id", "int32"}, {"price", "decimal(5,2)"}, {"day", "date"}}));
  RecordingRejectSink rejects;
  auto rows = ReadAll(*source, rejects);
  ASSERT_TRUE(rows.has_value()) << rows.error().message();
  EXPECT_EQ(*rows, (Rows{"1|1.50|2024-02-29|a", "5|3.00|2024-03-01|e"}));
  ASSERT_EQ(rejects.reasons.size(), 3u);
  EXPECT_EQ(rejects.reasons[0], file + ":3: column 'id': '2x' is not a valid int32");
  EXPECT_EQ(rejects.reasons[1],
            file + ":4: column 'price': '9.999' has more than 2 digits after the point");
  EXPECT_EQ(rejects.reasons[2],
            file + ":5: column 'day': '2023-02-29' is not a valid date (expected YYYY-MM-DD)");
  EXPECT_EQ(rejects.rows[0], "2x,1,2024-01-01,b");
  EXPECT_EQ(source->schema().ToString(), "id int32, price decimal(5,2), day date, name string");
}

TEST(CsvSourceTest, RejectLimitStopsTheRead) {
  TempDir dir;
  WriteFile(dir / "a.csv", "n\nx\ny\n1\n");
  auto source = MakeSource(MakeOptions({{"path", dir / "a.csv"}}, {{"n", "int64"}}));
  RecordingRejectSink rejects(/*limit=*/0);
  auto rows = ReadAll(*source, rejects);
  ASSERT_FALSE(rows.has_value());
  EXPECT_EQ(rows.error().code(), StatusCode::kLimitExceeded);
}

TEST(CsvSourceTest, DirectoryAndGlobGiveOneSplitPerFileAndMatchHeadersByName) {
  TempDir dir;
  WriteFile(dir / "in/2.csv", "b,a\nB2,A2\n");
  WriteFile(dir / "in/1.csv", "a,b\nA1,B1\n");
  WriteFile(dir / "in/notes.txt", "a,b\nT,T\n");
  WriteFile(dir / "in/.hidden.csv", "a,b\nH,H\n");
  {
    auto source = MakeSource(MakeOptions({{"path", dir / "in"}}));
    RecordingRejectSink rejects;
    auto rows = ReadAll(*source, rejects);
    ASSERT_TRUE(rows.has_value()) << rows.error().message();
    EXPECT_EQ(*rows, (Rows{"A1|B1", "A2|B2", "T|T"}));
    EXPECT_EQ(source->PlanSplits()->size(), 3u);
  }
  {
    auto source = MakeSource(MakeOptions({{"path", dir / "in/*.csv"}}));
    RecordingRejectSink rejects;
    auto rows = ReadAll(*source, rejects);
    ASSERT_TRUE(rows.has_value()) << rows.error().message();
    EXPECT_EQ(*rows, (Rows{"A1|B1", "A2|B2"}));
    auto splits = source->PlanSplits();
    ASSERT_EQ(splits->size(), 2u);
    EXPECT_EQ((*splits)[1].description, dir / "in/2.csv");
  }
  {
    auto source = MakeSource(MakeOptions({{"path", dir / "in/*.tsv"}}));
    auto st = source->Open(ReadRequest{});
    EXPECT_EQ(st.code(), StatusCode::kNotFound);
    EXPECT_EQ(st.message(), "no input files match '" + (dir / "in/*.tsv") + "'");
  }
}

TEST(CsvSourceTest, ColumnSelectionReordersAndReportsMissingColumns) {
  TempDir dir;
  const std::string file = dir / "a.csv";
  WriteFile(file, "id,name,age\n1,ann,30\n");
  auto source = MakeSource(MakeOptions({{"path", file}}, {{"age", "int8"}}));
  RecordingRejectSink rejects;
  ReadRequest request;
  request.columns = {"age", "ID"};
  auto rows = ReadAll(*source, rejects, request);
  ASSERT_TRUE(rows.has_value()) << rows.error().message();
  EXPECT_EQ(*rows, (Rows{"30|1"}));
  EXPECT_EQ(source->schema().ToString(), "age int8, id string");

  auto other = MakeSource(MakeOptions({{"path", file}}));
  request.columns = {"id", "email"};
  Status st = other->Open(request);
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_EQ(st.message(), "column 'email' not found in " + file + " (columns: id, name, age)");
}

TEST(CsvSourceTest, LaterFileMissingAColumnIsAnError) {
  TempDir dir;
  WriteFile(dir / "1.csv", "a,b\n1,2\n");
  WriteFile(dir / "2.csv", "a\n3\n");
  auto source = MakeSource(MakeOptions({{"path", dir.path()}}));
  RecordingRejectSink rejects;
  auto rows = ReadAll(*source, rejects);
  ASSERT_FALSE(rows.has_value());
  EXPECT_EQ(rows.error().message(),
            "column 'b' is not in the header of " + (dir / "2.csv") + " (columns: a)");
}

TEST(CsvSourceTest, NoHeader) {
  TempDir dir;
  WriteFile(dir / "a.csv", "1,x\n2,y\n");
  auto plain = MakeSource(MakeOptions({{"path", dir / "a.csv"}, {"header", "false"}}));
  RecordingRejectSink rejects;
  auto rows = ReadAll(*plain, rejects);
  ASSERT_TRUE(rows.has_value());
  EXPECT_EQ(*rows, (Rows{"1|x", "2|y"}));
  EXPECT_EQ(plain->schema().ToString(), "c1 string, c2 string");

  auto typed = MakeSource(MakeOptions({{"path", dir / "a.csv"}, {"header", "false"}},
                                      {{"n", "uint8"}, {"s", "string"}}));
  rows = ReadAll(*typed, rejects);
  ASSERT_TRUE(rows.has_value());
  EXPECT_EQ(*rows, (Rows{"1|x", "2|y"}));
  EXPECT_EQ(typed->schema().ToString(), "n uint8, s string");
}

TEST(CsvSourceTest, UnsupportedRequestsAreClearErrors) {
  TempDir dir;
  WriteFile(dir / "a.csv", "a\n1\n");
  auto source = MakeSource(MakeOptions({{"path", dir / "a.csv"}}));
  ReadRequest request;
  request.where = "a > 1";
  EXPECT_EQ(source->Open(request).message(),
            "csv source does not support 'where'; use a filter transform");
  request.where.clear();
  request.incremental = WatermarkRange{"a", std::nullopt, "5"};
  EXPECT_EQ(source->Open(request).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(source->MaxValue("a").has_value());
}

TEST(CsvSourceTest, BadOptionsAreRejectedAtCreation) {
  ConnectorContext ctx;
  EXPECT_FALSE(CsvSource::Make(MakeOptions({{"path", "x"}, {"delimiter", ";;"}}), ctx));
  EXPECT_FALSE(CsvSource::Make(MakeOptions({{"path", "x"}, {"bytes_encoding", "b32"}}), ctx));
  EXPECT_FALSE(CsvSource::Make(MakeOptions({{"path", "x"}, {"encoding", "latin1"}}), ctx));
  EXPECT_FALSE(CsvSource::Make(MakeOptions({{"path", "x"}}, {{"a", "intt"}}), ctx));
  auto r = CsvSource::Make(MakeOptions({{"path", "x"}, {"delimiter", "tab"}}), ctx);
  EXPECT_TRUE(r.has_value());
}

TEST(CsvSourceTest, TypedValuesBomUnicodeAndTimeZone) {
  TempDir dir;
  WriteFile(dir / "a.csv",
            "\xEF\xBB\xBFname,at,blob,ok\n"
            "\xF0\x9F\x98\x80 emoji,2024-03-01 08:00:00,aGk=,yes\n"
            "\xE4\xB8\xAD\xE6\x96\x87,2024-03-01T00:00:00Z,,0\n");
  auto shanghai = TimeZone::Load("Asia/Shanghai");
  ASSERT_TRUE(shanghai.has_value());
  auto source = MakeSource(MakeOptions({{"path", dir / "a.csv"}},
                                       {{"at", "timestamptz"}, {"blob", "bytes"}, {"ok", "bool"}}),
                           *shanghai);
  RecordingRejectSink rejects;
  auto rows = ReadAll(*source, rejects);
  ASSERT_TRUE(rows.has_value()) << rows.error().message();
  EXPECT_EQ(*rows, (Rows{"\xF0\x9F\x98\x80 emoji|2024-03-01T00:00:00Z|hi|true",
                         "\xE4\xB8\xAD\xE6\x96\x87|2024-03-01T00:00:00Z|NULL|false"}));
}

TEST(CsvSourceTest, RecordsLargerThanTheBufferAndManyBatches) {
  TempDir dir;
  std::string content = "id,text\n";
  const std::string big(3 << 20, 'x');  // one field of 3 MiB, beyond the 1 MiB buffer
  content += "0,\"" + big + "\"\n";
  for (int i = 1; i <= 25000; ++i) content += std::to_string(i) + ",v" + std::to_string(i) + "\n";
  WriteFile(dir / "a.csv", content);
  auto source = MakeSource(MakeOptions({{"path", dir / "a.csv"}}, {{"id", "int64"}}));
  RecordingRejectSink rejects;
  ReadRequest request;
  request.batch_rows = 1000;
  auto rows = ReadAll(*source, rejects, request);
  ASSERT_TRUE(rows.has_value()) << rows.error().message();
  ASSERT_EQ(rows->size(), 25001u);
  EXPECT_EQ((*rows)[0], "0|" + big);
  EXPECT_EQ((*rows)[25000], "25000|v25000");
  EXPECT_TRUE(rejects.reasons.empty());
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

// Every record boundary, quote pair and CR LF lands on a chunk edge somewhere when the read
// buffer is a few bytes: the rows must be the same as with the normal buffer.
TEST(CsvSplitReaderTest, TinyReadChunksGiveTheSameRows) {
  testing::TempDir dir;
  const std::string file = dir / "a.csv";
  testing::WriteFile(file,
                     "\xEF\xBB\xBFid,text\r\n1,\"a,\"\"b\"\"\r\nc\"\r\n2,\r\n3,\"\"\r\n4,x\ry\n"
                     "bad,\"oops\"z\n5,\"\xF0\x9F\x98\x80\"");
  auto read = [&](size_t chunk) {
    auto plan = std::make_shared<CsvReadPlan>();
    plan->zone = TimeZone::Utc();
    plan->file_schema.fields = {Field{"id", DataType::Of(TypeId::kInt64), true},
                                Field{"text", DataType::Of(TypeId::kString), true}};
    plan->output = plan->file_schema;
    plan->selected = {0, 1};
    plan->limits.rows = 2;
    plan->read_chunk_bytes = chunk;
    CsvSplitReader reader(plan, file);
    testing::RecordingRejectSink rejects;
    std::vector<std::string> rows;
    bool more = true;
    while (more) {
      Batch batch(plan->output);
      auto r = reader.Next(batch, rejects);
      EXPECT_TRUE(r.has_value()) << r.error().message();
      if (!r) break;
      more = *r;
      for (size_t i = 0; i < batch.num_rows(); ++i) rows.push_back(testing::RowText(batch, i));
    }
    for (const std::string& reason : rejects.reasons) rows.push_back("REJECT " + reason);
    return rows;
  };
  const std::vector<std::string> expected = {
      "1|a,\"b\"\r\nc",
      "2|NULL",
      "3|",
      "4|x",
      "REJECT " + file + ":7: expected 2 fields, found 1",
      "5|\xF0\x9F\x98\x80",
      "REJECT " + file + ":8: unexpected character after a closing quote"};
  std::vector<std::string> normal = read(1 << 20);
  // Rejects are listed after rows; compare as sets of lines in their own order.
  std::sort(normal.begin(), normal.end());
  std::vector<std::string> sorted_expected = expected;
  std::sort(sorted_expected.begin(), sorted_expected.end());
  EXPECT_EQ(normal, sorted_expected);
  for (size_t chunk : {1, 2, 3, 5, 7}) {
    std::vector<std::string> rows = read(chunk);
    std::sort(rows.begin(), rows.end());
    EXPECT_EQ(rows, sorted_expected) << "chunk " << chunk;
  }
}

// Wide rows: a batch is cut by settings.batch_bytes long before batch_rows, so memory stays
// bounded and no column's 32-bit offsets come near wrapping; no row is lost at the cuts.
TEST(CsvSourceTest, BatchesOfWideRowsAreCutByBytes) {
  TempDir dir;
  const std::string value(1 << 20, 'x');  // 1 MiB per row
  std::string text = "id,blob\n";
  for (int i = 0; i < 20; ++i) text += std::to_string(i) + "," + value + "\n";
  WriteFile(dir / "a.csv", text);
  auto source = MakeSource(MakeOptions({{"path", dir / "a.csv"}}));
  ReadRequest request;
  request.batch_rows = 10000;
  request.batch_bytes = 4'000'000;
  ASSERT_TRUE(source->Open(request).ok());
  auto splits = source->PlanSplits();
  ASSERT_TRUE(splits.has_value());
  RecordingRejectSink rejects;
  std::vector<size_t> sizes;
  std::vector<std::string> ids;
  for (const Split& split : *splits) {
    auto reader = source->OpenSplit(split);
    ASSERT_TRUE(reader.has_value()) << reader.error().message();
    bool more = true;
    while (more) {
      Batch batch(source->schema());
      auto next = (*reader)->Next(batch, rejects);
      ASSERT_TRUE(next.has_value()) << next.error().message();
      more = *next;
      if (batch.num_rows() > 0) sizes.push_back(batch.num_rows());
      for (size_t r = 0; r < batch.num_rows(); ++r) {
        ids.emplace_back(batch.columns[0].GetView(r));
        EXPECT_EQ(batch.columns[1].GetView(r).size(), value.size());
      }
    }
  }
  ASSERT_EQ(ids.size(), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(ids[static_cast<size_t>(i)], std::to_string(i));
  EXPECT_GE(sizes.size(), 4u);
  for (size_t n : sizes) EXPECT_LE(n, 4u);  // 4 rows of 1 MiB pass 4 MB
}

}  // namespace
}  // namespace sluice
