// The fixture of the end-to-end binlog runs: the real binary (build/sluice, beside the test
// binary) in a temporary folder, spawned, killed with -9 and waited for; and the source load
// of inserts, updates in place, key moves and deletes that the change runs replay. Shared by
// the runs into SQLite (binlog_stream_run_test.cc) and into MariaDB
// (binlog_stream_mysql_target_run_test.cc).
#pragma once

#include <gtest/gtest.h>

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testing/binary_run.h"

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

class RunFixture : public sluice::testing::BinaryRunTest {
 protected:
  void SetUp() override {
    BinaryRunTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
  }
  void TearDown() override { BinaryRunTest::TearDown(); }

  // A realtime job from `db`.t into `target` (a YAML flow mapping), checkpointing every 20 rows.
  void WriteJobTo(TestDatabase& db, const std::string& target) {
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: binlog_run_{}\nmode: realtime\n"
        "source: {{type: mysql, url: \"{}\", table: {}.t}}\n"
        "target: {}\n"
        "settings: {{checkpoint: {{rows: 20}}}}\n",
        db.name(), db.Url(), db.name(), target);
  }

  // The rows of table t of the SQLite target out.db as "id|v", by id; none while it cannot be
  // read (a run holds it, or it is not there yet).
  std::vector<std::string> SqliteTargetRows() {
    std::vector<std::string> out;
    sqlite3* h = nullptr;
    if (sqlite3_open_v2((dir_ / "out.db").c_str(), &h, SQLITE_OPEN_READONLY, nullptr) ==
        SQLITE_OK) {
      sqlite3_busy_timeout(h, 2000);
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
