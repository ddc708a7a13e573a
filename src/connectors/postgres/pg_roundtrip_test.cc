// Every PostgreSQL type through the sluice source and sink: the values sluice carries are
// checked one by one (canonical text), and a copy into a table of the same definition must
// print identically, row for row and column for column (floats compared bit for bit).
// The test database's default TimeZone is Asia/Shanghai (pg_testing.h).
#include <gtest/gtest.h>

#include "connectors/postgres/pg_testing.h"

namespace sluice::postgres {
namespace {

using testing::Copy;
using testing::DbUrl;
using testing::MakeOptions;
using testing::RawConn;

constexpr const char* kAllTypesDdl = R"sql(
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE TABLE all_types (
  id int PRIMARY KEY,
  b bool, i2 int2, i4 int4, i8 int8, o oid,
  f4 real, f8 double precision,
  n numeric, n102 numeric(10,2), n6530 numeric(65,30), nneg numeric(5,-2),
  t text, vc varchar(10), bp char(5), nm name,
  by bytea,
  d date, tm time, tm3 time(3), ttz timetz,
  ts timestamp, ts0 timestamp(0), tstz timestamptz,
  iv interval, u uuid, j json, jb jsonb,
  ip inet, cd cidr, mac macaddr, bt bit(4), vb varbit,
  ia int[], ta text[], na numeric[], ja jsonb[], i2d int[][],
  e mood, dm posint, m money, x xml
))sql";

constexpr const char* kAllTypesRows = R"sql(
INSERT INTO all_types VALUES
(1, true, -32768, -2147483648, -9223372036854775808, 4294967295,
 '1.17549435e-38', '-1.7976931348623157e308',
 '123456789012345678901234567890.123456789012345678901234567890', '-99999999.99',
 '12345678901234567890123456789012345.123456789012345678901234567890', 9999900,
 E'h\u00e9llo \U0001F600 "q" \\ tab\there\nline', '0123456789', 'ab', 'name',
 '\x00ff00'::bytea,
 '0001-01-01', '00:00:00', '23:59:59.999', '12:34:56.789+05:30',
 '1970-01-01 00:00:00.000001', '9999-12-31 23:59:59', '2024-03-10 01:59:59.999999+00',
 '1 year 2 mons 3 days 04:05:06.789', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
 '{"b": 1,  "a": [1, 2.50]}', '{"z": 1, "a": {"n": null}}',
 '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03', B'1010', B'101',
 '{1,NULL,3}', '{"a b","c,d","e\"f",NULL}', '{1.50,NaN,12345678901234567890.1}',
 ARRAY['{"k": [1]}'::jsonb, NULL], '{{1,2},{3,4}}',
 'happy', 42, '12.34', '<a>b</a>'),
(2, false, 32767, 2147483647, 9223372036854775807, 0,
 '-Infinity', '-0',
 '0.000000000000000000000000000000000001', '0.00', '0', -100,
 '', '', '', '', ''::bytea,
 '4713-11-24 BC', '24:00:00', '00:00:00.001', '00:00:00-12',
 '1900-01-01 00:00:00', '0001-01-01 00:00:00', '1969-12-31 23:59:59.999999+00',
 '-1 days +02:00:00', '00000000-0000-0000-0000-000000000000', '[]', '[]',
 '::1', '::/0', '00:00:00:00:00:00', B'0000', B'',
 '{}', '{}', '{}', '{}', '{}', 'sad', 1, '-0.01', ''),
(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
(4, NULL, 0, 0, 0, 0, 'NaN', 'Infinity', '1e-100', '1.5', '-0.000000000000000000000000000001',
 0, repeat('x', 100000), NULL, NULL, NULL, decode(repeat('00ff', 50000), 'hex'),
 '2000-02-29', '12:00:00.5', NULL, NULL, '2000-02-29 12:00:00.5', NULL,
 '2024-06-01 08:00:00', NULL, NULL, '"text"', '"\u00e9"', NULL, NULL, NULL, NULL, NULL,
 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
)sql";

class PgRoundTripTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    RawConn db(DbUrl());
    db.Exec(kAllTypesDdl);
    db.Exec(kAllTypesRows);
  }
};

