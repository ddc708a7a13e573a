// Reading from a real MariaDB: every type exactly, zero dates, the time-zone rule, errors.
#include "connectors/mysql/mysql_source.h"

#include <gtest/gtest.h>

#include "connectors/mysql/mysql_test_util.h"

namespace sluice::mysql {
namespace {

using testing::MakeOptions;
using testing::MakeSource;
using testing::ReadAllRows;
using testing::RecordingRejects;
using testing::TestDatabase;

std::vector<std::string> ReadTable(TestDatabase& db, std::map<std::string, std::string> options,
                                   ReadRequest request = {}, RecordingRejects* rejects = nullptr) {
  options["url"] = db.Url();
  std::unique_ptr<Source> source = MakeSource(MakeOptions(options));
  if (!source) return {};
  Status st = source->Open(request);
  EXPECT_TRUE(st.ok()) << st.message();
  if (!st.ok()) return {};
  RecordingRejects local;
  Result<std::vector<std::string>> rows = ReadAllRows(*source, rejects ? *rejects : local);
  EXPECT_TRUE(rows.has_value()) << rows.error().message();
  return rows ? *rows : std::vector<std::string>{};
}

TEST(MysqlSourceTest, ReadsEveryTypeExactly) {
  TestDatabase db;
  db.Exec(
      "CREATE TABLE types (id INT PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, "
      "su SMALLINT UNSIGNED, mi MEDIUMINT, mu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, "
      "bi BIGINT, bu BIGINT UNSIGNED, d65 DECIMAL(65,30), d52 DECIMAL(5,2), f FLOAT, d DOUBLE, "
      "b BIT(10), bo BOOLEAN, dt DATE, dtm DATETIME(6), ts TIMESTAMP(6) NULL, tm TIME(6), y YEAR, "
      "c CHAR(5), vc VARCHAR(50), tx TEXT, e ENUM('a','b'), st SET('x','y'), j JSON, u UUID)");
  db.Exec(
      "INSERT INTO types VALUES (1, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, "
      "4294967295, -9223372036854775808, 18446744073709551615, "
      "'-99999999999999999999999999999999999.999999999999999999999999999999', -999.99, "
      "3.4028234663852886e38, 1.7976931348623157e308, b'1111111111', TRUE, '1000-01-01', "
      "'9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999999', '-838:59:59.000000', 2155, "
      "'ab', '\xF0\x9F\x98\x80 \xC3\xBC', 'tab\\there\\nnewline\\\\', 'b', 'x,y', "
      "'{\"a\": [1, 2]}', '6155be21-e8bd-11f1-b5fc-02fc00000001')");
  db.Exec("INSERT INTO types (id) VALUES (2)");
  db.Exec(
      "INSERT INTO types VALUES (3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1.5, 0.1, b'0', FALSE, "
      "'2024-02-29', '1970-01-01 00:00:00', '1970-01-01 00:00:01', '838:59:59.999999', 1901, '', "
      "'', '', 'a', '', '[]', '00000000-0000-0000-0000-000000000000')");
  std::vector<std::string> rows = ReadTable(db, {{"table", "types"}});
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0],
            "1|-128|255|-32768|65535|-8388608|16777215|-2147483648|4294967295|"
            "-9223372036854775808|18446744073709551615|"
            "-99999999999999999999999999999999999.999999999999999999999999999999|-999.99|"
            "3.4028235e+38|1.7976931348623157e+308|1023|1|1000-01-01|"
            "9999-12-31 23:59:59.999999|2038-01-19T03:14:07.999999Z|-838:59:59|2155|ab|"
            "\xF0\x9F\x98\x80 \xC3\xBC|tab\there\nnewline\\|b|x,y|{\"a\": [1, 2]}|"
            "6155be21-e8bd-11f1-b5fc-02fc00000001");
  std::string nulls = "2";
  for (int i = 0; i < 28; ++i) nulls += "|NULL";
  EXPECT_EQ(rows[1], nulls);
  EXPECT_EQ(rows[2],
            "3|0|0|0|0|0|0|0|0|0|0|0.000000000000000000000000000000|0.00|-1.5|0.1|0|0|"
            "2024-02-29|1970-01-01 00:00:00|1970-01-01T00:00:01Z|838:59:59.999999|1901||||a||[]|"
            "00000000-0000-0000-0000-000000000000");
}

