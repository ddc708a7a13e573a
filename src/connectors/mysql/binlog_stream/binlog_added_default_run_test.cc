// ALTER TABLE ... ADD COLUMN with a DEFAULT (or MariaDB's implicit one of a NOT NULL column) on a
// MariaDB source: the server fills the rows already there without any row event in the binlog,
// so the target must fill its own the same way (added_defaults.h), every column of every row
// equal to the source's; a default that is not a constant (CURRENT_TIMESTAMP) stops the job
// naming table, column and default. End to end with the real binary, into MariaDB.
#include "connectors/mysql/binlog_stream/binlog_run_fixture.h"

namespace sluice::mysql::binlog_stream {
namespace {

using testing::TestDatabase;

// TIME_FORMAT: the target's TIME column is created TIME(6); the value is what is compared.
constexpr const char* kColumns =
    "SELECT id, v, a, b, c, d, e, f, TIME_FORMAT(g, '%H:%i:%s.%f'), h FROM t ORDER BY id";

class BinlogAddedDefaultTest : public testing::RunFixture {
 protected:
  void CreateSource(TestDatabase& db) {
    db.Exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))");
    db.Exec("INSERT INTO t VALUES (1, 'one'), (2, 'zwei ü'), (3, NULL)");
  }
  // Constants of each kind, and NOT NULL columns without DEFAULT (MariaDB's implicit ones).
  static void AddColumns(TestDatabase& db) {
    db.Exec(
        "ALTER TABLE t ADD COLUMN a DECIMAL(10,2) DEFAULT -12.50, "
        "ADD COLUMN b VARCHAR(20) DEFAULT 'it''s ü€ \\\\x', ADD COLUMN c INT NOT NULL, "
        "ADD COLUMN d VARCHAR(5) NOT NULL, ADD COLUMN e DATE DEFAULT '2020-01-02', "
        "ADD COLUMN f BOOL DEFAULT TRUE, ADD COLUMN g TIME NOT NULL, "
        "ADD COLUMN h DOUBLE DEFAULT -1.5e-3");
    db.Exec("INSERT INTO t (id, v, a, c, d, g) VALUES (4, 'four', 4.25, -5, 'vier', '01:02:03')");
  }
  bool Streaming() {
    for (int i = 0; i < 1500; ++i) {
      if (Log("live.log.err").find("streaming from") != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  static bool Holds(TestDatabase& target, const std::string& sql) {
    for (int i = 0; i < 1500; ++i) {
      if (target.Value(sql) == "1") return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  void WriteJobToMysql(TestDatabase& db, TestDatabase& target) {
    WriteJobTo(db, fmt::format("{{type: mysql, url: \"{}\", table: t, write_mode: upsert, "
                               "key: [id]}}",
                               target.Url()));
  }
};

// A live run meets the ALTER in the binlog and alters the target.
TEST_F(BinlogAddedDefaultTest, LiveRunFillsTheTargetsExistingRows) {
  TestDatabase db;
  TestDatabase target;
  CreateSource(db);
  WriteJobToMysql(db, target);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  const pid_t live = Spawn({"run", "job.yaml"}, "live.log");
  ASSERT_TRUE(Streaming()) << Log("live.log.err");
  AddColumns(db);
  const bool arrived = Holds(target, "SELECT count(*) FROM t WHERE id = 4");
  kill(live, SIGTERM);
  ASSERT_EQ(Wait(live), 0) << Log("live.log.err");
  ASSERT_TRUE(arrived) << Log("live.log.err");
  EXPECT_EQ(target.Rows(kColumns), db.Rows(kColumns));
  EXPECT_EQ(target.Value("SELECT b FROM t WHERE id = 1"), "it's ü€ \\x");
}

// Rows changed just before the ALTER, read in the same batch as it (the live run is stopped
// while they are written, so it finds them all at once): the source gave them the defaults
// too, and so does the target, not NULL.
TEST_F(BinlogAddedDefaultTest, RowsChangedJustBeforeTheAlterInTheSameBatchTakeTheDefaults) {
  TestDatabase db;
  TestDatabase target;
  CreateSource(db);
  WriteJobToMysql(db, target);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  const pid_t live = Spawn({"run", "job.yaml"}, "live.log");
  ASSERT_TRUE(Streaming()) << Log("live.log.err");
  kill(live, SIGSTOP);
  db.Exec("UPDATE t SET v = 'one+' WHERE id = 1");
  db.Exec("INSERT INTO t VALUES (5, 'five')");
  AddColumns(db);
  kill(live, SIGCONT);
  const bool arrived = Holds(target, "SELECT count(*) FROM t WHERE id = 4");
  kill(live, SIGTERM);
  ASSERT_EQ(Wait(live), 0) << Log("live.log.err");
  ASSERT_TRUE(arrived) << Log("live.log.err");
  EXPECT_EQ(target.Rows(kColumns), db.Rows(kColumns));
  EXPECT_EQ(target.Value("SELECT CONCAT(a, '|', c, '|', f) FROM t WHERE id = 5"), "-12.50|0|1");
}

// The ALTER while no run was up: the next run's Open reads the new shape and its start adds the
// columns the target lacks, with the same defaults.
TEST_F(BinlogAddedDefaultTest, RunAfterTheAlterFillsTheTargetsExistingRows) {
  TestDatabase db;
  TestDatabase target;
  CreateSource(db);
  WriteJobToMysql(db, target);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  AddColumns(db);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(target.Rows(kColumns), db.Rows(kColumns));
}

// The run starts before the ALTER in the binlog (the job was down across it): Open reads the
// new shape, but the rows changed before the ALTER come without the new columns. They are not
// columns dropped: those rows hold the defaults at the source, and take them in the target.
TEST_F(BinlogAddedDefaultTest, RunStartedBeforeTheAlterGivesTheRowsBeforeItTheDefaults) {
  TestDatabase db;
  TestDatabase target;
  CreateSource(db);
  WriteJobToMysql(db, target);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db.Exec("UPDATE t SET v = 'one+' WHERE id = 1");
  db.Exec("INSERT INTO t VALUES (5, 'five')");
  AddColumns(db);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(target.Rows(kColumns), db.Rows(kColumns));
  EXPECT_EQ(target.Value("SELECT CONCAT(a, '|', c, '|', f) FROM t WHERE id = 5"), "-12.50|0|1");
  EXPECT_EQ(Log("run.log.err").find("was dropped"), std::string::npos) << Log("run.log.err");
}

TEST_F(BinlogAddedDefaultTest, ADefaultThatIsNotAConstantStops) {
  TestDatabase db;
  TestDatabase target;
  CreateSource(db);
  WriteJobToMysql(db, target);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  const pid_t live = Spawn({"run", "job.yaml"}, "live.log");
  ASSERT_TRUE(Streaming()) << Log("live.log.err");
  db.Exec("ALTER TABLE t ADD COLUMN ts DATETIME DEFAULT CURRENT_TIMESTAMP");
  db.Exec("INSERT INTO t (id, v) VALUES (5, 'five')");
  EXPECT_EQ(Wait(live), 2) << Log("live.log.err");
  const std::string err = Log("live.log.err");
  EXPECT_NE(err.find(fmt::format("mysql target {}.t: column ts was added at the source with "
                                 "DEFAULT current_timestamp(), which is not a constant",
                                 target.name())),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("re-snapshot the table into a fresh target (startup: initial)"),
            std::string::npos)
      << err;
  EXPECT_EQ(target.Value("SELECT count(*) FROM t"), "3");
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream
