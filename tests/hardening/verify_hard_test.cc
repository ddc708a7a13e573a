// Hardening of `sluice verify` and of what a failed run leaves behind (issue 8, items 16 and
// 22), against the real servers: the sluice binary as a subprocess, the servers read back with
// libmariadb and libpq directly.
//
//   ZeroDates...            MariaDB -> MariaDB, a zero date in a NOT NULL column: a run that
//                           rejects every row leaves no table; verify of rejected rows says
//                           DIFFERENT, never "OK 0 rows"
//   SpecialValuesNull...    PostgreSQL numeric NaN read as NULL by special_values: null: verify
//                           says which values the job's rule explains
//   JsonNumbers...          MariaDB JSON {"a": 2e3} -> jsonb {"a": 2000} is equal
//
// Databases and schemas are prefixed verify_h and dropped first: the tests rerun.
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
#include "support/workspace.h"
#include "testing/test_servers.h"

namespace sluice::verify_hard_test {
namespace {

using hardening::Describe;
using hardening::WithDatabase;

using ::sluice::e2e::ProcessResult;
using ::sluice::e2e::ProcessSpec;
using ::sluice::e2e::Workspace;
using test_db::MysqlClient;
using test_db::PgClient;

class VerifyHardTest : public hardening::ServerTest {
 protected:
  VerifyHardTest() : ServerTest("verify-hard") {}
};

nlohmann::json OnlyTable(const ProcessResult& r) {
  nlohmann::json j = nlohmann::json::parse(r.stdout_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.contains("tables") || j["tables"].size() != 1) {
    ADD_FAILURE() << "not a one-table verify report:\n" << r.stdout_text;
    return nlohmann::json::object();
  }
  return j["tables"][0];
}

// A database of the running test's own: ctest runs the tests of this file in parallel.
std::string Db(const std::string& role) {
  return "verify_h_" + role + "_" +
         std::to_string(::testing::UnitTest::GetInstance()->current_test_info()->line());
}

// A source table of dates, `bad` of them zero dates in a NOT NULL column.
void CreateZeroDates(MysqlClient& my, int good, int bad) {
  my.Exec("DROP DATABASE IF EXISTS " + Db("src") + "; CREATE DATABASE " + Db("src") +
          ";"
          "DROP DATABASE IF EXISTS " +
          Db("dst") + "; CREATE DATABASE " + Db("dst") +
          ";"
          "SET SESSION sql_mode = '';"
          "CREATE TABLE " +
          Db("src") + ".t (id INT PRIMARY KEY, d DATE NOT NULL)");
  for (int i = 1; i <= good + bad; ++i) {
    my.Exec("INSERT INTO " + Db("src") + ".t VALUES (" + std::to_string(i) + ", " +
            (i <= good ? "'2024-03-01'" : "'0000-00-00'") + ")");
  }
}

std::string ZeroDatesJob(const testing::TestServers& servers, int error_limit) {
  return "name: verify_h_zero\n"
         "source: {type: mysql, url: \"" +
         WithDatabase(servers.mysql_url, Db("src")) +
         "\", table: t}\n"
         "target: {type: mysql, url: \"" +
         WithDatabase(servers.mysql_url, Db("dst")) +
         "\", table: t}\n"
         "settings: {error_limit: {rows: " +
         std::to_string(error_limit) + "}}\n";
}

// Before: the failed run left an empty verify_h_dst.t behind, and verify of it said
// "OK 0 rows", exit 0.
TEST_F(VerifyHardTest, ZeroDatesRejectedEverywhereLeaveNoTableAndVerifyIsNotOk) {
  MysqlClient my(servers_.mysql_url);
  CreateZeroDates(my, 0, 3);
  const std::string job = ZeroDatesJob(servers_, 0);
  ProcessResult run = Sluice("run", job);
  EXPECT_NE(run.exit_code, 0) << Describe(run);
  EXPECT_EQ(my.Value("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                     "'" +
                     Db("dst") + "' AND TABLE_NAME = 't'"),
            "0")
      << "the failed run left the table it created\n"
      << Describe(run);

  // The table as an earlier (or the user's) run made it, empty: verify must not say OK.
  my.Exec("CREATE TABLE " + Db("dst") + ".t (id INT PRIMARY KEY, d DATE NOT NULL)");
  ProcessResult verify = Sluice("verify", job);
  EXPECT_EQ(verify.exit_code, 1) << Describe(verify);
  EXPECT_NE(verify.stdout_text.find("DIFFERENT  source 0 rows, target 0: 3 unreadable source rows"),
            std::string::npos)
      << Describe(verify);
  EXPECT_NE(verify.stdout_text.find("unreadable source rows: 3"), std::string::npos)
      << Describe(verify);
  EXPECT_NE(verify.stdout_text.find("0000-00-00"), std::string::npos) << Describe(verify);
  ProcessResult json = Sluice("verify", job, {"--json"});
  EXPECT_EQ(json.exit_code, 1) << Describe(json);
  const nlohmann::json table = OnlyTable(json);
  EXPECT_EQ(table.value("verdict", ""), "DIFFERENT") << json.stdout_text;
  EXPECT_EQ(table.value("unreadable_source_rows", -1), 3) << json.stdout_text;
}

// Good and bad rows mixed, the bad ones within the error limit: the run commits the good ones;
// verify counts the rejected ones instead of dropping them from both sides.
TEST_F(VerifyHardTest, ZeroDatesAmongGoodRowsAreCountedByVerify) {
  MysqlClient my(servers_.mysql_url);
  CreateZeroDates(my, 5, 2);
  const std::string job = ZeroDatesJob(servers_, 10);
  ProcessResult run = Sluice("run", job);
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  EXPECT_EQ(my.Value("SELECT COUNT(*) FROM " + Db("dst") + ".t"), "5");
  ProcessResult json = Sluice("verify", job, {"--json"});
  EXPECT_EQ(json.exit_code, 1) << Describe(json);
  const nlohmann::json table = OnlyTable(json);
  EXPECT_EQ(table.value("verdict", ""), "DIFFERENT") << json.stdout_text;
  EXPECT_EQ(table.value("source_rows", -1), 5) << json.stdout_text;
  EXPECT_EQ(table.value("target_rows", -1), 5) << json.stdout_text;
  EXPECT_EQ(table.value("unreadable_source_rows", -1), 2) << json.stdout_text;
}

// A zero date read as NULL by the job's zero_date: null is explained, not a difference; a NULL
// the rule does not explain is.
TEST_F(VerifyHardTest, ZeroDateNullRuleIsExplainedByVerify) {
  MysqlClient my(servers_.mysql_url);
  CreateZeroDates(my, 3, 2);
  my.Exec("ALTER TABLE " + Db("src") + ".t ADD COLUMN e DATE NULL");
  std::string job =
      "name: verify_h_zero_null\n"
      "source: {type: mysql, url: \"" +
      WithDatabase(servers_.mysql_url, Db("src")) +
      "\", table: t, zero_date: \"null\"}\n"
      "target: {type: mysql, url: \"" +
      WithDatabase(servers_.mysql_url, Db("dst")) + "\", table: t}\n";
  my.Exec("CREATE TABLE " + Db("dst") + ".t (id INT PRIMARY KEY, d DATE NULL, e DATE NULL)");
  ProcessResult run = Sluice("run", job);
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  ProcessResult verify = Sluice("verify", job);
  EXPECT_EQ(verify.exit_code, 0) << Describe(verify);
  EXPECT_NE(verify.stdout_text.find("explained: 2 values read as NULL as the job's zero_date: "
                                    "null rule says (not counted as differences)"),
            std::string::npos)
      << Describe(verify);
  my.Exec("UPDATE " + Db("dst") + ".t SET d = NULL WHERE id = 1");
  verify = Sluice("verify", job);
  EXPECT_EQ(verify.exit_code, 1) << Describe(verify);
  EXPECT_NE(verify.stdout_text.find("changed id=1: d 2024-03-01 -> NULL"), std::string::npos)
      << Describe(verify);
}

// Before: OK with no word that NaN had become NULL.
// PostgreSQL -> MariaDB: a copy within one engine may carry NaN as it is (item 13).
TEST_F(VerifyHardTest, SpecialValuesNullIsExplainedByVerify) {
  PgClient pg(servers_.pg_url);
  MysqlClient my(servers_.mysql_url);
  my.Exec("DROP DATABASE IF EXISTS verify_h_special; CREATE DATABASE verify_h_special");
  pg.Exec(
      "DROP SCHEMA IF EXISTS verify_h CASCADE; CREATE SCHEMA verify_h;"
      "CREATE TABLE verify_h.src (id int PRIMARY KEY, v numeric);"
      "INSERT INTO verify_h.src VALUES (1, 1.5), (2, 'NaN'), (3, 'NaN'), (4, NULL)");
  const std::string job =
      "name: verify_h_special\n"
      "source: {type: postgres, url: \"" +
      servers_.pg_url +
      "\", table: verify_h.src, special_values: \"null\"}\n"
      "target: {type: mysql, url: \"" +
      WithDatabase(servers_.mysql_url, "verify_h_special") + "\", table: dst}\n";
  ProcessResult run = Sluice("run", job);
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  ProcessResult json = Sluice("verify", job, {"--json"});
  EXPECT_EQ(json.exit_code, 0) << Describe(json);
  const nlohmann::json table = OnlyTable(json);
  EXPECT_EQ(table.value("verdict", ""), "OK") << json.stdout_text;
  ASSERT_TRUE(table.contains("explained") && table["explained"].size() == 1) << json.stdout_text;
  EXPECT_EQ(table["explained"][0].value("rule", ""), "special_values: null");
  EXPECT_EQ(table["explained"][0].value("values", -1), 2);
  EXPECT_NE(table["explained"][0].value("first", "").find("numeric NaN"), std::string::npos)
      << json.stdout_text;
}

// Before: "changed id=1: doc '{"a": 2e3}' -> '{"a": 2000}'".
TEST_F(VerifyHardTest, JsonNumbersCompareByValueMariaDbToPostgres) {
  MysqlClient my(servers_.mysql_url);
  PgClient pg(servers_.pg_url);
  my.Exec(
      "DROP DATABASE IF EXISTS verify_h_json; CREATE DATABASE verify_h_json;"
      "CREATE TABLE verify_h_json.t (id INT PRIMARY KEY, doc JSON);"
      "INSERT INTO verify_h_json.t VALUES (1, '{\"a\": 2e3}'), (2, '{\"a\": 1E-2}'),"
      " (3, '{\"big\": 123456789012345678901234567890, \"x\": [1.50, -0]}')");
  pg.Exec("DROP SCHEMA IF EXISTS verify_h_json CASCADE; CREATE SCHEMA verify_h_json");
  const std::string job =
      "name: verify_h_json\n"
      "source: {type: mysql, url: \"" +
      WithDatabase(servers_.mysql_url, "verify_h_json") +
      "\", table: t}\n"
      "target: {type: postgres, url: \"" +
      servers_.pg_url + "\", table: verify_h_json.t}\n";
  ProcessResult run = Sluice("run", job);
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  EXPECT_EQ(pg.Value("SELECT doc::text FROM verify_h_json.t WHERE id = 1"), "{\"a\": 2000}");
  ProcessResult verify = Sluice("verify", job);
  EXPECT_EQ(verify.exit_code, 0) << Describe(verify);
  // A real change is still one.
  pg.Exec("UPDATE verify_h_json.t SET doc = '{\"a\": 2001}' WHERE id = 1");
  verify = Sluice("verify", job);
  EXPECT_EQ(verify.exit_code, 1) << Describe(verify);
}

}  // namespace
}  // namespace sluice::verify_hard_test