TEST(MysqlSourceTest, SchemaCarriesTypesAndNullability) {
  TestDatabase db;
  db.Exec(
      "CREATE TABLE t (id BIGINT UNSIGNED NOT NULL PRIMARY KEY, amount DECIMAL(12,4), "
      "at DATETIME(3) NOT NULL, name VARCHAR(20))");
  std::unique_ptr<Source> source = MakeSource(MakeOptions({{"url", db.Url()}, {"table", "t"}}));
  ASSERT_TRUE(source->Open({}).ok());
  EXPECT_EQ(source->schema().ToString(),
            "id uint64, amount decimal(12,4), at timestamp, name string");
  EXPECT_FALSE(source->schema().fields[0].nullable);
  EXPECT_TRUE(source->schema().fields[1].nullable);
  EXPECT_FALSE(source->schema().fields[2].nullable);
  EXPECT_EQ(source->schema().fields[2].type.scale, 3);
  EXPECT_EQ(source->schema().fields[3].type.precision, 20);
}

TEST(MysqlSourceTest, BinaryValuesKeepZeroBytes) {
  TestDatabase db;
  db.Exec("CREATE TABLE bin (id INT PRIMARY KEY, bn BINARY(4), vb VARBINARY(10), bl BLOB)");
  db.Exec("INSERT INTO bin VALUES (1, X'00FF0000', X'000A0D5C09', X'00'), (2, '', '', '')");
  std::vector<std::string> rows = ReadTable(db, {{"table", "bin"}});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], std::string("1|\0\xFF\0\0|\0\n\r\\\t|\0", 14));
  EXPECT_EQ(rows[1], std::string("2|\0\0\0\0||", 8));
}

TEST(MysqlSourceTest, ZeroDatesAreNullOrRejectedByOption) {
  TestDatabase db;
  db.Exec("SET SESSION sql_mode = ''");
  db.Exec("CREATE TABLE z (id INT PRIMARY KEY, d DATE, dt DATETIME)");
  db.Exec(
      "INSERT INTO z VALUES (1, '0000-00-00', '0000-00-00 00:00:00'), "
      "(2, '2024-00-10', '2024-05-00 10:00:00'), (3, '2024-01-02', '2024-01-02 03:04:05')");
  db.Exec("SET SESSION sql_mode = DEFAULT");
  EXPECT_EQ(
      ReadTable(db, {{"table", "z"}, {"zero_date", "null"}}),
      (std::vector<std::string>{"1|NULL|NULL", "2|NULL|NULL", "3|2024-01-02|2024-01-02 03:04:05"}));
  RecordingRejects rejects;
  EXPECT_EQ(ReadTable(db, {{"table", "z"}}, {}, &rejects),
            std::vector<std::string>{"3|2024-01-02|2024-01-02 03:04:05"});
  ASSERT_EQ(rejects.reasons.size(), 2u);
  EXPECT_EQ(rejects.reasons[0],
            "source: " + db.name() +
                ".z.d: '0000-00-00' is not a calendar date (zero_date: error; set zero_date: null "
                "to read such values as NULL)");
  EXPECT_EQ(rejects.rows[0], "1|0000-00-00|0000-00-00 00:00:00");
}

// TIMESTAMP is an instant whatever the server's zone; DATETIME is wall-clock time, read as an
// instant only in the zone the source names.
TEST(MysqlSourceTest, TimestampIsAnInstantDatetimeIsWallClock) {
  TestDatabase db;
  db.Exec("CREATE TABLE tz (id INT PRIMARY KEY, ts TIMESTAMP(6) NULL, dt DATETIME(6))");
  db.Exec("SET SESSION time_zone = '+08:00'");
  db.Exec("INSERT INTO tz VALUES (1, '2024-03-01 08:00:00.25', '2024-03-01 08:00:00.25')");
  db.Exec("SET SESSION time_zone = '+00:00'");
  db.Exec("SET GLOBAL time_zone = '+08:00'");
  std::vector<std::string> wall = ReadTable(db, {{"table", "tz"}});
  std::vector<std::string> instant = ReadTable(db, {{"table", "tz"}, {"time_zone", "+08:00"}});
  db.Exec("SET GLOBAL time_zone = 'SYSTEM'");
  EXPECT_EQ(wall, std::vector<std::string>{"1|2024-03-01T00:00:00.25Z|2024-03-01 08:00:00.25"});
  EXPECT_EQ(instant, std::vector<std::string>{"1|2024-03-01T00:00:00.25Z|2024-03-01T00:00:00.25Z"});
}

TEST(MysqlSourceTest, ColumnsWhereAndGeometryError) {
  TestDatabase db;
  db.Exec("CREATE TABLE shapes (id INT PRIMARY KEY, name VARCHAR(10), g GEOMETRY)");
  db.Exec("INSERT INTO shapes VALUES (1, 'a', POINT(1, 2)), (2, 'b', NULL)");
  std::unique_ptr<Source> all = MakeSource(MakeOptions({{"url", db.Url()}, {"table", "shapes"}}));
  Status st = all->Open({});
  EXPECT_EQ(st.message(), "mysql source: " + db.name() +
                              ".shapes.g: type 'geometry' is not supported (select it with a cast "
                              "in a view, or leave it out with `columns`)");
  ReadRequest request;
  request.columns = {"name", "ID"};
  request.where = "name <> 'a' -- a trailing comment";
  EXPECT_EQ(ReadTable(db, {{"table", "shapes"}}, request), std::vector<std::string>{"b|2"});
}

TEST(MysqlSourceTest, IncrementalRangeAndMaxValue) {
  TestDatabase db;
  db.Exec("CREATE TABLE ev (id INT PRIMARY KEY, ts TIMESTAMP(6) NULL, dt DATETIME, kind CHAR(1))");
  db.Exec(
      "INSERT INTO ev VALUES (1, '2024-01-01 00:00:00', '2024-01-01 10:00:00', 'a'), "
      "(2, '2024-01-02 00:00:00.5', '2024-01-02 10:00:00', 'a'), "
      "(3, '2024-01-03 00:00:00', '2024-01-03 10:00:00', 'b')");
  ReadRequest request;
  request.where = "kind = 'a'";
  std::unique_ptr<Source> source = MakeSource(MakeOptions({{"url", db.Url()}, {"table", "ev"}}));
  ASSERT_TRUE(source->Open(request).ok());
  EXPECT_EQ(source->MaxValue("ts").value(), "2024-01-02T00:00:00.5Z");
  EXPECT_EQ(source->MaxValue("dt").value(), "2024-01-02 10:00:00");
  EXPECT_EQ(source->MaxValue("id").value(), "2");

  request.where.clear();
  request.incremental = WatermarkRange{"ts", "2024-01-01T00:00:00.000001Z", "2024-01-03T00:00:00Z"};
  request.columns = {"id"};
  EXPECT_EQ(ReadTable(db, {{"table", "ev"}}, request), std::vector<std::string>{"2"});
  request.incremental = WatermarkRange{"dt", "2024-01-02 10:00:00", "2024-01-03 10:00:01"};
  EXPECT_EQ(ReadTable(db, {{"table", "ev"}}, request), (std::vector<std::string>{"2", "3"}));
}

TEST(MysqlSourceTest, Tinyint1AsBoolOption) {
  TestDatabase db;
  db.Exec("CREATE TABLE flags (id INT PRIMARY KEY, f BOOLEAN)");
  db.Exec("INSERT INTO flags VALUES (1, TRUE), (2, FALSE), (3, NULL), (4, 7)");
  EXPECT_EQ(ReadTable(db, {{"table", "flags"}}),
            (std::vector<std::string>{"1|1", "2|0", "3|NULL", "4|7"}));
  RecordingRejects rejects;
  EXPECT_EQ(ReadTable(db, {{"table", "flags"}, {"tinyint1_as_bool", "true"}}, {}, &rejects),
            (std::vector<std::string>{"1|true", "2|false", "3|NULL"}));
  ASSERT_EQ(rejects.reasons.size(), 1u);
  EXPECT_NE(rejects.reasons[0].find(".flags.f: 7 is not a boolean"), std::string::npos);
}

TEST(MysqlSourceTest, ErrorsNameWhatIsWrong) {
  TestDatabase db;
  db.Exec("CREATE TABLE orders (id INT PRIMARY KEY, name VARCHAR(10))");
  const MysqlUrl& u = db.url();
  auto open = [&](const std::string& url, const std::string& table, ReadRequest request = {}) {
    std::unique_ptr<Source> source = MakeSource(MakeOptions({{"url", url}, {"table", table}}));
    return source->Open(request);
  };
  // A port nothing listens on (the server's own port plus one is free in this test setup).
  Status refused = open(fmt::format("mysql://x:y@127.0.0.1:1/{}", db.name()), "orders");
  EXPECT_EQ(refused.message(),
            "mysql source: cannot connect to mysql at 127.0.0.1:1: Connection refused");
  EXPECT_EQ(refused.code(), StatusCode::kConnection);
  EXPECT_TRUE(refused.retryable());

  Status denied =
      open(fmt::format("mysql://{}:wrong@127.0.0.1:{}/{}", u.user, u.port, db.name()), "orders");
  EXPECT_EQ(denied.message(), fmt::format("mysql source: authentication failed for user '{}' at "
                                          "mysql 127.0.0.1:{}",
                                          u.user, u.port));
  EXPECT_FALSE(denied.retryable());
  EXPECT_EQ(denied.message().find("wrong"), std::string::npos);

  Status no_db =
      open(fmt::format("mysql://{}:{}@127.0.0.1:{}/{}x", u.user, u.password, u.port, db.name()),
           "orders");
  EXPECT_EQ(no_db.code(), StatusCode::kNotFound);
  EXPECT_NE(no_db.message().find(fmt::format("database '{}x' not found", db.name())),
            std::string::npos);
  EXPECT_NE(no_db.message().find(fmt::format("did you mean '{}'?", db.name())), std::string::npos);

  Status no_table = open(db.Url(), "ordrs");
  EXPECT_EQ(
      no_table.message(),
      fmt::format("mysql source: table 'ordrs' not found in database {} at mysql 127.0.0.1:{} "
                  "(did you mean 'orders'? tables: orders)",
                  db.name(), u.port));

  ReadRequest columns;
  columns.columns = {"id", "nmae"};
  EXPECT_EQ(open(db.Url(), "orders", columns).message(),
            fmt::format("mysql source: column 'nmae' not found in table {}.orders (did you mean "
                        "'name'? columns: id, name)",
                        db.name()));
  ReadRequest where;
  where.where = "nosuch > 1";
  Status bad_where = open(db.Url(), "orders", where);
  EXPECT_NE(bad_where.message().find(".orders: where"), std::string::npos) << bad_where.message();
  EXPECT_NE(bad_where.message().find("nosuch"), std::string::npos) << bad_where.message();

  // The test server has no TLS.
  Status tls = open(db.Url() + "?ssl-mode=REQUIRED", "orders");
  EXPECT_EQ(tls.message(), fmt::format("mysql source: mysql at 127.0.0.1:{} does not offer TLS, "
                                       "which ssl-mode requires",
                                       u.port));
  EXPECT_EQ(tls.code(), StatusCode::kConnection);
  EXPECT_TRUE(open(db.Url() + "?ssl-mode=PREFERRED", "orders").ok());
}

}  // namespace
}  // namespace sluice::mysql
