// Round trips through the real Source and Sink: every type MySQL -> MySQL (into the same DDL
// and into a table sluice creates), MySQL -> SQLite -> MySQL, and random doubles and floats
// bit for bit.
#include <bit>
#include <cmath>
#include <filesystem>
#include <random>

#include <gtest/gtest.h>

#include "connectors/mysql/mysql_test_util.h"
#include "connectors/sqlite/sqlite_connector.h"

namespace sluice::mysql {
namespace {

using testing::MakeOptions;
using testing::MakeSink;
using testing::MakeSource;
using testing::ReadAllRows;
using testing::RecordingRejects;
using testing::Request;
using testing::TestDatabase;

constexpr const char* kTypesDdl =
    "(id INT PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, su SMALLINT UNSIGNED, "
    "mi MEDIUMINT, mu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT, bu BIGINT UNSIGNED, "
    "d65 DECIMAL(65,30), d52 DECIMAL(5,2), f FLOAT, d DOUBLE, b BIT(64), bo BOOLEAN, dt DATE, "
    "dtm DATETIME(6), ts TIMESTAMP(6) NULL, tm TIME(6), y YEAR, c CHAR(5), vc VARCHAR(50), "
    "tx TEXT, bn BINARY(4), vb VARBINARY(10), bl LONGBLOB, e ENUM('a','b'), st SET('x','y'), "
    "j JSON, u UUID)";

void FillTypes(TestDatabase& db, const std::string& table) {
  db.Exec("CREATE TABLE " + table + " " + kTypesDdl);
  db.Exec("INSERT INTO " + table +
          " VALUES (1, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295, "
          "-9223372036854775808, 18446744073709551615, "
          "'-99999999999999999999999999999999999.999999999999999999999999999999', -999.99, "
          "-1.1754943508222875e-38, 4.9e-324, b'1111111111111111111111111111111111111111111111111"
          "111111111111111', TRUE, '1000-01-01', '9999-12-31 23:59:59.999999', "
          "'2038-01-19 03:14:07.999999', '-838:59:59.000000', 2155, 'ab', "
          "'\xF0\x9F\x98\x80 \xF0\x9D\x84\x9E \xC3\xBC', 'tab\\there\\nnl\\\\ \\\\N', X'00FF0000', "
          "X'000A0D5C09', X'00005C4E', 'b', 'x,y', '{\"a\": [1, 2]}', "
          "'6155be21-e8bd-11f1-b5fc-02fc00000001')");
  db.Exec("INSERT INTO " + table + " (id) VALUES (2)");
  db.Exec("INSERT INTO " + table +
          " VALUES (3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.000000000000000000000000000001, 0, "
          "3.4028234663852886e38, -1.7976931348623157e308, b'0', FALSE, '2024-02-29', "
          "'1970-01-01 00:00:00', '1970-01-01 00:00:01', '838:59:59.999999', 1901, '', '', '', "
          "'', '', '', 'a', '', '[]', '00000000-0000-0000-0000-000000000000')");
}

std::unique_ptr<Source> OpenSource(const Options& options, int max_splits = 1) {
  std::unique_ptr<Source> source = MakeSource(options);
  ReadRequest request;
  request.max_splits = max_splits;
  Status st = source->Open(request);
  EXPECT_TRUE(st.ok()) << st.message();
  return source;
}

std::vector<std::string> ReadRows(Source& source) {
  RecordingRejects rejects;
  Result<std::vector<std::string>> rows = ReadAllRows(source, rejects);
  EXPECT_TRUE(rows.has_value()) << rows.error().message();
  EXPECT_TRUE(rejects.reasons.empty());
  return rows ? *rows : std::vector<std::string>{};
}

// Every batch of every split of `source` into `sink`, as the engine would.
Status Copy(Source& source, sluice::Sink& sink, WriteMode mode, std::vector<std::string> key,
            const std::string& run_id = "copy") {
  RecordingRejects rejects;
  SLUICE_RETURN_IF_ERROR(sink.Prepare(Request(source.schema(), mode, std::move(key), run_id)));
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<SinkWriter> writer, sink.OpenWriter());
  SLUICE_ASSIGN_OR_RETURN(std::vector<Split> splits, source.PlanSplits());
  for (const Split& split : splits) {
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<SplitReader> reader, source.OpenSplit(split));
    Batch batch(source.schema());
    while (true) {
      batch.Clear();
      SLUICE_ASSIGN_OR_RETURN(bool more, reader->Next(batch, rejects));
      SLUICE_RETURN_IF_ERROR(writer->Write(batch, rejects));
      if (!more) break;
    }
  }
  SLUICE_RETURN_IF_ERROR(writer->Finish());
  if (!rejects.reasons.empty()) return Status::DataError("rejected: {}", rejects.reasons[0]);
  return sink.Commit();
}

TEST(MysqlRoundTripTest, EveryTypeToTheSameDdlAndToACreatedTable) {
  TestDatabase db;
  FillTypes(db, "src");
  auto source = OpenSource(MakeOptions({{"url", db.Url()}, {"table", "src"}}), 2);
  const std::vector<std::string> want = ReadRows(*source);
  ASSERT_EQ(want.size(), 3u);

  db.Exec("CREATE TABLE same LIKE src");
  auto same = MakeSink(MakeOptions({{"url", db.Url()}, {"table", "same"}}));
  Status st = Copy(*source, *same, WriteMode::kAppend, {"id"}, "r1");
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(ReadRows(*OpenSource(MakeOptions({{"url", db.Url()}, {"table", "same"}}))), want);

  auto created = MakeSink(MakeOptions({{"url", db.Url()}, {"table", "created"}}));
  st = Copy(*source, *created, WriteMode::kAppend, {"id"}, "r2");
  ASSERT_TRUE(st.ok()) << st.message();
  // A created table keeps every value; TIMESTAMP becomes DATETIME(6) holding UTC wall-clock
  // time (TIMESTAMP ends in 2038), so reading it as an instant in UTC gives the same values.
  auto back =
      OpenSource(MakeOptions({{"url", db.Url()}, {"table", "created"}, {"time_zone", "UTC"}}));
  std::vector<std::string> got = ReadRows(*back);
  std::vector<std::string> want_created = want;
  for (std::string* row : {&want_created[0], &want_created[2]}) {
    // dtm is DATETIME in both; read here as an instant in UTC.
    for (auto [from, to] : std::vector<std::pair<std::string, std::string>>{
             {"|9999-12-31 23:59:59.999999|", "|9999-12-31T23:59:59.999999Z|"},
             {"|1970-01-01 00:00:00|", "|1970-01-01T00:00:00Z|"}}) {
      size_t at = row->find(from);
      if (at != std::string::npos) row->replace(at, from.size(), to);
    }
  }
  EXPECT_EQ(got, want_created);
  EXPECT_EQ(db.Value("SELECT GROUP_CONCAT(COLUMN_TYPE ORDER BY ORDINAL_POSITION) FROM "
                     "information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND "
                     "TABLE_NAME = 'created'"),
            "int(11),tinyint(4),tinyint(3) unsigned,smallint(6),smallint(5) unsigned,int(11),"
            "int(10) unsigned,int(11),int(10) unsigned,bigint(20),bigint(20) unsigned,"
            "decimal(65,30),decimal(5,2),float,double,bigint(20) unsigned,tinyint(4),date,"
            "datetime(6),datetime(6),time(6),smallint(6),varchar(5),varchar(50),longtext,"
            "varbinary(4),varbinary(10),longblob,longtext,longtext,longtext,char(36)");
}

TEST(MysqlRoundTripTest, ThroughSqliteAndBack) {
  TestDatabase db;
  FillTypes(db, "src");
  const std::string file = (std::filesystem::temp_directory_path() / (db.name() + ".db")).string();
  std::filesystem::remove(file);
  auto source = OpenSource(MakeOptions({{"url", db.Url()}, {"table", "src"}}));
  const std::vector<std::string> want = ReadRows(*source);

  ConnectorInfo sqlite = MakeSqliteConnectorInfo();
  auto to_sqlite = sqlite.make_sink(MakeOptions({{"path", file}, {"table", "t"}}), {});
  ASSERT_TRUE(to_sqlite.has_value());
  Status st = Copy(*source, **to_sqlite, WriteMode::kAppend, {"id"});
  ASSERT_TRUE(st.ok()) << st.message();

  auto from_sqlite = sqlite.make_source(MakeOptions({{"path", file}, {"table", "t"}}), {});
  ASSERT_TRUE(from_sqlite.has_value());
  ASSERT_TRUE((*from_sqlite)->Open({}).ok());
  db.Exec("CREATE TABLE back LIKE src");
  auto to_mysql = MakeSink(MakeOptions({{"url", db.Url()}, {"table", "back"}}));
  st = Copy(**from_sqlite, *to_mysql, WriteMode::kAppend, {"id"});
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(ReadRows(*OpenSource(MakeOptions({{"url", db.Url()}, {"table", "back"}}))), want);
  std::filesystem::remove(file);
}

// Random bit patterns (every finite double but -0, which MariaDB stores as 0) survive a read
// from literals and a write through LOAD DATA, bit for bit; floats likewise.
TEST(MysqlRoundTripTest, RandomDoublesAndFloatsAreBitExact) {
  TestDatabase db;
  std::mt19937_64 rng(20240301);
  std::vector<double> doubles;
  std::vector<float> floats;
  while (doubles.size() < 3000) {
    double d = std::bit_cast<double>(rng());
    float f = std::bit_cast<float>(static_cast<uint32_t>(rng()));
    if (!std::isfinite(d) || !std::isfinite(f) || (std::signbit(d) && d == 0) ||
        (std::signbit(f) && f == 0)) {
      continue;
    }
    doubles.push_back(d);
    floats.push_back(f);
  }
  db.Exec("CREATE TABLE nums (id INT PRIMARY KEY, d DOUBLE, f FLOAT)");
  std::string values;
  for (size_t i = 0; i < doubles.size(); ++i) {
    std::string d, f;
    FormatDouble(doubles[i], d);
    FormatDouble(static_cast<double>(floats[i]), f);
    values += fmt::format("{}({}, {}, {})", i ? "," : "", i, d, f);
  }
  db.Exec("INSERT INTO nums VALUES " + values);

  auto check = [&](const std::string& table) {
    auto source = OpenSource(MakeOptions({{"url", db.Url()}, {"table", table}}), 3);
    Result<std::vector<Split>> splits = source->PlanSplits();
    ASSERT_TRUE(splits.has_value());
    size_t seen = 0;
    RecordingRejects rejects;
    for (const Split& split : *splits) {
      auto reader = source->OpenSplit(split);
      ASSERT_TRUE(reader.has_value());
      Batch batch(source->schema());
      bool more = true;
      while (more) {
        batch.Clear();
        Result<bool> next = (*reader)->Next(batch, rejects);
        ASSERT_TRUE(next.has_value()) << next.error().message();
        more = *next;
        for (size_t r = 0; r < batch.num_rows(); ++r, ++seen) {
          const int64_t id = batch.columns[0].GetInt(r);
          EXPECT_EQ(std::bit_cast<uint64_t>(batch.columns[1].GetDouble(r)),
                    std::bit_cast<uint64_t>(doubles[id]))
              << table << " row " << id;
          EXPECT_EQ(std::bit_cast<uint32_t>(static_cast<float>(batch.columns[2].GetDouble(r))),
                    std::bit_cast<uint32_t>(floats[id]))
              << table << " row " << id;
        }
      }
    }
    EXPECT_EQ(seen, doubles.size());
  };
  check("nums");
  db.Exec("CREATE TABLE copied LIKE nums");
  auto source = OpenSource(MakeOptions({{"url", db.Url()}, {"table", "nums"}}), 2);
  auto sink = MakeSink(MakeOptions({{"url", db.Url()}, {"table", "copied"}}));
  Status st = Copy(*source, *sink, WriteMode::kAppend, {"id"});
  ASSERT_TRUE(st.ok()) << st.message();
  check("copied");
}

}  // namespace
}  // namespace sluice::mysql
