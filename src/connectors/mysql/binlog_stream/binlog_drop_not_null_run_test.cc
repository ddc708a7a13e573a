// A column declared NOT NULL at the source, dropped there while a realtime job streams from
// MariaDB's binlog: the target column was created NOT NULL from the source, and the rows after
// the drop write NULL there. The target must take them (its column made nullable, type kept),
// not refuse the checkpoint and leave the job stuck; a kill -9 between the checkpoint before the
// drop and the target's ALTER converges on resume. End to end with the real binary.
#include "connectors/mysql/binlog_stream/binlog_run_fixture.h"
#include "connectors/postgres/pg_testing.h"

namespace sluice::mysql::binlog_stream {
namespace {

using testing::TestDatabase;

class BinlogDropNotNullTest : public testing::RunFixture {
 protected:
  void CreateSource(TestDatabase& db) {
    db.Exec(
        "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20), d VARCHAR(20) CHARACTER SET latin1 "
        "COLLATE latin1_bin NOT NULL)");
    db.Exec("INSERT INTO t VALUES (1, 'one', 'd1'), (2, 'two', 'd2'), (3, 'three', 'd3')");
  }
  void DropAndWrite(TestDatabase& db) {
    db.Exec("ALTER TABLE t DROP COLUMN d");
    db.Exec("INSERT INTO t VALUES (4, 'four')");
    db.Exec("UPDATE t SET v = 'one+' WHERE id = 1");
  }
  static std::vector<std::string> Expected() {
    return {"1|one+|NULL", "2|two|d2", "3|three|d3", "4|four|NULL"};
  }
  bool Streaming() {
    for (int i = 0; i < 1500; ++i) {
      if (Log("live.log.err").find("streaming from") != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  void WriteJobToMysql(TestDatabase& db, TestDatabase& target) {
    WriteJobTo(db, fmt::format("{{type: mysql, url: \"{}\", table: t, write_mode: upsert, "
                               "key: [id]}}",
                               target.Url()));
  }
  static std::string TargetD(TestDatabase& target) {
    return target.Value(
        "SELECT CONCAT(IS_NULLABLE, ' ', COLUMN_TYPE, ' ', COALESCE(COLLATION_NAME, '-')) FROM "
        "information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND "
        "COLUMN_NAME = 'd'");
  }
};

// A live run (its Open read d) meets the DROP: d is NULL in the rows after it, also in row 1's
// update, and the target's d takes it.
TEST_F(BinlogDropNotNullTest, LiveRunIntoMysqlTheColumnTakesNullKeepingItsType) {
  TestDatabase db;
  TestDatabase target;
  CreateSource(db);
  WriteJobToMysql(db, target);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  const std::string before = TargetD(target);
  ASSERT_EQ(before.substr(0, 3), "NO ") << before;  // created NOT NULL from the source

  const pid_t live = Spawn({"run", "job.yaml"}, "live.log");
  ASSERT_TRUE(Streaming()) << Log("live.log.err");
  DropAndWrite(db);
  bool arrived = false;
  for (int i = 0; i < 1500 && !arrived; ++i) {
    arrived = target.Value("SELECT count(*) FROM t WHERE v = 'one+'") == "1";
    if (!arrived) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(live, SIGTERM);
  ASSERT_EQ(Wait(live), 0) << Log("live.log.err");
  ASSERT_TRUE(arrived) << Log("live.log.err");
  EXPECT_EQ(target.Rows("SELECT id, v, d FROM t ORDER BY id"), Expected());
  EXPECT_EQ(TargetD(target), "YES" + before.substr(2));  // the same type, now nullable
}

// A run that starts after the DROP does not know d from its Open (which reads the table
// without it), and no row of the binlog from its position has it: its start relaxes the
// target's d, which its rows do not name, and the DROP statement has it learn d from the last
// TABLE_MAP before its start, so row 1, updated after the drop, is NULL there as the source
// says (not its old d, which a PostgreSQL upsert would otherwise keep).
TEST_F(BinlogDropNotNullTest, RunAfterTheDropIntoPostgres) {
  TestDatabase db;
  CreateSource(db);
  postgres::testing::RawConn pg(postgres::testing::DbUrl());
  const std::string schema = "dnn_" + db.name();
  pg.Exec(fmt::format("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}", schema));
  WriteJobTo(db, fmt::format("{{type: postgres, url: \"{}\", table: {}.t, write_mode: upsert, "
                             "key: [id]}}",
                             postgres::testing::DbUrl(), schema));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  const std::string nullable = fmt::format(
      "SELECT is_nullable FROM information_schema.columns WHERE table_schema = '{}' AND "
      "table_name = 't' AND column_name = 'd'",
      schema);
  ASSERT_EQ(pg.Value(nullable), "NO");
  DropAndWrite(db);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  std::vector<std::string> rows;
  for (const auto& r :
       pg.Rows(fmt::format("SELECT id, v, coalesce(d, 'NULL') FROM {}.t ORDER BY id", schema))) {
    rows.push_back(r[0] + "|" + r[1] + "|" + r[2]);
  }
  EXPECT_EQ(rows,
            (std::vector<std::string>{"1|one+|NULL", "2|two|d2", "3|three|d3", "4|four|NULL"}));
  EXPECT_EQ(pg.Value(nullable), "YES");
  pg.Exec(fmt::format("DROP SCHEMA {} CASCADE", schema));
}

// Killed with -9 after the checkpoint before the drop and before the target's ALTER: the resume
// (whose Open reads the table without d) relaxes the target's d, which its rows do not name.
TEST_F(BinlogDropNotNullTest, KilledBeforeTheTargetsAlterConverges) {
  TestDatabase db;
  TestDatabase target;
  CreateSource(db);
  WriteJobToMysql(db, target);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  setenv("SLUICE_TEST_KILL_AT_SCHEMA_CHANGE", "before_alter", 1);
  const pid_t live = Spawn({"run", "job.yaml"}, "live.log");
  unsetenv("SLUICE_TEST_KILL_AT_SCHEMA_CHANGE");
  ASSERT_TRUE(Streaming()) << Log("live.log.err");
  DropAndWrite(db);
  ASSERT_EQ(Wait(live), 128 + SIGKILL) << Log("live.log.err");
  EXPECT_EQ(TargetD(target).substr(0, 3), "NO ");  // not altered yet
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  // The resume never knew d from its Open; it learns it at the DROP (RunAfterTheDropIntoPostgres),
  // and a MariaDB target rewrites a changed row whole anyway. So row 1 is as without the kill.
  EXPECT_EQ(target.Rows("SELECT id, v, d FROM t ORDER BY id"), Expected());
  EXPECT_EQ(TargetD(target).substr(0, 4), "YES ");
}

// A key column cannot take NULL: a live run that meets its drop stops naming it rather than
// write rows it cannot key. (A run started after the drop stops earlier, at the job's check:
// "key column 'k' is not among the columns written".)
TEST_F(BinlogDropNotNullTest, DroppedKeyColumnStopsWithAClearMessage) {
  TestDatabase db;
  TestDatabase target;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY, k INT NOT NULL, v VARCHAR(20))");
  db.Exec("INSERT INTO t VALUES (1, 10, 'one')");
  WriteJobTo(db, fmt::format("{{type: mysql, url: \"{}\", table: t, write_mode: upsert, "
                             "key: [id, k]}}",
                             target.Url()));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  const pid_t live = Spawn({"run", "job.yaml"}, "live.log");
  ASSERT_TRUE(Streaming()) << Log("live.log.err");
  db.Exec("ALTER TABLE t DROP COLUMN k");
  db.Exec("INSERT INTO t VALUES (2, 'two')");
  EXPECT_EQ(Wait(live), 2) << Log("live.log.err");
  const std::string err = Log("live.log.err");
  EXPECT_NE(err.find(fmt::format("mysql target {}.t: column k was dropped at the source but is "
                                 "part of the target's key",
                                 target.name())),
            std::string::npos)
      << err;
  EXPECT_EQ(target.Rows("SELECT id FROM t ORDER BY id"), (std::vector<std::string>{"1"}));
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream
