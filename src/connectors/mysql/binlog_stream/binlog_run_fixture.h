// The fixture of the end-to-end binlog runs: the real binary (build/sluice, beside the test
// binary) in a temporary folder, spawned, killed with -9 and waited for; and the source load
// of inserts, updates in place, key moves and deletes that the change runs replay. Shared by
// the runs into SQLite (binlog_stream_run_test.cc) and into MariaDB
// (binlog_stream_mysql_target_run_test.cc).
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "connectors/mysql/mysql_test_util.h"

namespace sluice::mysql::binlog_stream::testing {

namespace fs = std::filesystem;
using mysql::testing::TestDatabase;

class RunFixture : public ::testing::Test {
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

  // A realtime job from `db`.t into `target` (a YAML flow mapping), checkpointing every 20 rows.
  void WriteJobTo(TestDatabase& db, const std::string& target) {
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: binlog_run_{}\nmode: realtime\n"
        "source: {{type: mysql, url: \"{}\", table: {}.t}}\n"
        "target: {}\n"
        "settings: {{checkpoint: {{rows: 20}}}}\n",
        db.name(), db.Url(), db.name(), target);
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

  fs::path binary_;
  fs::path dir_;
};

// `txns` source transactions of inserts, updates in place (twice on one key), a key move and
// deletes, several on one key within a transaction. The source ends with
// 2 * txns - (txns - 1) / 3 rows.
inline void ApplySourceChanges(TestDatabase& db, int txns) {
  for (int t = 0; t < txns; ++t) {
    const int a = 4 * t + 1;
    db.Exec("BEGIN");
    db.Exec(
        fmt::format("INSERT INTO t VALUES ({}, 'new'), ({}, 'new'), ({}, 'new')", a, a + 1, a + 2));
    db.Exec(fmt::format("UPDATE t SET v = 'updated' WHERE id = {}", a));
    db.Exec(fmt::format("UPDATE t SET v = 'twice' WHERE id = {}", a));
    db.Exec(fmt::format("UPDATE t SET id = {} WHERE id = {}", a + 3, a + 1));  // moves a key
    db.Exec(fmt::format("DELETE FROM t WHERE id = {}", a + 2));
    if (t > 0 && t % 3 == 0) db.Exec(fmt::format("DELETE FROM t WHERE id = {}", a - 4));
    db.Exec("COMMIT");
    if (t % 20 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(40));
  }
}

}  // namespace sluice::mysql::binlog_stream::testing
