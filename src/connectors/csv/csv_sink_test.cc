#include "connectors/csv/csv_sink.h"

#include <time.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "connectors/csv/csv_source.h"
#include "connectors/file_common/file_test_util.h"

namespace sluice {
namespace {

using testing::MakeOptions;
using testing::ReadAll;
using testing::ReadFile;
using testing::RecordingRejectSink;
using testing::TempDir;
using testing::WriteAll;
using testing::WriteFile;
using Rows = std::vector<std::string>;

Schema MakeSchema(const std::vector<std::pair<std::string, DataType>>& fields) {
  Schema s;
  for (const auto& [name, type] : fields) s.fields.push_back(Field{name, type, true});
  return s;
}

std::unique_ptr<Sink> MakeSink(const Options& options) {
  auto sink = CsvSink::Make(options, ConnectorContext{});
  EXPECT_TRUE(sink.has_value()) << sink.error().message();
  return std::move(*sink);
}

WriteRequest Request(const Schema& schema, WriteMode mode, const std::string& run_id = "r1") {
  WriteRequest req;
  req.job_name = "test";
  req.run_id = run_id;
  req.mode = mode;
  req.schema = schema;
  return req;
}

// A batch of (id int64, name string) rows.
Batch People(const Schema& schema, int from, int to) {
  Batch b(schema);
  for (int i = from; i < to; ++i) {
    b.columns[0].AppendInt(i);
    b.columns[1].AppendBytes("p" + std::to_string(i));
  }
  return b;
}

const Schema kPeople =
    MakeSchema({{"id", DataType::Of(TypeId::kInt64)}, {"name", DataType::Of(TypeId::kString)}});

TEST(CsvSinkTest, QuotesOnlyWhenNeededAndKeepsNullDistinctFromEmpty) {
  TempDir dir;
  const std::string path = dir / "out.csv";
  Batch b(kPeople);
  const char* names[] = {"plain", "a,b",   "say \"hi\"", "two\nlines",
                         "cr\rx", " lead", "trail ",     ""};
  for (int i = 0; i < 8; ++i) {
    b.columns[0].AppendInt(i);
    b.columns[1].AppendBytes(names[i]);
  }
  b.columns[0].AppendNull();
  b.columns[1].AppendNull();
  auto sink = MakeSink(MakeOptions({{"path", path}}));
  RecordingRejectSink rejects;
  auto st = WriteAll(*sink, Request(kPeople, WriteMode::kOverwrite), {&b}, rejects);
  ASSERT_TRUE(st.has_value()) << st.error().message();
  EXPECT_EQ(ReadFile(path),
            "id,name\n0,plain\n1,\"a,b\"\n2,\"say \"\"hi\"\"\"\n3,\"two\nlines\"\n4,\"cr\rx\"\n"
            "5,\" lead\"\n6,\"trail \"\n7,\"\"\n,\n");
  // And it reads back to the same values, NULL and "" included.
  ConnectorContext ctx;
  auto source = CsvSource::Make(MakeOptions({{"path", path}}, {{"id", "int64"}}), ctx);
  ASSERT_TRUE(source.has_value());
  auto rows = ReadAll(**source, rejects);
  ASSERT_TRUE(rows.has_value()) << rows.error().message();
  Rows expected;
  for (int i = 0; i < 8; ++i) expected.push_back(std::to_string(i) + "|" + names[i]);
  expected.push_back("NULL|NULL");
  EXPECT_EQ(*rows, expected);
}

TEST(CsvSinkTest, EveryTypeRoundTrips) {
  TempDir dir;
  const std::string path = dir / "types.csv";
  const std::vector<std::pair<std::string, std::string>> types = {
      {"b", "bool"},         {"i8", "int8"},     {"i64", "int64"},       {"u64", "uint64"},
      {"f32", "float32"},    {"f64", "float64"}, {"d", "decimal(70,5)"}, {"s", "string"},
      {"raw", "bytes"},      {"day", "date"},    {"t", "time"},          {"ts", "timestamp"},
      {"tz", "timestamptz"}, {"j", "json"},      {"id", "uuid"}};
  Schema schema;
  for (const auto& [name, type] : types)
    schema.fields.push_back({name, *ParseTypeName(type), true});
  const Rows values = {
      "true|-128|-9223372036854775808|18446744073709551615|0.1|1e+308|"
      "-12345678901234567890123456789012345678901234567890123456789012345.12345|"
      "\xF0\x9F\x98\x80,\"q\"|\x01\x02\xFF|0001-01-01|-838:59:59|9999-12-31 23:59:59.999999|"
      "1969-12-31T23:59:59.999999Z|{\"a\":[1,\"x,y\"]}|123e4567-e89b-12d3-a456-426614174000",
      "false|127|9223372036854775807|0|-0|5e-324|0.00000|||2024-02-29|00:00:00.5|"
      "2024-03-01 00:00:00|2024-03-01T00:00:00Z|null|00000000-0000-0000-0000-000000000000"};
  Batch b(schema);
  for (const std::string& row : values) {
    size_t start = 0;
    for (size_t c = 0; c < schema.size(); ++c) {
      size_t bar = row.find('|', start);
      std::string text =
          row.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
      start = bar + 1;
      ASSERT_TRUE(ParseAndAppend(text, b.columns[c], TimeZone::Utc()).ok()) << text;
    }
  }
  auto sink = MakeSink(MakeOptions({{"path", path}, {"bytes_encoding", "hex"}}));
  RecordingRejectSink rejects;
  ASSERT_TRUE(WriteAll(*sink, Request(schema, WriteMode::kOverwrite), {&b}, rejects).has_value());
  auto source = CsvSource::Make(MakeOptions({{"path", path}, {"bytes_encoding", "hex"}}, types),
                                ConnectorContext{});
  ASSERT_TRUE(source.has_value());
  auto rows = ReadAll(**source, rejects);
  ASSERT_TRUE(rows.has_value()) << rows.error().message();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0], values[0]);
  EXPECT_EQ((*rows)[1], values[1]);
  EXPECT_TRUE(rejects.reasons.empty()) << rejects.reasons[0];
}

TEST(CsvSinkTest, OverwriteIsAtomicAndAbortLeavesTheTargetUntouched) {
  TempDir dir;
  const std::string path = dir / "sub/dir/out.csv";
  WriteFile(path, "old content\n");
  auto sink = MakeSink(MakeOptions({{"path", path}}));
  auto state = sink->Prepare(Request(kPeople, WriteMode::kOverwrite, "run7"));
  ASSERT_TRUE(state.has_value()) << state.error().message();
  auto writer = sink->OpenWriter();
  ASSERT_TRUE(writer.has_value());
  Batch b = People(kPeople, 0, 3);
  RecordingRejectSink rejects;
  ASSERT_TRUE((*writer)->Write(b, rejects).ok());
  ASSERT_TRUE((*writer)->Finish().ok());
  EXPECT_TRUE(std::filesystem::exists(path + ".sluice-tmp-run7"));
  EXPECT_EQ(ReadFile(path), "old content\n");  // nothing visible before Commit
  ASSERT_TRUE(sink->Abort().ok());
  EXPECT_FALSE(std::filesystem::exists(path + ".sluice-tmp-run7"));
  EXPECT_EQ(ReadFile(path), "old content\n");

  auto sink2 = MakeSink(MakeOptions({{"path", path}, {"header", "false"}}));
  ASSERT_TRUE(WriteAll(*sink2, Request(kPeople, WriteMode::kOverwrite, "run8"), {&b}, rejects));
  EXPECT_EQ(ReadFile(path), "0,p0\n1,p1\n2,p2\n");
  EXPECT_FALSE(std::filesystem::exists(path + ".sluice-tmp-run8"));
}

TEST(CsvSinkTest, AppendWritesTheHeaderOnlyIntoAnEmptyFile) {
  TempDir dir;
  const std::string path = dir / "log.csv";
  RecordingRejectSink rejects;
  Batch b1 = People(kPeople, 0, 2);
  Batch b2 = People(kPeople, 2, 3);
  auto state = WriteAll(*MakeSink(MakeOptions({{"path", path}})),
                        Request(kPeople, WriteMode::kAppend, "a"), {&b1}, rejects);
  ASSERT_TRUE(state.has_value()) << state.error().message();
  ASSERT_TRUE(WriteAll(*MakeSink(MakeOptions({{"path", path}})),
                       Request(kPeople, WriteMode::kAppend, "b"), {&b2}, rejects));
  EXPECT_EQ(ReadFile(path), "id,name\n0,p0\n1,p1\n2,p2\n");
}

TEST(CsvSinkTest, UnsupportedWriteModesAreRefusedByName) {
  auto sink = MakeSink(MakeOptions({{"path", "/tmp/never.csv"}}));
  auto st = sink->Prepare(Request(kPeople, WriteMode::kUpsert));
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().message(),
            "csv target does not support write_mode upsert (supported: append, overwrite)");
  EXPECT_FALSE(sink->Plan(Request(kPeople, WriteMode::kReplace)).has_value());
  auto plan = sink->Plan(Request(kPeople, WriteMode::kAppend));
  ASSERT_TRUE(plan.has_value());
  EXPECT_FALSE(std::filesystem::exists("/tmp/never.csv"));
}

TEST(CsvSinkTest, FormatsFiveMillionRowsQuickly) {
  const Schema schema = MakeSchema({{"id", DataType::Of(TypeId::kInt64)},
                                    {"name", DataType::Of(TypeId::kString)},
                                    {"price", DataType::Of(TypeId::kFloat64)},
                                    {"qty", DataType::Of(TypeId::kInt32)}});
  Batch b(schema);
  for (int i = 0; i < 10000; ++i) {
    b.columns[0].AppendInt(1'000'000'000LL + i);
    b.columns[1].AppendBytes(i % 7 == 0 ? "name, with comma" : "customer name");
    b.columns[2].AppendDouble(i * 1.37);
    b.columns[3].AppendInt(i % 100);
  }
  CsvRowFormatter formatter(CsvFormat{}, schema);
  std::string out;
  out.reserve(64 << 20);
  size_t bytes = 0;
  // CPU time of this thread: the machine running the tests may be busy with other work.
  const auto cpu_seconds = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  };
  const double start = cpu_seconds();
  for (int k = 0; k < 500; ++k) {  // 500 batches of 10,000 rows
    out.clear();
    formatter.AppendRows(b, out);
    bytes += out.size();
  }
  const double secs = cpu_seconds() - start;
  EXPECT_GT(bytes, 5'000'000u * 20);
  RecordProperty("seconds", std::to_string(secs));
  std::printf("formatted 5M rows x 4 columns in %.3f s of CPU\n", secs);
#ifdef NDEBUG
  EXPECT_LT(secs, 2.0);
#endif
}

}  // namespace
}  // namespace sluice
