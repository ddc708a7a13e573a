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
