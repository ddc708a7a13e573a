// Every sluice type written by the sink into a table it creates, read back by the source:
// values must come back exactly (bits for floats, digits for decimals, bytes for blobs).
#include <bit>
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "connectors/sqlite/sqlite_test_util.h"

namespace sluice::sqlite {
namespace {

using testing::ExecSql;
using testing::QueryRows;
using testing::RecordingRejects;
using testing::TempDir;

// One column per case: writes `values` of `type`, reads them back, compares the columns.
void ExpectRoundTrip(const DataType& type, const std::vector<std::string>& values) {
  SCOPED_TRACE(TypeName(type));
  TempDir dir;
  const std::string db = dir.File("rt.db");
  Schema schema{{Field{"id", DataType::Of(TypeId::kInt64), false}, Field{"v", type, true}}};
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i < values.size(); ++i) rows.push_back({std::to_string(i), values[i]});
  Batch written = testing::MakeBatch(schema, rows);

  SqliteSink sink(testing::Config(db, "t"));
  RecordingRejects rejects;
  Status st = testing::WriteRun(sink, testing::Request(schema, WriteMode::kAppend, {"id"}), written,
                                rejects);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_TRUE(rejects.entries.empty()) << rejects.entries[0].reason;

  SqliteSource source(testing::Config(db, "t"), TimeZone::Utc());
  ReadRequest request;
  ASSERT_TRUE(source.Open(request).ok());
  EXPECT_EQ(source.schema().fields[1].type, type);
  EXPECT_FALSE(source.schema().fields[0].nullable);
  auto splits = source.PlanSplits();
  ASSERT_TRUE(splits.has_value());
  auto reader = source.OpenSplit((*splits)[0]);
  ASSERT_TRUE(reader.has_value());
  Batch read(source.schema());
  Result<bool> more = (*reader)->Next(read, rejects);
  ASSERT_TRUE(more.has_value()) << more.error().ToString();
  ASSERT_TRUE(rejects.entries.empty()) << rejects.entries[0].reason;
  ASSERT_EQ(read.num_rows(), values.size());
  const Column& in = written.columns[1];
  const Column& out = read.columns[1];
  for (size_t r = 0; r < values.size(); ++r) {
    SCOPED_TRACE(values[r]);
    ASSERT_EQ(out.IsNull(r), in.IsNull(r));
    if (in.IsNull(r)) continue;
    if (in.is_var()) {
      EXPECT_EQ(out.GetView(r), in.GetView(r));
    } else {
      EXPECT_EQ(out.GetInt(r), in.GetInt(r));  // the raw slot: bit-exact for floats too
    }
  }
}

TEST(SqliteRoundTripTest, Integers) {
  ExpectRoundTrip(DataType::Of(TypeId::kInt64),
                  {"-9223372036854775808", "9223372036854775807", "0", "NULL", "-1"});
  ExpectRoundTrip(DataType::Of(TypeId::kInt8), {"-128", "127"});
  ExpectRoundTrip(DataType::Of(TypeId::kInt16), {"-32768", "32767"});
  ExpectRoundTrip(DataType::Of(TypeId::kInt32), {"-2147483648", "2147483647"});
  ExpectRoundTrip(DataType::Of(TypeId::kUInt8), {"0", "255"});
  ExpectRoundTrip(DataType::Of(TypeId::kUInt32), {"4294967295"});
  ExpectRoundTrip(DataType::Of(TypeId::kUInt64), {"18446744073709551615", "9223372036854775808",
                                                  "9223372036854775807", "0", "NULL"});
  ExpectRoundTrip(DataType::Of(TypeId::kBool), {"true", "false", "NULL"});
}

TEST(SqliteRoundTripTest, FloatsAreBitExact) {
  ExpectRoundTrip(DataType::Of(TypeId::kFloat64),
                  {"-0", "0", "1e-310", "5e-324", "1.7976931348623157e308", "0.1", "inf", "-inf",
                   "nan", "NULL", "3", "-2.5"});
  ExpectRoundTrip(DataType::Of(TypeId::kFloat32), {"-0", "1.1", "3.4028235e38", "1e-45", "nan"});
}

TEST(SqliteRoundTripTest, DecimalsKeepEveryDigit) {
  ExpectRoundTrip(DataType::Decimal(65, 30),
                  {"12345678901234567890123456789012345.123456789012345678901234567890",
                   "-99999999999999999999999999999999999.999999999999999999999999999999",
                   "0.000000000000000000000000000001", "1.500000000000000000000000000000",
                   "0.000000000000000000000000000000", "NULL"});
  ExpectRoundTrip(DataType::Decimal(10, 2), {"1.50", "-0.05", "12345678.90"});
  ExpectRoundTrip(DataType::Of(TypeId::kDecimal), {"1.50", "123456789012345678901234567890"});
}

TEST(SqliteRoundTripTest, TextAndBytes) {
  ExpectRoundTrip(DataType::Of(TypeId::kString),
                  {"", "NULL", "plain", "4-byte \xF0\x9F\x98\x80 emoji", "quote ' \" ;", "12",
                   "1.50", "line\nbreak"});
  std::string zeros("a\0b\0", 4);
  Schema schema{{Field{"id", DataType::Of(TypeId::kInt64), false},
                 Field{"v", DataType::Of(TypeId::kBytes), true}}};
  // Bytes with NULs cannot go through MakeBatch's text rows; build the column directly.
  TempDir dir;
  const std::string db = dir.File("b.db");
  Batch batch(schema);
  const std::vector<std::string> blobs = {zeros, std::string(), std::string("\xff\x00", 2)};
  for (size_t i = 0; i < blobs.size(); ++i) {
    batch.columns[0].AppendInt(static_cast<int64_t>(i));
    batch.columns[1].AppendBytes(blobs[i]);
  }
  batch.columns[0].AppendInt(3);
  batch.columns[1].AppendNull();
  SqliteSink sink(testing::Config(db, "t"));
  RecordingRejects rejects;
  ASSERT_TRUE(testing::WriteRun(sink, testing::Request(schema), batch, rejects).ok());
  EXPECT_EQ(QueryRows(db, "SELECT typeof(v), length(v) FROM t ORDER BY id"),
            (std::vector<std::string>{"blob|4", "blob|0", "blob|2", "null|NULL"}));
  SqliteSource source(testing::Config(db, "t"), TimeZone::Utc());
  ASSERT_TRUE(source.Open(ReadRequest{}).ok());
  auto reader = source.OpenSplit(Split{});
  ASSERT_TRUE(reader.has_value());
  Batch read(source.schema());
  ASSERT_TRUE((*reader)->Next(read, rejects).has_value());
  ASSERT_EQ(read.num_rows(), 4u);
  for (size_t i = 0; i < blobs.size(); ++i) EXPECT_EQ(read.columns[1].GetView(i), blobs[i]);
  EXPECT_TRUE(read.columns[1].IsNull(3));
}

TEST(SqliteRoundTripTest, DatesAndTimes) {
  ExpectRoundTrip(DataType::Of(TypeId::kDate), {"2024-02-29", "0001-01-01", "9999-12-31", "NULL"});
  ExpectRoundTrip(DataType::Of(TypeId::kTime),
                  {"00:00:00", "23:59:59.999999", "-838:59:59", "838:59:59", "12:00:00.5"});
  ExpectRoundTrip(DataType::Of(TypeId::kTimestamp),
                  {"2024-03-01 08:00:00", "1969-12-31 23:59:59.000001", "0001-01-01 00:00:00",
                   "9999-12-31 23:59:59.999999"});
  ExpectRoundTrip(DataType::Of(TypeId::kTimestampTz),
                  {"2024-03-01T08:00:00Z", "1960-01-01T00:00:00.123456Z", "NULL"});
}

TEST(SqliteRoundTripTest, JsonAndUuid) {
  ExpectRoundTrip(DataType::Of(TypeId::kJson), {"1.50", "{\"a\": [1, 2]}", "\"x\"", "null"});
  ExpectRoundTrip(DataType::Of(TypeId::kUuid),
                  {"123e4567-e89b-12d3-a456-426614174000", "00000000-0000-0000-0000-000000000000"});
}

// What the sink stores, seen by SQLite itself: exact forms other tools can read.
TEST(SqliteRoundTripTest, StorageFormsInTheFile) {
  TempDir dir;
  const std::string db = dir.File("s.db");
  Schema schema{{Field{"d", DataType::Decimal(10, 2), true},
                 Field{"f", DataType::Of(TypeId::kFloat64), true},
                 Field{"u", DataType::Of(TypeId::kUInt64), true},
                 Field{"ts", DataType::Of(TypeId::kTimestampTz), true},
                 Field{"b", DataType::Of(TypeId::kBool), true}}};
  Batch batch = testing::MakeBatch(
      schema, {{"1.50", "-0", "18446744073709551615", "2024-03-01T08:00:00.5Z", "true"}});
  SqliteSink sink(testing::Config(db, "t"));
  RecordingRejects rejects;
  ASSERT_TRUE(testing::WriteRun(sink, testing::Request(schema), batch, rejects).ok());
  EXPECT_EQ(QueryRows(db, "SELECT typeof(d), d, typeof(f), typeof(u), u, ts, typeof(b), b FROM t"),
            (std::vector<std::string>{
                "text|1.50|real|text|18446744073709551615|2024-03-01 08:00:00.5+00:00|integer|1"}));
  // -0.0 kept its sign in the file (a REAL-affinity column would store integer 0).
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, "SELECT f FROM t", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_TRUE(std::signbit(sqlite3_column_double(stmt, 0)));
  sqlite3_finalize(stmt);
  sqlite3_close(raw);
  EXPECT_EQ(QueryRows(db, "SELECT datetime(ts) FROM t"),
            (std::vector<std::string>{"2024-03-01 08:00:00"}));
}

}  // namespace
}  // namespace sluice::sqlite
