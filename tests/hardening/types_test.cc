// Type fidelity of the batch path (issue 8, items 13, 14, 15, 17, 18, 19): the sluice binary
// against the real servers, every target read back with libpq, libmariadb or sqlite3 directly.
//
//   PgSpecialValuesSurvivePgToPg     numeric NaN/±Infinity, date and timestamp ±infinity go
//                                    PostgreSQL -> PostgreSQL untouched; into SQLite the
//                                    special_values rule still rejects them, naming the column.
//   MysqlTimeBeyondADayIntoCreatedPg MariaDB TIME -838:59:59..838:59:59 into a created
//                                    PostgreSQL column: interval, every value exact.
//   ZeroDateNullIntoNotNullColumns   zero_date: "null" on NOT NULL date columns: created
//                                    columns are nullable (PostgreSQL, MariaDB, SQLite); an
//                                    existing NOT NULL column is a conflict at check.
//   PgFarTimestampsThroughSqlite     years after 9999 and BC into SQLite and back out again.
//   PgToPgKeepsTypes                 a table sluice creates from a PostgreSQL table has the
//                                    source's exact types (format_type) and values.
//   MysqlLatin1AndAsciiBytes         latin1 bytes arrive transcoded; ascii bytes >= 0x80 are
//                                    rejected naming the column instead of becoming '?'.
//
// Each test uses its own MariaDB database / PostgreSQL schemas (prefix types_) and drops them
// first, so the tests can run in any order and again.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "server_test.h"
#include "support/db_clients.h"
#include "support/process.h"
#include "support/sqlite_db.h"
#include "support/workspace.h"
#include "testing/test_servers.h"

namespace sluice::types_test {

using test_db::Lines;
using test_db::MysqlClient;
using test_db::PgClient;
namespace {

using hardening::Describe;
using hardening::WithDatabase;

using ::sluice::e2e::ProcessResult;
using ::sluice::e2e::ProcessSpec;
using ::sluice::e2e::Workspace;

std::string HexByte(int b) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  return {kHex[b >> 4], kHex[b & 15]};
}

class TypesTest : public hardening::ServerTest {
 protected:
  TypesTest() : ServerTest("types") {}

  // `sluice run --json`: the summary, after checking the exit code.
  nlohmann::json Run(const std::string& job, int want_exit = 0) {
    ProcessResult r = Sluice("run", job, {"--json"});
    EXPECT_EQ(r.exit_code, want_exit) << Describe(r);
    nlohmann::json j = nlohmann::json::parse(r.stdout_text, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(j.is_discarded()) << Describe(r);
    return j;
  }

  std::string PgSection(const std::string& table) const {
    return "  type: postgres\n  url: " + servers_.pg_url + "\n  table: " + table + "\n";
  }
  std::string MysqlSection(const std::string& db, const std::string& table) const {
    return "  type: mysql\n  url: " + WithDatabase(servers_.mysql_url, db) + "\n  table: " + table +
           "\n";
  }
  std::string SqliteSection(const std::string& file, const std::string& table) const {
    return "  type: sqlite\n  path: " + workspace_->Path(file) + "\n  table: " + table + "\n";
  }
  static std::string Job(const std::string& name, const std::string& source,
                         const std::string& target) {
    return "name: " + name + "\nsource:\n" + source + "target:\n" + target +
           "settings: {error_limit: {rows: 100}, dirty_records: dirty.jsonl}\n";
  }
  std::string Dirty() const {
    std::string text;
    for (const char* file : {"dirty.jsonl"}) {
      FILE* f = std::fopen(workspace_->Path(file).c_str(), "r");
      if (f == nullptr) continue;
      char buf[4096];
      size_t n = 0;
      while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) text.append(buf, n);
      std::fclose(f);
    }
    return text;
  }
};

// --- 13: values only PostgreSQL holds, within PostgreSQL ------------------------------------

TEST_F(TypesTest, PgSpecialValuesSurvivePgToPg) {
  PgClient pg(servers_.pg_url);
  pg.Exec(
      "DROP SCHEMA IF EXISTS types_sv_src CASCADE; DROP SCHEMA IF EXISTS types_sv_dst CASCADE;"
      "CREATE SCHEMA types_sv_src; CREATE SCHEMA types_sv_dst;"
      "CREATE TABLE types_sv_src.t (id int PRIMARY KEY, n numeric, n2 numeric(10,2), d date, "
      "ts timestamp, tz timestamptz);"
      "INSERT INTO types_sv_src.t VALUES "
      "(1, 'NaN', 'NaN', 'infinity', 'infinity', 'infinity'),"
      "(2, 'Infinity', 1.5, '-infinity', '-infinity', '-infinity'),"
      "(3, '-Infinity', -2.25, '2024-02-29', '2024-02-29 12:00:00.5', '2024-02-29 12:00:00+00'),"
      "(4, 1.50, NULL, NULL, NULL, NULL)");
  // A created table and an existing one of the same types.
  pg.Exec(
      "CREATE TABLE types_sv_dst.existing (id int PRIMARY KEY, n numeric, n2 numeric(10,2), "
      "d date, ts timestamp, tz timestamptz)");
  for (const char* table : {"types_sv_dst.created", "types_sv_dst.existing"}) {
    nlohmann::json s = Run(Job("sv", PgSection("types_sv_src.t"), PgSection(table)));
    EXPECT_EQ(s["rows_written"], 4) << table << "\n" << s.dump();
    EXPECT_EQ(s["rows_rejected"], 0) << table << "\n" << s.dump();
    EXPECT_EQ(pg.Value(std::string("SELECT count(*) FROM (SELECT * FROM types_sv_src.t EXCEPT "
                                   "SELECT * FROM ") +
                       table + ") d"),
              "0")
        << table;
    EXPECT_EQ(Lines(pg.Query(std::string("SELECT id, n, d, ts FROM ") + table + " ORDER BY id")),
              (std::vector<std::string>{"1|NaN|infinity|infinity", "2|Infinity|-infinity|-infinity",
                                        "3|-Infinity|2024-02-29|2024-02-29 12:00:00.5",
                                        "4|1.50|NULL|NULL"}))
        << table;
    // verify reads both sides as the run did: the special values compare equal.
    ProcessResult verify =
        Sluice("verify", Job("sv", PgSection("types_sv_src.t"), PgSection(table)));
    EXPECT_EQ(verify.exit_code, 0) << table << "\n" << Describe(verify);
  }
  // Elsewhere the special_values rule applies: rejected, naming the column.
  nlohmann::json s =
      Run(Job("sv_sqlite", PgSection("types_sv_src.t"), SqliteSection("sv.db", "t")), 0);
  EXPECT_EQ(s["rows_written"], 1) << s.dump();
  EXPECT_EQ(s["rows_rejected"], 3) << s.dump();
  EXPECT_NE(Dirty().find("postgres source types_sv_src.t.n: numeric NaN cannot be carried by "
                         "type decimal (special_values: null reads it as NULL)"),
            std::string::npos)
      << Dirty();
}

// --- 14: MySQL TIME into a created PostgreSQL column ------------------------------------------

TEST_F(TypesTest, MysqlTimeBeyondADayIntoCreatedPg) {
  MysqlClient my(servers_.mysql_url);
  PgClient pg(servers_.pg_url);
  my.Exec(
      "DROP DATABASE IF EXISTS types_tm; CREATE DATABASE types_tm;"
      "CREATE TABLE types_tm.t (id INT PRIMARY KEY, tm TIME(6));"
      "INSERT INTO types_tm.t VALUES (1, '-838:59:59'), (2, '838:59:59.999999'), "
      "(3, '-00:00:00.000001'), (4, '24:00:00'), (5, '12:34:56.5'), (6, NULL)");
  pg.Exec("DROP SCHEMA IF EXISTS types_tm CASCADE; CREATE SCHEMA types_tm");
  const std::string job = Job("tm", MysqlSection("types_tm", "t"), PgSection("types_tm.t"));
  ProcessResult check = Sluice("check", job);
  EXPECT_EQ(check.exit_code, 0) << Describe(check);
  EXPECT_NE(check.stdout_text.find("\"tm\" interval"), std::string::npos) << Describe(check);

  nlohmann::json s = Run(job);
  EXPECT_EQ(s["rows_written"], 6) << s.dump();
  EXPECT_EQ(s["rows_rejected"], 0) << s.dump();
  EXPECT_EQ(pg.Value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                     "'types_tm.t'::regclass AND attname = 'tm'"),
            "interval");
  // Microseconds, exactly: every value MariaDB's TIME holds.
  EXPECT_EQ(Lines(pg.Query("SELECT id, (extract(epoch FROM tm) * 1000000)::bigint FROM types_tm.t "
                           "ORDER BY id")),
            (std::vector<std::string>{"1|-3020399000000", "2|3020399999999", "3|-1",
                                      "4|86400000000", "5|45296500000", "6|NULL"}));
}

// --- 17: zero_date: "null" and NOT NULL columns -----------------------------------------------

TEST_F(TypesTest, ZeroDateNullIntoNotNullColumns) {
  MysqlClient my(servers_.mysql_url);
  PgClient pg(servers_.pg_url);
  my.Exec(
      "DROP DATABASE IF EXISTS types_zd; DROP DATABASE IF EXISTS types_zd_dst;"
      "CREATE DATABASE types_zd; CREATE DATABASE types_zd_dst;"
      "SET SESSION sql_mode = '';"
      "CREATE TABLE types_zd.t (id INT PRIMARY KEY, d DATE NOT NULL, dt DATETIME NOT NULL);"
      "INSERT INTO types_zd.t VALUES (1, '0000-00-00', '0000-00-00 00:00:00'), "
      "(2, '2024-01-02', '2024-01-02 03:04:05'), (3, '2024-00-10', '2024-01-00 00:00:00')");
  pg.Exec("DROP SCHEMA IF EXISTS types_zd CASCADE; CREATE SCHEMA types_zd");
  const std::string source = MysqlSection("types_zd", "t") + "  zero_date: \"null\"\n";
  const std::vector<std::string> want = {"1|NULL|NULL", "2|2024-01-02|2024-01-02 03:04:05",
                                         "3|NULL|NULL"};

  nlohmann::json s = Run(Job("zd_pg", source, PgSection("types_zd.t")));
  EXPECT_EQ(s["rows_written"], 3) << s.dump();
  EXPECT_EQ(Lines(pg.Query("SELECT id, d, dt FROM types_zd.t ORDER BY id")), want);

  s = Run(Job("zd_my", source, MysqlSection("types_zd_dst", "t")));
  EXPECT_EQ(s["rows_written"], 3) << s.dump();
  EXPECT_EQ(Lines(my.Query("SELECT id, d, CAST(dt AS DATETIME) FROM types_zd_dst.t ORDER BY id")),
            want);

  s = Run(Job("zd_lite", source, SqliteSection("zd.db", "t")));
  EXPECT_EQ(s["rows_written"], 3) << s.dump();
  auto lite = e2e::QuerySqlite(workspace_->Path("zd.db"), "SELECT id, d, dt FROM t ORDER BY id");
  ASSERT_TRUE(lite.has_value()) << lite.error();
  EXPECT_EQ(*lite, want);

  // An existing NOT NULL column cannot take what the rule produces: check says so.
  pg.Exec("CREATE TABLE types_zd.strict (id int PRIMARY KEY, d date NOT NULL, dt timestamp)");
  ProcessResult check = Sluice("check", Job("zd_strict", source, PgSection("types_zd.strict")));
  EXPECT_NE(check.exit_code, 0) << Describe(check);
  const std::string out = check.stdout_text + check.stderr_text;
  EXPECT_NE(out.find("column 'd' is NOT NULL, but the source's zero_date: null turns values of "
                     "'d' into NULL"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("column 'dt'"), std::string::npos) << out;  // dt is nullable
  // The same on MariaDB and SQLite targets.
  my.Exec("CREATE TABLE types_zd_dst.strict (id INT PRIMARY KEY, d DATE NOT NULL, dt DATETIME)");
  ASSERT_TRUE(e2e::ExecSqlite(workspace_->Path("zd.db"),
                              "CREATE TABLE strict (id INTEGER PRIMARY KEY, d DATE NOT NULL, "
                              "dt TIMESTAMP)")
                  .has_value());
  for (const std::string& target :
       {MysqlSection("types_zd_dst", "strict"), SqliteSection("zd.db", "strict")}) {
    check = Sluice("check", Job("zd_strict", source, target));
    EXPECT_NE(check.exit_code, 0) << Describe(check);
    EXPECT_NE((check.stdout_text + check.stderr_text)
                  .find("column 'd' is NOT NULL, but the source's zero_date: null"),
              std::string::npos)
        << Describe(check);
  }
}

// --- 18: timestamps SQLite's text cannot be read back -----------------------------------------

TEST_F(TypesTest, PgFarTimestampsThroughSqlite) {
  PgClient pg(servers_.pg_url);
  pg.Exec(
      "DROP SCHEMA IF EXISTS types_far CASCADE; CREATE SCHEMA types_far;"
      "CREATE TABLE types_far.t (id int PRIMARY KEY, d date, ts timestamp, tz timestamptz);"
      "INSERT INTO types_far.t VALUES "
      "(1, '21016-11-04', '21016-11-04 01:02:03.5', '21016-11-04 01:02:03+00'),"
      "(2, '4713-11-24 BC', '4713-11-24 00:00:00 BC', '0044-03-15 12:00:00+00 BC'),"
      "(3, '0001-12-31 BC', '0001-01-01 00:00:00 BC', '294246-12-31 23:59:59.999999+00'),"
      "(4, '2024-02-29', '2024-02-29 00:00:00', '2024-02-29 00:00:00+00')");
  nlohmann::json s = Run(Job("far_out", PgSection("types_far.t"), SqliteSection("far.db", "t")));
  EXPECT_EQ(s["rows_written"], 4) << s.dump();
  EXPECT_EQ(s["rows_rejected"], 0) << s.dump();
  // What sluice wrote, sluice reads: back into PostgreSQL, every value the same.
  s = Run(Job("far_back", SqliteSection("far.db", "t"), PgSection("types_far.back")));
  EXPECT_EQ(s["rows_written"], 4) << s.dump();
  EXPECT_EQ(s["rows_rejected"], 0) << s.dump();
  EXPECT_EQ(pg.Value("SELECT count(*) FROM (SELECT * FROM types_far.t EXCEPT "
                     "SELECT * FROM types_far.back) d"),
            "0");
  EXPECT_EQ(pg.Value("SELECT count(*) FROM types_far.back"), "4");
}

// --- 19: PostgreSQL -> PostgreSQL keeps the source's types ------------------------------------

TEST_F(TypesTest, PgToPgKeepsTypes) {
  PgClient pg(servers_.pg_url);
  pg.Exec(
      "DROP SCHEMA IF EXISTS types_keep_src CASCADE; DROP SCHEMA IF EXISTS types_keep_dst CASCADE;"
      "CREATE SCHEMA types_keep_src; CREATE SCHEMA types_keep_dst;"
      "CREATE DOMAIN types_keep_src.posint AS integer CHECK (VALUE > 0);"
      "CREATE TYPE types_keep_src.mood AS ENUM ('sad', 'ok', 'happy')");
  std::string citext_column;
  try {
    pg.Exec("CREATE EXTENSION IF NOT EXISTS citext");
    citext_column = ", ci citext";
  } catch (const std::exception&) {
    // contrib is not installed on this server: the other types still show the rule.
  }
  pg.Exec(
      "CREATE TABLE types_keep_src.t (id int PRIMARY KEY, iv interval, ttz timetz, b bit(3), "
      "vb varbit(8), ip inet, net cidr, mac macaddr, x xml, m money, o oid, j json, jb jsonb, "
      "ia int[], oa oid[], ta text[], tsa timestamp[], na numeric(6,2)[], iv2 interval day to "
      "second(3), p types_keep_src.posint, md types_keep_src.mood, tm time(3), c char(4), "
      "n numeric(8,3), vc varchar(7)" +
      citext_column + ")");
  pg.Exec(std::string("INSERT INTO types_keep_src.t VALUES "
                      "(1, '1 year 2 mons 3 days 04:05:06.789', '12:34:56+05:30', B'101', "
                      "B'1100', '10.0.0.1', '10.0.0.0/8', '08:00:2b:01:02:03', '<a>x</a>', "
                      "'12.34', 4294967295, '{\"b\": 1,  \"a\": [1, 2.50]}', '{\"k\": 1}', "
                      "'{1,NULL,3}', '{1,4294967295}', '{\"a b\",\"NULL\",NULL,\"q\\\"\"}', "
                      "'{\"2024-01-01 00:00:00.5\"}', '{1.50,-2.25}', '-1 day 00:00:01.25', 7, "
                      "'happy', '23:59:59.999', 'ab', 12345.678, 'seven'") +
          (citext_column.empty() ? "" : ", 'MiXeD'") +
          "),"
          "(2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
          "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL" +
          (citext_column.empty() ? "" : ", NULL") + ")");
  nlohmann::json s = Run(Job("keep", PgSection("types_keep_src.t"), PgSection("types_keep_dst.t")));
  EXPECT_EQ(s["rows_written"], 2) << s.dump();
  EXPECT_EQ(s["rows_rejected"], 0) << s.dump();
  const std::string types =
      "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY "
      "attnum) FROM pg_attribute WHERE attnum > 0 AND NOT attisdropped AND attrelid = ";
  EXPECT_EQ(pg.Value(types + "'types_keep_dst.t'::regclass"),
            pg.Value(types + "'types_keep_src.t'::regclass"));
  // Every value as the server prints it (json and xml have no equality operator).
  const std::string text = "SELECT t::text FROM {}.t AS t ORDER BY id";
  auto rows = [&](const std::string& schema) {
    std::string q = text;
    q.replace(q.find("{}"), 2, schema);
    return Lines(pg.Query(q));
  };
  EXPECT_EQ(rows("types_keep_dst"), rows("types_keep_src"));
}

// --- 15: latin1 and ascii columns are converted by sluice, not by the server -----------------

TEST_F(TypesTest, MysqlLatin1AndAsciiBytes) {
  MysqlClient my(servers_.mysql_url);
  PgClient pg(servers_.pg_url);
  std::string all_bytes;  // 01..FF
  for (int b = 1; b < 256; ++b) all_bytes += HexByte(b);
  my.Exec(
      "DROP DATABASE IF EXISTS types_cs; CREATE DATABASE types_cs;"
      "CREATE TABLE types_cs.t (id INT PRIMARY KEY, l VARCHAR(300) CHARACTER SET latin1, "
      "a VARCHAR(10) CHARACTER SET ascii);"
      "INSERT INTO types_cs.t VALUES (1, _latin1 X'" +
      all_bytes + "', 'plain'), (2, 'caf\xC3\xA9', _ascii X'636166E9'), (3, NULL, _ascii X'7F')");
  pg.Exec("DROP SCHEMA IF EXISTS types_cs CASCADE; CREATE SCHEMA types_cs");
  nlohmann::json s = Run(Job("cs", MysqlSection("types_cs", "t"), PgSection("types_cs.t")));
  EXPECT_EQ(s["rows_written"], 2) << s.dump();
  EXPECT_EQ(s["rows_rejected"], 1) << s.dump();
  EXPECT_NE(Dirty().find("types_cs.t.a: byte 0xE9 at offset 3 is not ASCII"), std::string::npos)
      << Dirty();
  // latin1: every byte arrives as the server's own conversion to UTF-8 makes it.
  EXPECT_EQ(pg.Value("SELECT upper(encode(convert_to(l, 'UTF8'), 'hex')) FROM types_cs.t "
                     "WHERE id = 1"),
            my.Value("SELECT HEX(CONVERT(l USING utf8mb4)) FROM types_cs.t WHERE id = 1"));
  EXPECT_EQ(Lines(pg.Query("SELECT id, a, length(l) FROM types_cs.t ORDER BY id")),
            (std::vector<std::string>{"1|plain|255", "3|\x7f|NULL"}));
}

}  // namespace
}  // namespace sluice::types_test
