// PostgreSQL -> SQLite -> PostgreSQL through the connectors' own sources and sinks: every value
// of the common types must come back unchanged (floats bit for bit, decimals digit for digit,
// instants as instants).
#include <filesystem>

#include <gtest/gtest.h>

#include "connectors/postgres/pg_testing.h"
#include "connectors/sqlite/sqlite_sink.h"
#include "connectors/sqlite/sqlite_source.h"

namespace sluice::postgres {
namespace {

using testing::DbUrl;
using testing::RawConn;

TEST(PgCrossTest, RoundTripThroughSqlite) {
  RawConn db(DbUrl());
  db.Exec(R"sql(
    CREATE TABLE cross_src (id bigint PRIMARY KEY, b bool, i2 smallint, n numeric(30,10),
      big numeric(20,0), f4 real, f8 double precision, t text, by bytea, d date, tm time,
      ts timestamp, tstz timestamptz, u uuid, jb jsonb);
    INSERT INTO cross_src VALUES
      (1, true, -32768, '-12345678901234567890.0123456789', '18446744073709551615', '3.4028235e38',
       '0.1', E'4-byte \U0001F600 and \u00e9', '\x00010200'::bytea, '1999-12-31', '23:59:59.999999',
       '2038-01-19 03:14:07.654321', '2024-02-29 23:59:59.5+08', gen_random_uuid(),
       '{"a": [1, 2.50, null]}'),
      (2, false, 0, '0.0000000001', '0', '-0', '-0', '', ''::bytea, '1970-01-01', '00:00:00',
       '1969-12-31 23:59:59.999999', '1900-01-01 00:00:00+00', NULL, 'null'),
      (3, NULL, NULL, NULL, NULL, 'NaN', 'Infinity', NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL),
      (4, NULL, NULL, '1.5', NULL, '-Infinity', '4.9406564584124654e-324', 'x', NULL, NULL,
       NULL, NULL, NULL, NULL, NULL);
  )sql");
  const std::string file =
      (std::filesystem::temp_directory_path() / fmt::format("pg_cross_{}.db", getpid())).string();
  std::filesystem::remove(file);

  testing::CollectingRejects rejects;
  auto pg_source = testing::MakeSource({{"table", "cross_src"}});
  ASSERT_TRUE(pg_source->Open(ReadRequest{}).ok());
  std::vector<Batch> from_pg = testing::ReadAll(*pg_source, rejects);

  sqlite::SqliteConfig lite;
  lite.path = file;
  lite.table = "cross";
  sqlite::SqliteSink lite_sink(lite);
  Status st = testing::WriteAll(lite_sink, testing::Request(pg_source->schema()), from_pg, rejects);
  ASSERT_TRUE(st.ok()) << st.ToString();

  sqlite::SqliteSource lite_source(lite, TimeZone::Utc());
  ASSERT_TRUE(lite_source.Open(ReadRequest{}).ok());
  EXPECT_EQ(lite_source.schema().ToString(), pg_source->schema().ToString());
  std::vector<Batch> from_lite = testing::ReadAll(lite_source, rejects);

  auto pg_sink = testing::MakeSink(testing::MakeOptions({{"table", "cross_back"}}));
  st = testing::WriteAll(*pg_sink,
                         testing::Request(lite_source.schema(), WriteMode::kAppend, {"id"}),
                         from_lite, rejects);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(rejects.reasons.empty());
  std::filesystem::remove(file);

  EXPECT_EQ(db.Value("SELECT count(*) FROM cross_back"), "4");
  for (const char* column :
       {"b", "i2", "n", "big", "t", "by", "d", "tm", "ts", "tstz", "u", "jb"}) {
    EXPECT_EQ(db.Value(fmt::format("SELECT count(*) FROM cross_src a JOIN cross_back c USING (id) "
                                   "WHERE a.{0}::text IS DISTINCT FROM c.{0}::text",
                                   column)),
              "0")
        << column;
  }
  EXPECT_EQ(db.Value("SELECT count(*) FROM cross_src a JOIN cross_back c USING (id) WHERE "
                     "float4send(a.f4) IS DISTINCT FROM float4send(c.f4) OR "
                     "float8send(a.f8) IS DISTINCT FROM float8send(c.f8)"),
            "0");
}

}  // namespace
}  // namespace sluice::postgres
