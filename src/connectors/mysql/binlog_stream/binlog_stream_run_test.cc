// The real binary (build/sluice, beside this test binary) runs a realtime job from the test
// MariaDB into a SQLite append table: kill -9 while rows arrive, then `--catch-up`, leaves
// exactly the source's rows; an idle run stops within 2 s of SIGTERM with exit 0.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "connectors/mysql/mysql_test_util.h"

namespace sluice::mysql::binlog_stream {
namespace {

namespace fs = std::filesystem;
using mysql::testing::TestDatabase;

class RunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    binary_ = fs::read_symlink("/proc/self/exe").parent_path() / "sluice";
    if (!fs::exists(binary_)) GTEST_SKIP() << binary_ << " is not built";
    char tmpl[] = "/tmp/sluice-binlog-run-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (!dir_.empty() && !HasFailure()) fs::remove_all(dir_);
  }

  // `target_keys` is the rest of the target mapping after the table.
  void WriteJob(TestDatabase& db, const std::string& target_keys = "write_mode: append") {
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: binlog_run_{}\nmode: realtime\n"
        "source: {{type: mysql, url: \"{}\", table: {}.t}}\n"
        "target: {{type: sqlite, path: out.db, table: t, {}}}\n"
        "settings: {{checkpoint: {{rows: 20}}}}\n",
        db.name(), db.Url(), db.name(), target_keys);
  }

  // The target's rows as "id|v", by id.
  std::vector<std::string> TargetRows() {
    std::vector<std::string> out;
    sqlite3* h = nullptr;
    if (sqlite3_open((dir_ / "out.db").c_str(), &h) == SQLITE_OK) {
      sqlite3_stmt* st = nullptr;
      if (sqlite3_prepare_v2(h, "SELECT id || '|' || coalesce(v, 'NULL') FROM t ORDER BY id", -1,
                             &st, nullptr) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
          out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
        }
      }
      sqlite3_finalize(st);
    }
    sqlite3_close(h);
    return out;
  }

  pid_t Spawn(const std::vector<std::string>& args, const std::string& log) {
    const pid_t pid = fork();
    if (pid == 0) {
      if (chdir(dir_.c_str()) != 0) _exit(127);
      setenv("SLUICE_STATE", (dir_ / "state.db").c_str(), 1);
      FILE* out = freopen(log.c_str(), "w", stdout);
      FILE* err = freopen((log + ".err").c_str(), "w", stderr);
      (void)out;
      (void)err;
      std::vector<char*> argv{const_cast<char*>(binary_.c_str())};
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(binary_.c_str(), argv.data());
      _exit(127);
    }
    return pid;
  }

  int Wait(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  int Run(const std::vector<std::string>& args) { return Wait(Spawn(args, "run.log")); }

  // Three live runs, each killed with -9 a little later than the one before; `after_kill`
  // looks at the target after each.
  void KillLiveRuns(const std::function<void(int)>& after_kill = {}) {
    for (int round = 0; round < 3; ++round) {
      const pid_t pid = Spawn({"run", "job.yaml"}, "live.log");
      std::this_thread::sleep_for(std::chrono::milliseconds(400 + 150 * round));
      kill(pid, SIGKILL);
      Wait(pid);
      if (after_kill) after_kill(round);
    }
  }

  std::string Log(const std::string& name) {
    std::ifstream in(dir_ / name);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

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

  fs::path binary_;
  fs::path dir_;
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
  std::thread load([&] {
    for (int t = 0; t < kTxns; ++t) {
      const int a = 4 * t + 1;
      db.Exec("BEGIN");
      db.Exec(fmt::format("INSERT INTO t VALUES ({}, 'new'), ({}, 'new'), ({}, 'new')", a, a + 1,
                          a + 2));
      db.Exec(fmt::format("UPDATE t SET v = 'updated' WHERE id = {}", a));
      db.Exec(fmt::format("UPDATE t SET v = 'twice' WHERE id = {}", a));
      db.Exec(fmt::format("UPDATE t SET id = {} WHERE id = {}", a + 3, a + 1));  // moves a key
      db.Exec(fmt::format("DELETE FROM t WHERE id = {}", a + 2));
      if (t > 0 && t % 3 == 0) db.Exec(fmt::format("DELETE FROM t WHERE id = {}", a - 4));
      db.Exec("COMMIT");
      if (t % 20 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(40));
    }
  });
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
