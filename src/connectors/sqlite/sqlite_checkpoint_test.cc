// Checkpoints, positions and fences of the SQLite sink on a real file: the shared scenarios
// (sql_common/checkpoint_scenarios.h). SQLite has one writer at a time: a second sink cannot
// prepare while the first holds the write lock, so the scenarios that need two live writers
// do not apply (concurrent_writers = false).
#include <gtest/gtest.h>

#include "connectors/sql_common/checkpoint_scenarios.h"
#include "connectors/sqlite/sqlite_sink.h"
#include "connectors/sqlite/sqlite_table.h"
#include "connectors/sqlite/sqlite_test_util.h"

namespace sluice::sqlite {
namespace {

namespace scenarios = sql_common::testing;

class SqliteCheckpointTest : public ::testing::Test {
 protected:
  scenarios::CheckpointTarget Target() {
    scenarios::CheckpointTarget t;
    t.make_sink = [this](const std::string& table) -> std::unique_ptr<Sink> {
      return std::make_unique<SqliteSink>(testing::Config(db_, table));
    };
    t.rows = [this](const std::string& table) {
      std::vector<std::string> exists = testing::QueryRows(
          db_, "SELECT count(*) FROM sqlite_schema WHERE name = '" + table + "'");
      if (exists.empty() || exists[0] == "0") return std::string();
      std::vector<std::string> rows = testing::QueryRows(
          db_,
          "SELECT coalesce(group_concat(id || ':' || name, ','), '') FROM (SELECT id, name "
          "FROM " +
              table + " ORDER BY id)");
      return rows.empty() ? std::string() : rows[0];
    };
    t.position_rows = [this](const std::string& job) {
      return std::stoll(testing::QueryRows(
          db_, "SELECT count(*) FROM _sluice_positions WHERE job = '" + job + "'")[0]);
    };
    t.concurrent_writers = false;
    return t;
  }

  testing::TempDir dir_;
  std::string db_ = dir_.File("target.db");
};

TEST_F(SqliteCheckpointTest, TwoCheckpointsThenTheLatestPositions) {
  scenarios::TwoCheckpointsThenTheLatestPositions(Target());
}
TEST_F(SqliteCheckpointTest, KilledAfterACheckpointRecoversItsRows) {
  scenarios::KilledAfterACheckpointRecoversItsRows(Target());
}
TEST_F(SqliteCheckpointTest, ALowerFenceIsRefused) {
  scenarios::ALowerFenceIsRefused(Target());
}
TEST_F(SqliteCheckpointTest, PositionsStayOneRowPerStream) {
  scenarios::PositionsStayOneRowPerStream(Target());
}
TEST_F(SqliteCheckpointTest, OverwriteCannotCheckpoint) {
  scenarios::OverwriteCannotCheckpoint(Target());
}
TEST_F(SqliteCheckpointTest, UpsertMergesAtEachCheckpoint) {
  scenarios::UpsertMergesAtEachCheckpoint(Target());
}

TEST_F(SqliteCheckpointTest, APendingRunMarkedInTheOldRunsTableIsRecognised) {
  testing::ExecSql(db_,
                   "CREATE TABLE _sluice_runs (job TEXT, run_id TEXT PRIMARY KEY, committed_at "
                   "TEXT); INSERT INTO _sluice_runs VALUES ('old_job', 'old-run-1', 'then')");
  SqliteSink sink(testing::Config(db_, "t"));
  Result<bool> found = sink.Recover(PendingRun{"old-run-1", "", "old_job", 1});
  ASSERT_TRUE(found.has_value()) << found.error().ToString();
  EXPECT_TRUE(*found);
  found = sink.Recover(PendingRun{"old-run-2", "", "old_job", 1});
  ASSERT_TRUE(found.has_value()) << found.error().ToString();
  EXPECT_FALSE(*found);
  // Neither sluice table is listed among the file's tables.
  Result<Database> db = Database::Open(db_, SQLITE_OPEN_READONLY, 1000);
  ASSERT_TRUE(db.has_value());
  Result<std::vector<std::string>> tables = ListTables(*db);
  ASSERT_TRUE(tables.has_value());
  EXPECT_TRUE(tables->empty()) << tables->front();
}

}  // namespace
}  // namespace sluice::sqlite
