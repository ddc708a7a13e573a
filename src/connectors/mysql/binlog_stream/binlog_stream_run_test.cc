// The real binary (build/sluice, beside this test binary) runs a realtime job from the test
// MariaDB into a SQLite append table: kill -9 while rows arrive, then `--catch-up`, leaves
// exactly the source's rows; an idle run stops within 2 s of SIGTERM with exit 0.
#include <sqlite3.h>

#include "connectors/mysql/binlog_stream/binlog_run_fixture.h"

namespace sluice::mysql::binlog_stream {
namespace {

using testing::ApplySourceChanges;
using testing::TestDatabase;

class RunTest : public testing::RunFixture {
 protected:
  // `target_keys` is the rest of the target mapping after the table.
  void WriteJob(TestDatabase& db, const std::string& target_keys = "write_mode: append") {
    WriteJobTo(db, fmt::format("{{type: sqlite, path: out.db, table: t, {}}}", target_keys));
  }

  std::vector<std::string> TargetRows() { return SqliteTargetRows(); }

  // count(*) and count(DISTINCT id) of the target table.
  std::pair<int64_t, int64_t> TargetCounts() {
    sqlite3* h = nullptr;
    std::pair<int64_t, int64_t> out{-1, -1};
    if (sqlite3_open((dir_ / "out.db").c_str(), &h) == SQLITE_OK) {
      sqlite3_stmt* st = nullptr;
      if (sqlite3_prepare_v2(h, "SELECT count(*), count(DISTINCT id) FROM t", -1, &st, nullptr) ==
              SQLITE_OK &&
          sqlite3_step(st) == SQLITE_ROW) {
        out = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1)};
      }
      sqlite3_finalize(st);
    }
    sqlite3_close(h);
    return out;
  }
};

TEST_F(RunTest, KillNineUnderLoadThenCatchUpHasExactRows) {
  TestDatabase db;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))");
  WriteJob(db);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");  // start: now

  constexpr int kTxns = 400;
  std::thread load([&] {
    for (int t = 0; t < kTxns; ++t) {
      db.Exec("BEGIN");
      db.Exec(fmt::format("INSERT INTO t VALUES ({}, 'a'), ({}, 'b')", 3 * t + 1, 3 * t + 2));
      db.Exec(fmt::format("INSERT INTO t VALUES ({}, 'c')", 3 * t + 3));
      db.Exec("COMMIT");
      if (t % 20 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(40));
    }
  });
  KillLiveRuns([&](int round) {
    // Checkpoints hold whole transactions: the target has a multiple of 3 rows.
    const auto [rows, distinct] = TargetCounts();
    if (rows >= 0) {
      EXPECT_EQ(rows % 3, 0) << "round " << round;
      EXPECT_EQ(rows, distinct) << "round " << round;
    }
  });
  load.join();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up", "--json"}), 0) << Log("run.log.err");
  const auto [rows, distinct] = TargetCounts();
  EXPECT_EQ(rows, 3 * kTxns);
  EXPECT_EQ(distinct, 3 * kTxns);
}

// Change capture end to end: inserts, updates in place, updates that move the key, and
// deletes, several on one key within a transaction, under kill -9, into an upsert target: after
// the last `--catch-up` the target equals the source.
TEST_F(RunTest, ChangesUnderKillNineConvergeToTheSource) {
  TestDatabase db;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))");
  WriteJob(db, "write_mode: upsert, key: [id]");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");

  constexpr int kTxns = 300;
  std::thread load([&] { ApplySourceChanges(db, kTxns); });
  KillLiveRuns();
  load.join();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up", "--json"}), 0) << Log("run.log.err");
  const std::vector<std::string> source = db.Rows("SELECT id, v FROM t ORDER BY id");
  EXPECT_EQ(source.size(), static_cast<size_t>(2 * kTxns - (kTxns - 1) / 3));
  EXPECT_EQ(TargetRows(), source);
}

TEST_F(RunTest, IdleRunStopsPromptlyOnSigterm) {
  TestDatabase db;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))");
  WriteJob(db);
  const pid_t pid = Spawn({"run", "job.yaml"}, "idle.log");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const auto t0 = std::chrono::steady_clock::now();
  kill(pid, SIGTERM);
  const int rc = Wait(pid);
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(rc, 0) << Log("idle.log.err");
  EXPECT_LT(took, std::chrono::seconds(2));
}

TEST_F(RunTest, AnUpdateFailsAnAppendRunWithTheTargetsError) {
  TestDatabase db;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))");
  WriteJob(db);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db.Exec("INSERT INTO t VALUES (1, 'a')");
  db.Exec("UPDATE t SET v = 'b' WHERE id = 1");
  // The target refuses the job's shape (updates into an append table): a configuration
  // error (exit 2), before anything of the run is committed.
  EXPECT_EQ(Run({"run", "job.yaml", "--catch-up"}), 2);
  EXPECT_NE(Log("run.log.err").find("the stream has updates or deletes"), std::string::npos)
      << Log("run.log.err");
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream
