// Hostile names in multi-table jobs against the real servers (issue 8, items 2, 3, 5, 6, 20,
// 21): names that differ only by case, names with dots, quotes and backquotes, names longer
// than PostgreSQL keeps, columns that differ only by case, the source's primary key and views.
// The sluice binary runs as a subprocess; sources are set up and targets read back with
// libmariadb and libpq directly.
//
// Needs the throwaway servers (ctest fixture db_servers, or scripts/test-servers.sh and
// SLUICE_TEST_SERVERS_ENV). Every database and schema is named names_*, and dropped first, so
// the tests can run again and beside other areas' tests.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "server_test.h"
#include "support/db_clients.h"
#include "support/process.h"
#include "support/workspace.h"
#include "testing/test_servers.h"

namespace sluice::names_test {

using test_db::Lines;
using test_db::MysqlClient;
using test_db::PgClient;
namespace {

using hardening::Describe;
using hardening::WithDatabase;

using ::sluice::e2e::ProcessResult;
using ::sluice::e2e::ProcessSpec;
using ::sluice::e2e::Workspace;

using hardening::Has;

class NamesTest : public hardening::ServerTest {
 protected:
  NamesTest() : ServerTest("names") {}
};

// --- item 2: table names that differ only by case -------------------------------------------

TEST_F(NamesTest, CaseOnlyTableNamesMariaDbToPostgres) {
  MysqlClient my(servers_.mysql_url);
  PgClient pg(servers_.pg_url);
  ASSERT_EQ(my.Value("SELECT @@lower_case_table_names"), "0");  // the servers keep case apart
  my.Exec("DROP DATABASE IF EXISTS names_cs; CREATE DATABASE names_cs");
  my.Exec(
      "CREATE TABLE names_cs.Same (id INT PRIMARY KEY, v VARCHAR(10));"
      "CREATE TABLE names_cs.same (id INT PRIMARY KEY, v VARCHAR(10));"
      "INSERT INTO names_cs.Same VALUES (1, 'upper'), (2, 'upper');"
      "INSERT INTO names_cs.same VALUES (7, 'lower')");
  pg.Exec("DROP SCHEMA IF EXISTS names_cs_pg CASCADE; CREATE SCHEMA names_cs_pg");
  const std::string job =
      "name: names_cs\n"
      "source:\n"
      "  type: mysql\n"
      "  url: " +
      servers_.mysql_url +
      "\n"
      "  tables: [\"names_cs.*\"]\n"
      "target:\n"
      "  type: postgres\n"
      "  url: " +
      servers_.pg_url +
      "\n"
      "  table: \"names_cs_pg.${table}\"\n"
      "  write_mode: overwrite\n";
  ProcessResult run = Sluice("run", job, {"--progress", "none"});
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  // Two tables, each with its own rows.
  EXPECT_EQ(Lines(pg.Query("SELECT id || ':' || v FROM names_cs_pg.\"Same\" ORDER BY id")),
            (std::vector<std::string>{"1:upper", "2:upper"}));
  EXPECT_EQ(Lines(pg.Query("SELECT id || ':' || v FROM names_cs_pg.\"same\" ORDER BY id")),
            (std::vector<std::string>{"7:lower"}));
  // A second run finds each table again, exactly.
  run = Sluice("run", job, {"--progress", "none"});
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  EXPECT_EQ(pg.Value("SELECT count(*) FROM names_cs_pg.\"Same\""), "2");
  EXPECT_EQ(pg.Value("SELECT count(*) FROM names_cs_pg.\"same\""), "1");

  ProcessResult verify = Sluice("verify", job);
  EXPECT_EQ(verify.exit_code, 0) << Describe(verify);
  EXPECT_TRUE(Has(verify.stdout_text, "2 tables, 2 OK")) << Describe(verify);
  // A table that does not exist is never OK: verify does not fall back to "Same".
  pg.Exec("DROP TABLE names_cs_pg.\"same\"");
  verify = Sluice("verify", job);
  EXPECT_NE(verify.exit_code, 0) << Describe(verify);
  EXPECT_TRUE(Has(verify.stdout_text, "1 OK")) << Describe(verify);
}

TEST_F(NamesTest, CaseOnlyTableNamesPostgresToMariaDbAndToSqlite) {
  MysqlClient my(servers_.mysql_url);
  PgClient pg(servers_.pg_url);
  pg.Exec(
      "DROP SCHEMA IF EXISTS names_pgcs CASCADE; CREATE SCHEMA names_pgcs;"
      "CREATE TABLE names_pgcs.\"Same\" (id int PRIMARY KEY, v text);"
      "CREATE TABLE names_pgcs.same (id int PRIMARY KEY, v text);"
      "INSERT INTO names_pgcs.\"Same\" VALUES (1, 'upper'), (2, 'upper');"
      "INSERT INTO names_pgcs.same VALUES (7, 'lower')");
  my.Exec("DROP DATABASE IF EXISTS names_pgcs_my; CREATE DATABASE names_pgcs_my");
  const std::string to_mariadb =
      "name: names_pgcs\n"
      "source:\n"
      "  type: postgres\n"
      "  url: " +
      servers_.pg_url +
      "\n"
      "  tables: [\"names_pgcs.*\"]\n"
      "target:\n"
      "  type: mysql\n"
      "  url: " +
      WithDatabase(servers_.mysql_url, "names_pgcs_my") +
      "\n"
      "  write_mode: overwrite\n";
  ProcessResult run = Sluice("run", to_mariadb, {"--progress", "none"});
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  EXPECT_EQ(Lines(my.Query("SELECT CONCAT(id, ':', v) FROM names_pgcs_my.Same ORDER BY id")),
            (std::vector<std::string>{"1:upper", "2:upper"}));
  EXPECT_EQ(Lines(my.Query("SELECT CONCAT(id, ':', v) FROM names_pgcs_my.same ORDER BY id")),
            (std::vector<std::string>{"7:lower"}));

  // SQLite's table names ignore case: check refuses the job, naming both tables.
  const std::string to_sqlite =
      "name: names_pgcs_sqlite\n"
      "source:\n"
      "  type: postgres\n"
      "  url: " +
      servers_.pg_url +
      "\n"
      "  tables: [\"names_pgcs.*\"]\n"
      "target: {type: sqlite, path: out.db}\n";
  ProcessResult check = Sluice("check", to_sqlite);
  EXPECT_EQ(check.exit_code, 2) << Describe(check);
  EXPECT_TRUE(Has(check.stderr_text,
                  "Same and same differ only by case, and the sqlite target "
                  "does not keep such names apart"))
      << Describe(check);
  EXPECT_FALSE(Has(check.stdout_text, "check passed")) << Describe(check);
}

// --- items 5 and 21: dots, quotes and backquotes in names -----------------------------------

TEST_F(NamesTest, DotsQuotesAndBackquotesInTableAndSchemaNames) {
  MysqlClient my(servers_.mysql_url);
  PgClient pg(servers_.pg_url);
  pg.Exec(
      "DROP SCHEMA IF EXISTS \"names_Q\"\" . S\" CASCADE; CREATE SCHEMA \"names_Q\"\" . S\";"
      "DROP SCHEMA IF EXISTS \"names_Q\"\" . S_out\" CASCADE;"
      "CREATE SCHEMA \"names_Q\"\" . S_out\";"
      "CREATE TABLE \"names_Q\"\" . S\".\"dot.ted\" (id int PRIMARY KEY);"
      "CREATE TABLE \"names_Q\"\" . S\".\"dq\"\"x\" (id int PRIMARY KEY);"
      "CREATE TABLE \"names_Q\"\" . S\".\"back`tick\" (id int PRIMARY KEY);"
      "CREATE TABLE \"names_Q\"\" . S\".\"T \" (id int PRIMARY KEY);"
      "INSERT INTO \"names_Q\"\" . S\".\"dot.ted\" VALUES (1);"
      "INSERT INTO \"names_Q\"\" . S\".\"dq\"\"x\" VALUES (2);"
      "INSERT INTO \"names_Q\"\" . S\".\"back`tick\" VALUES (3);"
      "INSERT INTO \"names_Q\"\" . S\".\"T \" VALUES (4)");
  // PostgreSQL -> PostgreSQL through ${db}: the schema's quote, dot and spaces stay in it.
  const std::string to_pg =
      "name: names_dots_pg\n"
      "source:\n"
      "  type: postgres\n"
      "  url: " +
      servers_.pg_url +
      "\n"
      "  tables: ['names_Q\" . S.*']\n"
      "target:\n"
      "  type: postgres\n"
      "  url: " +
      servers_.pg_url +
      "\n"
      "  table: \"${db}_out.${table}\"\n";
  ProcessResult run = Sluice("run", to_pg, {"--progress", "none"});
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  EXPECT_TRUE(Has(run.stdout_text, "4 tables done")) << Describe(run);
  EXPECT_EQ(Lines(pg.Query("SELECT tablename FROM pg_tables WHERE schemaname = 'names_Q\" . "
                           "S_out' AND tablename NOT LIKE '\\_sluice\\_%' ORDER BY 1")),
            (std::vector<std::string>{"T ", "back`tick", "dot.ted", "dq\"x"}));
  EXPECT_EQ(pg.Value("SELECT id FROM \"names_Q\"\" . S_out\".\"dq\"\"x\""), "2");

  // PostgreSQL -> MariaDB, the tables named explicitly.
  my.Exec("DROP DATABASE IF EXISTS names_dots_my; CREATE DATABASE names_dots_my");
  const std::string to_my =
      "name: names_dots_my\n"
      "source:\n"
      "  type: postgres\n"
      "  url: " +
      servers_.pg_url +
      "\n"
      "  tables: ['names_Q\" . S.dot.ted', 'names_Q\" . S.back`tick',\n"
      "           'names_Q\" . S.dq\"x']\n"
      "target:\n"
      "  type: mysql\n"
      "  url: " +
      WithDatabase(servers_.mysql_url, "names_dots_my") + "\n";
  run = Sluice("run", to_my, {"--progress", "none"});
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  EXPECT_EQ(Lines(my.Query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA "
                           "= 'names_dots_my' AND TABLE_NAME NOT LIKE '\\_sluice\\_%' ORDER BY 1")),
            (std::vector<std::string>{"back`tick", "dot.ted", "dq\"x"}));
  EXPECT_EQ(my.Value("SELECT id FROM names_dots_my.`back``tick`"), "3");

  // MariaDB -> PostgreSQL: a MariaDB table with a backquote and a dot is read (never quoted
  // twice) and lands under its own name.
  my.Exec(
      "CREATE TABLE names_dots_my.`x``y.z` (id INT PRIMARY KEY); "
      "INSERT INTO names_dots_my.`x``y.z` VALUES (9)");
  pg.Exec("DROP SCHEMA IF EXISTS names_dots_back CASCADE; CREATE SCHEMA names_dots_back");
  const std::string back =
      "name: names_dots_back\n"
      "source:\n"
      "  type: mysql\n"
      "  url: " +
      servers_.mysql_url +
      "\n"
      "  tables: ['names_dots_my.x`y.*']\n"
      "target:\n"
      "  type: postgres\n"
      "  url: " +
      servers_.pg_url +
      "\n"
      "  table: \"names_dots_back.${table}\"\n";
  run = Sluice("run", back, {"--progress", "none"});
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  EXPECT_EQ(pg.Value("SELECT id FROM names_dots_back.\"x`y.z\""), "9");
}

// --- item 6: names longer than PostgreSQL keeps ---------------------------------------------

TEST_F(NamesTest, PostgresNamesLongerThan63BytesAreRefusedAtCheck) {
  MysqlClient my(servers_.mysql_url);
  PgClient pg(servers_.pg_url);
  const std::string prefix(60, 'l');  // MariaDB keeps 64 characters
  my.Exec("DROP DATABASE IF EXISTS names_long; CREATE DATABASE names_long");
  my.Exec("CREATE TABLE names_long." + prefix +
          "_one (id INT PRIMARY KEY);"
          "CREATE TABLE names_long." +
          prefix + "_two (id INT PRIMARY KEY)");
  pg.Exec("DROP SCHEMA IF EXISTS names_long CASCADE; CREATE SCHEMA names_long");
  const std::string job =
      "name: names_long\n"
      "source:\n"
      "  type: mysql\n"
      "  url: " +
      servers_.mysql_url +
      "\n"
      "  tables: [\"names_long.*\"]\n"
      "target:\n"
      "  type: postgres\n"
      "  url: " +
      servers_.pg_url +
      "\n"
      "  table: \"names_long.${table}\"\n";
  ProcessResult check = Sluice("check", job);
  EXPECT_NE(check.exit_code, 0) << Describe(check);
  EXPECT_TRUE(Has(check.stdout_text + check.stderr_text,
                  "postgres target: table name '" + prefix +
                      "_one' is 64 bytes, and PostgreSQL "
                      "keeps only the first 63 (max_identifier_length)"))
      << Describe(check);
  ProcessResult run = Sluice("run", job, {"--progress", "none"});
  EXPECT_NE(run.exit_code, 0) << Describe(run);
  EXPECT_EQ(pg.Value("SELECT count(*) FROM pg_tables WHERE schemaname = 'names_long' AND "
                     "tablename NOT LIKE '\\_sluice\\_%'"),
            "0");
}

// --- item 3: columns that differ only by case -----------------------------------------------

TEST_F(NamesTest, ColumnsDifferingOnlyByCaseAreRefusedAtCheck) {
  MysqlClient my(servers_.mysql_url);
  PgClient pg(servers_.pg_url);
  pg.Exec(
      "DROP SCHEMA IF EXISTS names_cols CASCADE; CREATE SCHEMA names_cols;"
      "CREATE TABLE names_cols.src (id int PRIMARY KEY, \"A\" int, a int);"
      "INSERT INTO names_cols.src VALUES (1, 10, 20);"
      "CREATE TABLE names_cols.dst (id int PRIMARY KEY, a int)");
  my.Exec(
      "DROP DATABASE IF EXISTS names_cols; CREATE DATABASE names_cols;"
      "CREATE TABLE names_cols.dst (id INT PRIMARY KEY, a INT)");
  const std::string to_my =
      "name: names_cols_my\n"
      "source: {type: postgres, url: \"" +
      servers_.pg_url +
      "\", table: names_cols.src}\n"
      "target: {type: mysql, url: \"" +
      servers_.mysql_url + "\", table: names_cols.dst}\n";
  ProcessResult check = Sluice("check", to_my);
  EXPECT_NE(check.exit_code, 0) << Describe(check);
  EXPECT_TRUE(Has(check.stderr_text,
                  "incoming columns 'A' and 'a' differ only by case, and "
                  "MariaDB column names ignore case"))
      << Describe(check);
  ProcessResult run = Sluice("run", to_my, {"--progress", "none"});
  EXPECT_NE(run.exit_code, 0) << Describe(run);
  EXPECT_EQ(my.Value("SELECT count(*) FROM names_cols.dst"), "0");

  const std::string to_pg =
      "name: names_cols_pg\n"
      "source: {type: postgres, url: \"" +
      servers_.pg_url +
      "\", table: names_cols.src}\n"
      "target: {type: postgres, url: \"" +
      servers_.pg_url + "\", table: names_cols.dst}\n";
  check = Sluice("check", to_pg);
  EXPECT_NE(check.exit_code, 0) << Describe(check);
  EXPECT_TRUE(Has(check.stderr_text, "incoming columns 'A' and 'a' both go to column 'a'"))
      << Describe(check);
  run = Sluice("run", to_pg, {"--progress", "none"});
  EXPECT_NE(run.exit_code, 0) << Describe(run);
  EXPECT_FALSE(Has(run.stderr_text, "specified more than once")) << Describe(run);
  EXPECT_TRUE(Has(run.stderr_text, "both go to column 'a'")) << Describe(run);
}

// --- item 20: the source's primary key; views ------------------------------------------------

TEST_F(NamesTest, WholeDatabaseTablesGetTheSourceKeyAndViewsAreNamed) {
  MysqlClient my(servers_.mysql_url);
  PgClient pg(servers_.pg_url);
  my.Exec("DROP DATABASE IF EXISTS names_pk; CREATE DATABASE names_pk");
  my.Exec(
      "CREATE TABLE names_pk.orders (shop INT, id INT, v INT, PRIMARY KEY (shop, id));"
      "CREATE TABLE names_pk.plain (v INT);"
      "CREATE VIEW names_pk.big_orders AS SELECT * FROM names_pk.orders WHERE v > 1;"
      "INSERT INTO names_pk.orders VALUES (1, 1, 1), (1, 2, 2)");
  pg.Exec("DROP SCHEMA IF EXISTS names_pk CASCADE; CREATE SCHEMA names_pk");
  const std::string job =
      "name: names_pk\n"
      "source:\n"
      "  type: mysql\n"
      "  url: " +
      servers_.mysql_url +
      "\n"
      "  tables: [\"names_pk.*\"]\n"
      "target:\n"
      "  type: postgres\n"
      "  url: " +
      servers_.pg_url +
      "\n"
      "  table: \"names_pk.${table}\"\n";
  ProcessResult check = Sluice("check", job);
  ASSERT_EQ(check.exit_code, 0) << Describe(check);
  EXPECT_TRUE(Has(check.stdout_text,
                  "warning: skipped view names_pk.big_orders: views are not "
                  "read by jobs over many tables"))
      << Describe(check);
  EXPECT_TRUE(Has(check.stdout_text, "key (shop, id) from the source's primary key"))
      << Describe(check);
  ProcessResult run = Sluice("run", job, {"--progress", "none"});
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  EXPECT_EQ(
      pg.Value("SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM pg_index i "
               "CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) "
               "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
               "WHERE i.indrelid = 'names_pk.orders'::regclass AND i.indisprimary"),
      "shop,id");
  EXPECT_EQ(pg.Value("SELECT count(*) FROM pg_index WHERE indrelid = 'names_pk.plain'::regclass"),
            "0");
  EXPECT_EQ(pg.Value("SELECT to_regclass('names_pk.big_orders') IS NULL"), "t");
}

}  // namespace
}  // namespace sluice::names_test
