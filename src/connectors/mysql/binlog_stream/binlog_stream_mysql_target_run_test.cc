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

}  // namespace
}  // namespace sluice::mysql::binlog_stream