// The canonical text sluice carries for column `name` of the row with id `id`.
std::string Carried(const std::vector<Batch>& batches, const Schema& schema, int id,
                    const std::string& name) {
  size_t col = *schema.IndexOf(name);
  for (const Batch& b : batches) {
    for (size_t r = 0; r < b.num_rows(); ++r) {
      if (b.columns[0].GetInt(r) != id) continue;
      if (b.columns[col].IsNull(r)) return "NULL";
      std::string out;
      FormatValue(b.columns[col], r, out);
      return out;
    }
  }
  return "<no row>";
}

TEST_F(PgRoundTripTest, SourceCarriesEveryValueExactly) {
  auto source = testing::MakeSource({{"table", "all_types"}});
  ASSERT_TRUE(source->Open(ReadRequest{}).ok());
  const Schema& s = source->schema();
  EXPECT_EQ(s.ToString(),
            "id int32, b bool, i2 int16, i4 int32, i8 int64, o uint32, f4 float32, f8 float64, "
            "n decimal, n102 decimal(10,2), n6530 decimal(65,30), nneg decimal(7,0), t string, "
            "vc string, bp string, nm string, by bytes, d date, tm time, tm3 time, ttz string, "
            "ts timestamp, ts0 timestamp, tstz timestamptz, iv string, u uuid, j json, jb json, "
            "ip string, cd string, mac string, bt string, vb string, ia json, ta json, na json, "
            "ja json, i2d json, e string, dm int32, m decimal, x string");
  testing::CollectingRejects rejects;
  std::vector<Batch> batches = testing::ReadAll(*source, rejects);
  EXPECT_TRUE(rejects.reasons.empty());
  ASSERT_EQ(testing::CountRows(batches), 4u);
  const std::map<std::string, std::string> row1 = {
      {"b", "true"},
      {"i2", "-32768"},
      {"i4", "-2147483648"},
      {"i8", "-9223372036854775808"},
      {"o", "4294967295"},
      {"f4", "1.1754944e-38"},
      {"f8", "-1.7976931348623157e+308"},
      {"n", "123456789012345678901234567890.123456789012345678901234567890"},
      {"n102", "-99999999.99"},
      {"n6530", "12345678901234567890123456789012345.123456789012345678901234567890"},
      {"nneg", "9999900"},
      {"t", "h\xc3\xa9llo \xf0\x9f\x98\x80 \"q\" \\ tab\there\nline"},
      {"vc", "0123456789"},
      {"bp", "ab   "},
      {"nm", "name"},
      {"by", std::string("\0\xff\0", 3)},
      {"d", "0001-01-01"},
      {"tm", "00:00:00"},
      {"tm3", "23:59:59.999"},
      {"ttz", "12:34:56.789+05:30"},
      {"ts", "1970-01-01 00:00:00.000001"},
      {"ts0", "9999-12-31 23:59:59"},
      {"tstz", "2024-03-10T01:59:59.999999Z"},
      {"iv", "P1Y2M3DT4H5M6.789S"},
      {"u", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
      {"j", "{\"b\": 1,  \"a\": [1, 2.50]}"},
      {"jb", "{\"a\": {\"n\": null}, \"z\": 1}"},
      {"ip", "192.168.0.1/24"},
      {"cd", "10.0.0.0/8"},
      {"mac", "08:00:2b:01:02:03"},
      {"bt", "1010"},
      {"vb", "101"},
      {"ia", "[1,null,3]"},
      {"ta", "[\"a b\",\"c,d\",\"e\\\"f\",null]"},
      {"na", "[1.50,\"NaN\",12345678901234567890.1]"},
      {"ja", "[{\"k\": [1]},null]"},
      {"i2d", "[[1,2],[3,4]]"},
      {"e", "happy"},
      {"dm", "42"},
      {"m", "12.34"},
      {"x", "<a>b</a>"},
  };
  for (const auto& [column, expected] : row1) {
    EXPECT_EQ(Carried(batches, s, 1, column), expected) << column;
  }
  EXPECT_EQ(Carried(batches, s, 2, "f4"), "-inf");
  EXPECT_EQ(Carried(batches, s, 2, "f8"), "-0");
  EXPECT_EQ(Carried(batches, s, 2, "n"), "0.000000000000000000000000000000000001");
  EXPECT_EQ(Carried(batches, s, 2, "n6530"), "0.000000000000000000000000000000");
  EXPECT_EQ(Carried(batches, s, 2, "tm"), "24:00:00");
  EXPECT_EQ(Carried(batches, s, 2, "tstz"), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(Carried(batches, s, 2, "ts0"), "0001-01-01 00:00:00");
  EXPECT_EQ(Carried(batches, s, 2, "iv"), "P-1DT2H");
  EXPECT_EQ(Carried(batches, s, 2, "m"), "-0.01");
  EXPECT_EQ(Carried(batches, s, 3, "n"), "NULL");
  EXPECT_EQ(Carried(batches, s, 4, "f4"), "nan");
  EXPECT_EQ(Carried(batches, s, 4, "f8"), "inf");
  EXPECT_EQ(Carried(batches, s, 4, "n"), "0." + std::string(99, '0') + "1");
  // Written without an offset while the server's zone was Asia/Shanghai: 08:00 there.
  EXPECT_EQ(Carried(batches, s, 4, "tstz"), "2024-06-01T00:00:00Z");
  EXPECT_EQ(Carried(batches, s, 4, "ts"), "2000-02-29 12:00:00.5");
  EXPECT_EQ(Carried(batches, s, 4, "t").size(), 100000u);
  EXPECT_EQ(Carried(batches, s, 4, "by").size(), 100000u);
}

TEST_F(PgRoundTripTest, CopyIntoTheSameDefinitionIsIdentical) {
  RawConn db(DbUrl());
  db.Exec("CREATE TABLE all_types_copy (LIKE all_types INCLUDING ALL)");
  Options target = MakeOptions({{"table", "all_types_copy"}, {"create_table", "never"}});
  std::vector<std::string> rejects = Copy("all_types", target);
  EXPECT_TRUE(rejects.empty()) << rejects[0];
  // Whole rows as text: every column's output function, floats in shortest-exact form.
  EXPECT_EQ(db.Rows("SELECT a::text FROM all_types a ORDER BY id"),
            db.Rows("SELECT a::text FROM all_types_copy a ORDER BY id"));
  EXPECT_EQ(db.Value("SELECT count(*) FROM all_types a JOIN all_types_copy c USING (id) WHERE "
                     "float4send(a.f4) IS DISTINCT FROM float4send(c.f4) OR "
                     "float8send(a.f8) IS DISTINCT FROM float8send(c.f8) OR "
                     "(a.n, a.n6530, a.t, a.by, a.tstz, a.iv, a.jb, a.ia, a.e) IS DISTINCT FROM "
                     "(c.n, c.n6530, c.t, c.by, c.tstz, c.iv, c.jb, c.ia, c.e)"),
            "0");
  EXPECT_EQ(db.Value("SELECT count(*) FROM (SELECT id, b, i8, n, t, by, d, ts, tstz, u, jb, ia, "
                     "na, i2d FROM all_types EXCEPT SELECT id, b, i8, n, t, by, d, ts, tstz, u, "
                     "jb, ia, na, i2d FROM all_types_copy) x"),
            "0");
}

TEST_F(PgRoundTripTest, CopyIntoACreatedTableKeepsTheTextOfEveryValue) {
  Options target = MakeOptions({{"table", "all_types_created"}});
  std::vector<std::string> rejects = Copy("all_types", target, WriteMode::kUpsert, {"id"});
  EXPECT_TRUE(rejects.empty()) << rejects[0];
  RawConn db(DbUrl());
  EXPECT_EQ(db.Value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid "
                     "= 'all_types_created'::regclass AND attname = 'n6530'"),
            "numeric(65,30)");
  EXPECT_EQ(db.Value("SELECT string_agg(a.attname, ',') FROM pg_index i JOIN pg_attribute a ON "
                     "a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = "
                     "'all_types_created'::regclass AND i.indisprimary"),
            "id");
  db.Exec("SET IntervalStyle = iso_8601");
  // Columns kept as themselves, compared as text (f4 and f8 bit for bit).
  for (const char* column : {"b",  "i2", "i4", "i8", "o",   "n",   "n102", "n6530", "nneg", "t",
                             "vc", "nm", "by", "d",  "tm",  "tm3", "ttz",  "ts",    "ts0",  "tstz",
                             "iv", "u",  "jb", "cd", "mac", "bt",  "vb",   "e",     "dm",   "x"}) {
    EXPECT_EQ(db.Value(fmt::format("SELECT count(*) FROM all_types a JOIN all_types_created c "
                                   "USING (id) WHERE a.{0}::text IS DISTINCT FROM c.{0}::text",
                                   column)),
              "0")
        << column;
  }
  // A PostgreSQL source's own types are created (inet, char(5), arrays, json, domains, ...),
  // so every column has the source's type and value.
  const std::string types =
      "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY "
      "attnum) FROM pg_attribute WHERE attnum > 0 AND NOT attisdropped AND attrelid = ";
  EXPECT_EQ(db.Value(types + "'all_types_created'::regclass"),
            db.Value(types + "'all_types'::regclass"));
  EXPECT_EQ(db.Value("SELECT count(*) FROM all_types a JOIN all_types_created c USING (id) WHERE "
                     "a::text IS DISTINCT FROM c::text"),
            "0");
  EXPECT_EQ(db.Value("SELECT string_agg(c.bp::varchar || '.', '|' ORDER BY id) FROM "
                     "all_types_created c"),
            "ab.|.");
  EXPECT_EQ(db.Value("SELECT count(*) FROM all_types a JOIN all_types_created c USING (id) WHERE "
                     "float4send(a.f4) IS DISTINCT FROM float4send(c.f4) OR "
                     "float8send(a.f8) IS DISTINCT FROM float8send(c.f8)"),
            "0");
}

TEST_F(PgRoundTripTest, SpecialValuesAreRejectedOrNulledByOption) {
  RawConn db(DbUrl());
  db.Exec("CREATE TABLE specials (id int, n numeric, d date, ts timestamptz)");
  db.Exec(
      "INSERT INTO specials VALUES (1, 'NaN', '2024-01-01', now()), (2, 1, 'infinity', now()),"
      " (3, 2, '2024-01-01', '-infinity'), (4, 'Infinity', NULL, NULL), (5, 5, NULL, NULL)");
  auto strict = testing::MakeSource({{"table", "specials"}});
  ASSERT_TRUE(strict->Open(ReadRequest{}).ok());
  testing::CollectingRejects rejects;
  std::vector<Batch> kept = testing::ReadAll(*strict, rejects);
  EXPECT_EQ(testing::CountRows(kept), 1u);
  ASSERT_EQ(rejects.reasons.size(), 4u);
  EXPECT_EQ(rejects.reasons[0],
            "source: postgres source public.specials.n: numeric NaN cannot be carried by type "
            "decimal (special_values: null reads it as NULL)");
  EXPECT_NE(rejects.reasons[1].find("specials.d: date infinity"), std::string::npos);
  EXPECT_NE(rejects.reasons[2].find("specials.ts: timestamp -infinity"), std::string::npos);
  EXPECT_EQ(rejects.rows[0].substr(0, 7), "1,NULL,");

  auto lenient = testing::MakeSource({{"table", "specials"}, {"special_values", "null"}});
  ASSERT_TRUE(lenient->Open(ReadRequest{}).ok());
  testing::CollectingRejects none;
  std::vector<Batch> all = testing::ReadAll(*lenient, none);
  EXPECT_EQ(testing::CountRows(all), 5u);
  EXPECT_TRUE(none.reasons.empty());
  EXPECT_TRUE(all[0].columns[1].IsNull(0));
}

TEST_F(PgRoundTripTest, UnsupportedTypesAreNamedOrReadAsText) {
  RawConn db(DbUrl());
  db.Exec("CREATE TABLE geo (id int, p point, r int4range)");
  db.Exec("INSERT INTO geo VALUES (1, '(1,2)', '[1,5)')");
  auto strict = testing::MakeSource({{"table", "geo"}});
  Status st = strict->Open(ReadRequest{});
  EXPECT_EQ(st.message(),
            "public.geo.p: type 'point' is not supported (set unknown_types: text to read it as "
            "its text form)");
  auto text = testing::MakeSource({{"table", "geo"}, {"unknown_types", "text"}});
  ASSERT_TRUE(text->Open(ReadRequest{}).ok());
  testing::CollectingRejects rejects;
  std::vector<Batch> batches = testing::ReadAll(*text, rejects);
  EXPECT_EQ(Carried(batches, text->schema(), 1, "p"), "(1,2)");
  EXPECT_EQ(Carried(batches, text->schema(), 1, "r"), "[1,5)");
  // And back into the same types, through COPY's text format.
  db.Exec("CREATE TABLE geo_copy (LIKE geo)");
  Options target = MakeOptions({{"table", "geo_copy"}, {"create_table", "never"}});
  auto sink = testing::MakeSink(target);
  ASSERT_TRUE(testing::WriteAll(*sink, testing::Request(text->schema()), batches, rejects).ok());
  EXPECT_EQ(db.Value("SELECT p::text || r::text FROM geo_copy"), "(1,2)[1,5)");
}

}  // namespace
}  // namespace sluice::postgres
