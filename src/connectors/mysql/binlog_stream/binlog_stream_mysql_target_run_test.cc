// Change capture end to end into a MariaDB upsert target (another database of the same
// server): inserts, updates in place, key moves and deletes, several on one key within a
// transaction, under kill -9 three times, then `--catch-up`: the target equals the source.
#include "connectors/mysql/binlog_stream/binlog_run_fixture.h"

namespace sluice::mysql::binlog_stream {
namespace {

using testing::ApplySourceChanges;
using testing::TestDatabase;

class MysqlTargetRunTest : public testing::RunFixture {};

TEST_F(MysqlTargetRunTest, ChangesUnderKillNineConvergeToTheSource) {
  TestDatabase db;
  TestDatabase target;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))");
  WriteJobTo(db, fmt::format("{{type: mysql, url: \"{}\", table: t, write_mode: upsert, "
                             "key: [id]}}",
                             target.Url()));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");

  constexpr int kTxns = 300;
  std::thread load([&] { ApplySourceChanges(db, kTxns); });
  KillLiveRuns();
  load.join();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up", "--json"}), 0) << Log("run.log.err");
  const std::vector<std::string> source = db.Rows("SELECT id, v FROM t ORDER BY id");
  EXPECT_EQ(source.size(), static_cast<size_t>(2 * kTxns - (kTxns - 1) / 3));
  EXPECT_EQ(target.Rows("SELECT id, v FROM t ORDER BY id"), source);
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream

namespace sluice::mysql::binlog_stream {
namespace {

// A table of key columns only (a many-to-many link table), without write_mode or key in the
// job: its changes upsert by the primary key, which leaves no other column to update; a row
// written again (a retry after a crash re-applies a checkpoint's rows) must not fail the merge.
TEST_F(MysqlTargetRunTest, ALinkTableOfKeyColumnsOnly) {
  TestDatabase db;
  TestDatabase target;
  db.Exec("CREATE TABLE t (user_id INT, group_id INT, PRIMARY KEY (user_id, group_id))");
  db.Exec("INSERT INTO t VALUES (1, 10), (1, 11), (2, 10)");
  WriteJobTo(db, fmt::format("{{type: mysql, url: \"{}\", table: t}}", target.Url()));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db.Exec("DELETE FROM t WHERE user_id = 1 AND group_id = 10");
  db.Exec("INSERT INTO t VALUES (3, 12)");
  db.Exec("UPDATE t SET group_id = 13 WHERE user_id = 2");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  // Rows the target already holds, read again: the position is rewound to the start.
  target.Exec("DELETE FROM _sluice_positions");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(target.Rows("SELECT user_id, group_id FROM t ORDER BY 1, 2"),
            db.Rows("SELECT user_id, group_id FROM t ORDER BY 1, 2"));
}

// A live run whose table is idle while other tables write still commits where it stands now
// and then (every ten checkpoint intervals): a restart starts there, not at the table's last
// change, whose binlog files may be purged by then. Killed -9 after that, it misses nothing.
TEST_F(MysqlTargetRunTest, AnIdleRunCommitsItsPositionPastOtherTablesWrites) {
  TestDatabase db;
  TestDatabase target;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))");
  db.Exec("CREATE TABLE busy (id INT PRIMARY KEY, pad VARCHAR(200))");
  db.Exec("INSERT INTO t VALUES (1, 'snap')");
  std::ofstream(dir_ / "job.yaml") << fmt::format(
      "name: binlog_idle_{}\nmode: realtime\n"
      "source: {{type: mysql, url: \"{}\", table: {}.t}}\n"
      "target: {{type: mysql, url: \"{}\", table: t, write_mode: upsert, key: [id]}}\n"
      "settings: {{checkpoint: {{interval: 200ms}}}}\n",
      db.name(), db.Url(), db.name(), target.Url());
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  auto position = [&] {
    return target.Value("SELECT position FROM _sluice_positions WHERE stream = 'binlog'");
  };
  const std::string before = position();
  ASSERT_FALSE(before.empty());

  const pid_t live = Spawn({"run", "job.yaml"}, "live.log");
  ASSERT_TRUE(WaitForLog("live.log.err", "streaming")) << Log("live.log.err");
  for (int i = 0; i < 20; ++i) {
    db.Exec(fmt::format("INSERT INTO busy VALUES ({}, REPEAT('z', 200))", i));
  }
  // Where the server's binlog stands after those writes (tests run in parallel: it may be on).
  const std::vector<std::string> status = db.Rows("SHOW MASTER STATUS");
  ASSERT_FALSE(status.empty());
  const std::string file = status[0].substr(0, status[0].find('|'));
  const uint64_t offset = std::stoull(status[0].substr(status[0].find('|') + 1));
  const auto past_writes = [&](const std::string& at) {
    const size_t colon = at.rfind(':');
    if (colon == std::string::npos) return false;
    const std::string at_file = at.substr(0, colon);
    return at_file > file || (at_file == file && std::stoull(at.substr(colon + 1)) >= offset);
  };
  EXPECT_TRUE(Eventually([&] { return past_writes(position()); }, std::chrono::seconds(20)))
      << before << " -> " << position() << ", writes ended at " << file << ":" << offset << "\n"
      << Log("live.log.err");
  kill(live, SIGKILL);
  Wait(live);

  db.Exec("INSERT INTO t VALUES (2, 'after the kill')");
  db.Exec("UPDATE t SET v = 'snap+' WHERE id = 1");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(target.Rows("SELECT id, v FROM t ORDER BY id"),
            db.Rows("SELECT id, v FROM t ORDER BY id"));
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream
