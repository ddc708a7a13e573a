// Checkpoints, positions and fences of the MySQL/MariaDB sink against a real server: the
// shared scenarios (sql_common/checkpoint_scenarios.h), a COMMIT cut by KILL CONNECTION while
// paused at the test hook (kOutcomeUnknown), and a pending run whose marker is in an old
// _sluice_runs.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <thread>

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

// The sink's connection is killed from a second one while the sink waits at the test hook,
// just before COMMIT: the COMMIT gets no answer, and the sink says the outcome is unknown.
TEST(MysqlCheckpointTest, ACommitCutByTheServerIsOutcomeUnknown) {
  TestDatabase db;
  const std::string pause =
      (std::filesystem::temp_directory_path() / ("sluice-my-pause-" + std::to_string(getpid())))
          .string();
  std::filesystem::remove(pause);
  auto sink = Target(db).make_sink("ckpt_cut");
  WriteRequest request = scenarios::RunRequest("ckpt_cut", 1);
  Result<std::string> state = sink->Prepare(request);
  ASSERT_TRUE(state.has_value()) << state.error().ToString();
  auto writer = sink->OpenWriter();
  scenarios::NoRejects rejects;
  ASSERT_TRUE((*writer)->Write(scenarios::Ids({1, 2}), rejects).ok());
  ASSERT_TRUE((*writer)->Finish().ok());

  setenv("SLUICE_TEST_PAUSE_AT_COMMIT", pause.c_str(), 1);
  Status committed;
  std::thread commit([&] { committed = sink->Checkpoint(scenarios::At("a", "b")); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!std::filesystem::exists(pause) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  unsetenv("SLUICE_TEST_PAUSE_AT_COMMIT");
  EXPECT_TRUE(std::filesystem::exists(pause)) << "the checkpoint never reached its COMMIT";
  // The one transaction that wrote rows from a session of this test's database is the sink's
  // (other tests, on other databases of the same server, may be writing at the same time).
  const std::string writer_id = db.Value(
      "SELECT t.trx_mysql_thread_id FROM information_schema.INNODB_TRX t JOIN "
      "information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id WHERE p.DB = DATABASE() "
      "AND t.trx_mysql_thread_id <> CONNECTION_ID() AND t.trx_rows_modified > 0");
  db.Exec("KILL CONNECTION " + writer_id);
  std::filesystem::remove(pause);
  commit.join();
  EXPECT_EQ(committed.code(), StatusCode::kOutcomeUnknown) << committed.ToString();
  (void)sink->Abort();

  Result<bool> recovered = Target(db)
                               .make_sink("ckpt_cut")
                               ->Recover(PendingRun{request.run_id, *state, request.job_name, 2});
  ASSERT_TRUE(recovered.has_value()) << recovered.error().ToString();
  EXPECT_FALSE(*recovered);
  EXPECT_EQ(Target(db).rows("ckpt_cut"), "");
}

}  // namespace
}  // namespace sluice::mysql
