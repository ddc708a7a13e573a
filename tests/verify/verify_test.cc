// `sluice verify` end to end: MariaDB -> PostgreSQL jobs synced with `sluice run`, then changed
// behind sluice's back with plain SQL (libmariadb, libpq), then verified by the real binary.
// Needs the throwaway servers (ctest fixture db_servers; label verify).
//
// Tables live in the MariaDB database `sluice_verify` and the PostgreSQL schema
// `sluice_verify`, each test with its own table names, so tests may run in parallel.
#include <libpq-fe.h>
#include <mysql.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "support/db_clients.h"
#include "support/process.h"
#include "support/workspace.h"
#include "testing/test_servers.h"

namespace sluice::verify_test {
namespace {

constexpr const char* kDb = "sluice_verify";

std::string MysqlUrl() {
  std::string url = testing::GetTestServers().mysql_url;
  return url.substr(0, url.rfind('/') + 1) + kDb;
}

class VerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ws = e2e::Workspace::Create("sluice-verify-");
    ASSERT_TRUE(ws.has_value()) << ws.error();
    workspace_.emplace(std::move(*ws));
    mysql_.emplace(testing::GetTestServers().mysql_url);
    pg_.emplace(testing::GetTestServers().pg_url);
    mysql_->Exec(std::string("CREATE DATABASE IF NOT EXISTS ") + kDb);
    // Tests running at once would race on IF NOT EXISTS (a duplicate-key error): one at a time.
    pg_->Exec(std::string("BEGIN; SELECT pg_advisory_xact_lock(73730); CREATE SCHEMA IF NOT "
                          "EXISTS ") +
              kDb + "; COMMIT");
  }
  void TearDown() override {
    if (HasFailure()) workspace_->Keep();
  }

  void WriteJob(const std::string& name, const std::string& yaml) {
    auto written = e2e::WriteFile(workspace_->Path(name), yaml);
    ASSERT_TRUE(written.has_value()) << written.error();
  }

  // `sluice ARGS`, in the workspace, with its own state store.
  e2e::ProcessResult Sluice(std::vector<std::string> args) {
    args.insert(args.begin(), SLUICE_BINARY);
    e2e::ProcessSpec spec{args,
                          workspace_->root(),
                          {{"SLUICE_STATE", "state.db"}},
                          workspace_->Path("stdout.txt"),
                          workspace_->Path("stderr.txt")};
    return e2e::RunProcess(spec, std::chrono::minutes(5));
  }

  std::optional<e2e::Workspace> workspace_;
  std::optional<test_db::MysqlClient> mysql_;
  std::optional<test_db::PgClient> pg_;
};

std::string Outcome(const e2e::ProcessResult& r) {
  return r.Describe() + "\nstdout:\n" + r.stdout_text + "stderr:\n" + r.stderr_text;
}

