// Checkpoints, positions and fences of the MySQL/MariaDB sink against a real server: the
// shared scenarios (sql_common/checkpoint_scenarios.h), and a pending run whose marker is in
// an old _sluice_runs.
#include <gtest/gtest.h>

#include "connectors/mysql/mysql_test_util.h"
#include "connectors/sql_common/checkpoint_scenarios.h"

namespace sluice::mysql {
namespace {

namespace scenarios = sql_common::testing;
using testing::MakeOptions;
using testing::MakeSink;
using testing::TestDatabase;

scenarios::CheckpointTarget Target(TestDatabase& db) {
  scenarios::CheckpointTarget t;
  t.make_sink = [&db](const std::string& table) -> std::unique_ptr<Sink> {
    return MakeSink(MakeOptions({{"url", db.Url()}, {"table", table}}));
  };
  t.rows = [&db](const std::string& table) {
    if (db.Value("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                 "DATABASE() AND TABLE_NAME = '" +
                 table + "'") == "0") {
      return std::string();
    }
    return db.Value("SELECT COALESCE(GROUP_CONCAT(CONCAT(id, ':', name) ORDER BY id), '') FROM " +
                    table);
  };
  t.position_rows = [&db](const std::string& job) {
    return std::stoll(db.Value("SELECT COUNT(*) FROM _sluice_positions WHERE job = '" + job + "'"));
  };
  return t;
}

TEST(MysqlCheckpointTest, TwoCheckpointsThenTheLatestPositions) {
  TestDatabase db;
  scenarios::TwoCheckpointsThenTheLatestPositions(Target(db));
}
TEST(MysqlCheckpointTest, KilledAfterACheckpointRecoversItsRows) {
  TestDatabase db;
  scenarios::KilledAfterACheckpointRecoversItsRows(Target(db));
}
TEST(MysqlCheckpointTest, ALowerFenceIsRefused) {
  TestDatabase db;
  scenarios::ALowerFenceIsRefused(Target(db));
}
TEST(MysqlCheckpointTest, RecoverFencesOffAWriterStillAlive) {
  TestDatabase db;
  scenarios::RecoverFencesOffAWriterStillAlive(Target(db));
}
TEST(MysqlCheckpointTest, PositionsStayOneRowPerStream) {
  TestDatabase db;
  scenarios::PositionsStayOneRowPerStream(Target(db));
}
TEST(MysqlCheckpointTest, OverwriteCannotCheckpoint) {
  TestDatabase db;
  scenarios::OverwriteCannotCheckpoint(Target(db));
}
TEST(MysqlCheckpointTest, UpsertMergesAtEachCheckpoint) {
  TestDatabase db;
  scenarios::UpsertMergesAtEachCheckpoint(Target(db));
}

TEST(MysqlCheckpointTest, APendingRunMarkedInTheOldRunsTableIsRecognised) {
  TestDatabase db;
  db.Exec(
      "CREATE TABLE _sluice_runs (job VARCHAR(255) NOT NULL, run_id VARCHAR(64) NOT NULL "
      "PRIMARY KEY, committed_at DATETIME(6) NOT NULL) ENGINE=InnoDB");
  db.Exec("INSERT INTO _sluice_runs VALUES ('old_job', 'old-run-1', UTC_TIMESTAMP(6))");
  auto sink = Target(db).make_sink("t");
  Result<bool> found = sink->Recover(PendingRun{"old-run-1", "", "old_job", 1});
  ASSERT_TRUE(found.has_value()) << found.error().ToString();
  EXPECT_TRUE(*found);
  found = sink->Recover(PendingRun{"old-run-2", "", "old_job", 1});
  ASSERT_TRUE(found.has_value()) << found.error().ToString();
  EXPECT_FALSE(*found);
}

}  // namespace
}  // namespace sluice::mysql
