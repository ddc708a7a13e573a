// Checkpoints, positions and fences of the PostgreSQL sink against a real server: the shared
// scenarios (sql_common/checkpoint_scenarios.h), a COMMIT cut by the server while paused at the
// test hook (kOutcomeUnknown), and a pending run whose marker is in an old _sluice_runs.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "connectors/postgres/pg_table.h"
#include "connectors/postgres/pg_testing.h"
#include "connectors/sql_common/checkpoint_scenarios.h"

namespace sluice::postgres {
namespace {

namespace scenarios = sql_common::testing;
using testing::DbUrl;
using testing::MakeOptions;
using testing::MakeSink;
using testing::RawConn;

scenarios::CheckpointTarget Target() {
  scenarios::CheckpointTarget t;
  t.make_sink = [](const std::string& table) -> std::unique_ptr<Sink> {
    return MakeSink(MakeOptions({{"table", table}}));
  };
  t.rows = [](const std::string& table) {
    RawConn db(DbUrl());
    if (db.Value("SELECT to_regclass('" + table + "') IS NULL") == "t") return std::string();
    return db.Value("SELECT coalesce(string_agg(id || ':' || name, ',' ORDER BY id), '') FROM " +
                    table);
  };
  t.position_rows = [](const std::string& job) {
    RawConn db(DbUrl());
    return std::stoll(db.Value("SELECT count(*) FROM _sluice_positions WHERE job = '" + job + "'"));
  };
  return t;
}

TEST(PgCheckpointTest, TwoCheckpointsThenTheLatestPositions) {
  scenarios::TwoCheckpointsThenTheLatestPositions(Target());
}
TEST(PgCheckpointTest, KilledAfterACheckpointRecoversItsRows) {
  scenarios::KilledAfterACheckpointRecoversItsRows(Target());
}
TEST(PgCheckpointTest, ALowerFenceIsRefused) {
  scenarios::ALowerFenceIsRefused(Target());
}
TEST(PgCheckpointTest, RecoverFencesOffAWriterStillAlive) {
  scenarios::RecoverFencesOffAWriterStillAlive(Target());
}
TEST(PgCheckpointTest, PositionsStayOneRowPerStream) {
  scenarios::PositionsStayOneRowPerStream(Target());
}
TEST(PgCheckpointTest, OverwriteCannotCheckpoint) {
  scenarios::OverwriteCannotCheckpoint(Target());
}
TEST(PgCheckpointTest, UpsertMergesAtEachCheckpoint) {
  scenarios::UpsertMergesAtEachCheckpoint(Target());
}

TEST(PgCheckpointTest, ACommitCutByTheServerIsOutcomeUnknown) {
  const std::string pause =
      (std::filesystem::temp_directory_path() / ("sluice-pause-" + std::to_string(getpid())))
          .string();
  std::filesystem::remove(pause);
  auto sink = MakeSink(MakeOptions({{"table", "ckpt_cut"}}));
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
  {
    RawConn db(DbUrl());
    EXPECT_EQ(db.Value("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                       "application_name = 'sluice " +
                       request.run_id + "'"),
              "1");
  }
  std::filesystem::remove(pause);
  commit.join();
  EXPECT_EQ(committed.code(), StatusCode::kOutcomeUnknown) << committed.ToString();
  (void)sink->Abort();

  // The next start asks the target: the backend died before COMMIT, so nothing landed.
  Result<bool> recovered = MakeSink(MakeOptions({{"table", "ckpt_cut"}}))
                               ->Recover(PendingRun{request.run_id, *state, request.job_name, 2});
  ASSERT_TRUE(recovered.has_value()) << recovered.error().ToString();
  EXPECT_FALSE(*recovered);
}

TEST(PgCheckpointTest, APendingRunMarkedInTheOldRunsTableIsRecognised) {
  RawConn db(DbUrl());
  db.Exec(
      "CREATE TABLE IF NOT EXISTS _sluice_runs (job text NOT NULL, run_id text PRIMARY KEY, "
      "committed_at timestamptz NOT NULL DEFAULT now())");
  db.Exec("INSERT INTO _sluice_runs (job, run_id) VALUES ('old_job', 'old-run-1')");
  auto sink = MakeSink(MakeOptions({{"table", "ckpt_old"}}));
  Result<bool> found =
      sink->Recover(PendingRun{"old-run-1", "\"public\".\"_sluice_runs\"", "old_job", 1});
  ASSERT_TRUE(found.has_value()) << found.error().ToString();
  EXPECT_TRUE(*found);
  found = sink->Recover(PendingRun{"old-run-2", "\"public\".\"_sluice_runs\"", "old_job", 1});
  ASSERT_TRUE(found.has_value()) << found.error().ToString();
  EXPECT_FALSE(*found);
  EXPECT_EQ(db.Value("SELECT count(*) FROM _sluice_runs"), "1");  // left as it was
  // Neither sluice table is listed among the schema's tables.
  Result<PgConnection> conn = PgConnection::Connect(DbUrl());
  ASSERT_TRUE(conn.has_value());
  Result<std::vector<std::string>> tables = ListTables(*conn, "public");
  ASSERT_TRUE(tables.has_value());
  for (const std::string& t : *tables) {
    EXPECT_NE(t, "_sluice_runs");
    EXPECT_NE(t, "_sluice_positions");
  }
}

}  // namespace
}  // namespace sluice::postgres