// (a), (b), (c): one million rows synced, then one changed value, then a missing and an extra
// row. One test: the table is built once.
TEST_F(VerifyTest, MillionRowsOkThenOneChangedValueThenMissingAndExtra) {
  mysql_->Exec(std::string("USE ") + kDb + R"(;
    DROP TABLE IF EXISTS big;
    CREATE TABLE big (id BIGINT PRIMARY KEY, customer VARCHAR(40) NOT NULL,
                      amount DECIMAL(12,2), qty INT UNSIGNED, price DOUBLE,
                      created_at DATETIME(6), note TEXT);
    INSERT INTO big SELECT seq, CONCAT('customer ', seq % 1000), (seq % 100000) / 100,
                           seq % 50, seq / 8, '2024-01-01' + INTERVAL seq SECOND,
                           IF(seq % 7 = 0, NULL, IF(seq % 7 = 1, '', CONCAT('n', seq)))
                    FROM seq_1_to_1000000;)");
  pg_->Exec("DROP TABLE IF EXISTS sluice_verify.big");
  WriteJob("big.yaml",
           "name: verify_big\n"
           "source: {type: mysql, url: '" +
               MysqlUrl() +
               "', table: big}\n"
               "target: {type: postgres, url: '" +
               testing::GetTestServers().pg_url +
               "', table: sluice_verify.big, write_mode: overwrite}\n"
               "settings: {parallelism: 2}\n");
  e2e::ProcessResult run = Sluice({"run", "big.yaml", "--progress", "none"});
  ASSERT_EQ(run.exit_code, 0) << Outcome(run);

  auto start = std::chrono::steady_clock::now();
  e2e::ProcessResult ok = Sluice({"verify", "big.yaml"});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("verify of 1,000,000 equal rows (MariaDB -> PostgreSQL): %.2f s, %.0f rows/s\n",
              seconds, 1e6 / seconds);
  ASSERT_EQ(ok.exit_code, 0) << Outcome(ok);
  EXPECT_NE(ok.stdout_text.find("sluice_verify.big  OK  1,000,000 rows"), std::string::npos)
      << ok.stdout_text;

  // (b) one value among a million.
  pg_->Exec("UPDATE sluice_verify.big SET amount = amount + 0.01 WHERE id = 654321");
  start = std::chrono::steady_clock::now();
  e2e::ProcessResult changed = Sluice({"verify", "big.yaml"});
  std::printf("verify of 1,000,000 rows with one changed value: %.2f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  EXPECT_EQ(changed.exit_code, 1) << Outcome(changed);
  EXPECT_NE(changed.stdout_text.find(
                "sluice_verify.big  DIFFERENT  source 1,000,000 rows, target 1,000,000: 1 changed"),
            std::string::npos)
      << changed.stdout_text;
  EXPECT_NE(changed.stdout_text.find("  changed id=654321: amount 543.21 -> 543.22\n"),
            std::string::npos)
      << changed.stdout_text;
  EXPECT_EQ(changed.stdout_text.find("  missing"), std::string::npos) << changed.stdout_text;

  // (c) one row deleted, one inserted.
  pg_->Exec("DELETE FROM sluice_verify.big WHERE id = 1000");
  pg_->Exec("INSERT INTO sluice_verify.big (id, customer) VALUES (2000000, 'intruder')");
  e2e::ProcessResult both = Sluice({"verify", "big.yaml", "--json"});
  EXPECT_EQ(both.exit_code, 1) << Outcome(both);
  for (const char* expected : {R"("verdict": "DIFFERENT")", R"("missing": 1)", R"("extra": 1)",
                               R"("changed": 1)", R"("kind": "missing",)", R"("key": "id=1000")",
                               R"("key": "id=2000000")", R"("target_rows": 1000000)"}) {
    EXPECT_NE(both.stdout_text.find(expected), std::string::npos) << expected << "\n"
                                                                  << both.stdout_text;
  }
}

// (d) a multi-table job: two tables, one of them changed in the target.
TEST_F(VerifyTest, MultiTableJobNamesTheDifferingTable) {
  mysql_->Exec(std::string("USE ") + kDb + R"(;
    DROP TABLE IF EXISTS multi_a, multi_b;
    CREATE TABLE multi_a (id INT PRIMARY KEY, doc JSON, flag BOOL, at TIMESTAMP(3) NULL,
                          ratio FLOAT, big BIGINT UNSIGNED);
    INSERT INTO multi_a SELECT seq, JSON_OBJECT('k', seq, 'a', 'x', 'z', 1.50), seq % 2,
                               FROM_UNIXTIME(1700000000 + seq), seq / 3, 18446744073709551615 - seq
                        FROM seq_1_to_2000;
    CREATE TABLE multi_b (code VARCHAR(10) PRIMARY KEY, label VARCHAR(20), d DATE);
    INSERT INTO multi_b SELECT CONCAT('c', seq), CONCAT('label ', seq), '2024-01-01' + INTERVAL seq DAY
                        FROM seq_1_to_500;)");
  pg_->Exec("DROP TABLE IF EXISTS sluice_verify.multi_a, sluice_verify.multi_b");
  WriteJob("multi.yaml",
           "name: verify_multi\n"
           "source: {type: mysql, url: '" +
               MysqlUrl() +
               "', tables: ['multi_*']}\n"
               "target: {type: postgres, url: '" +
               testing::GetTestServers().pg_url +
               "', table: 'sluice_verify.${table}', write_mode: overwrite}\n"
               "settings: {parallelism: 2}\n");
  e2e::ProcessResult run = Sluice({"run", "multi.yaml", "--progress", "none"});
  ASSERT_EQ(run.exit_code, 0) << Outcome(run);
  e2e::ProcessResult ok = Sluice({"verify", "multi.yaml"});
  ASSERT_EQ(ok.exit_code, 0) << Outcome(ok);
  EXPECT_NE(ok.stdout_text.find("sluice_verify.multi_a  OK  2,000 rows"), std::string::npos)
      << ok.stdout_text;
  EXPECT_NE(ok.stdout_text.find("verify: 2 tables, 2 OK, 0 DIFFERENT, 0 FAILED"), std::string::npos)
      << ok.stdout_text;

  pg_->Exec("UPDATE sluice_verify.multi_b SET label = 'edited' WHERE code = 'c77'");
  e2e::ProcessResult differ = Sluice({"verify", "multi.yaml"});
  EXPECT_EQ(differ.exit_code, 1) << Outcome(differ);
  EXPECT_NE(differ.stdout_text.find("sluice_verify.multi_a  OK  2,000 rows"), std::string::npos)
      << differ.stdout_text;
  EXPECT_NE(differ.stdout_text.find("sluice_verify.multi_b  DIFFERENT  source 500 rows, target "
                                    "500: 1 changed"),
            std::string::npos)
      << differ.stdout_text;
  EXPECT_NE(differ.stdout_text.find("  changed code='c77': label 'label 77' -> 'edited'\n"),
            std::string::npos)
      << differ.stdout_text;
  EXPECT_NE(differ.stdout_text.find("verify: 2 tables, 1 OK, 1 DIFFERENT, 0 FAILED"),
            std::string::npos)
      << differ.stdout_text;
}

// PostgreSQL -> MariaDB into one partition, instants landing in DATETIME as wall-clock time
// in the target's time_zone: verify reads only that partition, leaves the partition column
// out, and compares the wall-clock values as instants in that zone.
TEST_F(VerifyTest, PartitionAndWallClockTargetInTheTargetsZone) {
  pg_->Exec(R"(DROP TABLE IF EXISTS sluice_verify.events;
    CREATE TABLE sluice_verify.events (id int PRIMARY KEY, at timestamptz, amount numeric(10,2),
                                       tags jsonb);
    INSERT INTO sluice_verify.events
      SELECT g, timestamptz '2024-03-01 00:00:00+00' + g * interval '1 minute 0.5 second',
             g / 4.0, jsonb_build_object('z', g, 'a', 'x')
      FROM generate_series(1, 300) g)");
  mysql_->Exec(std::string("USE ") + kDb + "; DROP TABLE IF EXISTS events_p");
  WriteJob("part.yaml",
           "name: verify_part\n"
           "source: {type: postgres, url: '" +
               testing::GetTestServers().pg_url +
               "', table: sluice_verify.events}\n"
               "target: {type: mysql, url: '" +
               MysqlUrl() +
               "', table: events_p,"
               " write_mode: overwrite, key: [id], time_zone: Asia/Shanghai,"
               " partition: {column: ds, value: '${bizdate}'}}\n");
  e2e::ProcessResult run =
      Sluice({"run", "part.yaml", "--bizdate", "20240301", "--progress", "none"});
  ASSERT_EQ(run.exit_code, 0) << Outcome(run);
  // Another day's rows in the same table are not this job's.
  mysql_->Exec(std::string("USE ") + kDb +
               "; INSERT INTO events_p (id, at, amount, tags, ds) "
               "VALUES (1, NOW(), 0, '{}', '20240302')");
  e2e::ProcessResult ok = Sluice({"verify", "part.yaml", "--bizdate", "20240301"});
  ASSERT_EQ(ok.exit_code, 0) << Outcome(ok);
  EXPECT_NE(ok.stdout_text.find("events_p  OK  300 rows"), std::string::npos) << ok.stdout_text;

  // One instant moved by a second (the DATETIME holds Shanghai wall-clock time).
  mysql_->Exec(std::string("USE ") + kDb +
               "; UPDATE events_p SET at = at + INTERVAL 1 SECOND WHERE id = 42 AND "
               "ds = '20240301'");
  e2e::ProcessResult moved = Sluice({"verify", "part.yaml", "--bizdate", "20240301"});
  EXPECT_EQ(moved.exit_code, 1) << Outcome(moved);
  EXPECT_NE(moved.stdout_text.find("  changed id=42: at 2024-03-01T00:42:21Z -> "
                                   "2024-03-01T00:42:22Z\n"),
            std::string::npos)
      << moved.stdout_text;
  EXPECT_NE(moved.stdout_text.find("(rows matched on id: target.key)"), std::string::npos)
      << moved.stdout_text;
}

}  // namespace
}  // namespace sluice::verify_test
