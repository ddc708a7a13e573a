// Realtime jobs follow ALTER TABLE ... ADD COLUMN / DROP COLUMN on a MariaDB source, end to end
// with the real binary (binlog_run_fixture.h): the added column reaches the target with its
// values, the dropped one stays there and is NULL for the rows written after the drop; a
// resume from a position before the DDL (the target already altered, or not yet) converges to
// the same rows; any other DDL stops with a one-line message naming the table.
#include "connectors/mysql/binlog/binlog_window.h"
#include "connectors/mysql/binlog_stream/binlog_run_fixture.h"
#include "connectors/postgres/pg_testing.h"

namespace sluice::mysql::binlog_stream {
namespace {

using testing::TestDatabase;

class BinlogSchemaChangeTest : public testing::RunFixture {
 protected:
  // The source before any DDL: d is the column that will be dropped.
  void CreateSource(TestDatabase& db) {
    db.Exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20), d VARCHAR(20))");
    db.Exec("INSERT INTO t VALUES (1, 'one', 'd1'), (2, 'two', 'd2'), (3, 'three', 'd3')");
  }
  // Waits (up to 30 s) until the live run's log says it streams: it has read the table's shape.
  bool Streaming() {
    for (int i = 0; i < 1500; ++i) {
      if (Log("live.log.err").find("streaming from") != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  // ADD COLUMN n and rows using it, then DROP COLUMN d and more rows; updates and a delete
  // across both changes.
  // A fresh PostgreSQL schema `prefix`_<db> and the job upserting `db`.t into it; its name.
  std::string JobIntoPostgres(TestDatabase& db, postgres::testing::RawConn& pg,
                              const std::string& prefix) {
    const std::string schema = prefix + "_" + db.name();
    pg.Exec(fmt::format("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}", schema));
    WriteJobTo(db, fmt::format("{{type: postgres, url: \"{}\", table: {}.t, write_mode: upsert, "
                               "key: [id]}}",
                               postgres::testing::DbUrl(), schema));
    return schema;
  }
  void AddThenDrop(TestDatabase& db) {
    db.Exec("ALTER TABLE t ADD COLUMN n INT");
    db.Exec("INSERT INTO t VALUES (4, 'four', 'd4', 40)");
    db.Exec("BEGIN");
    db.Exec("UPDATE t SET n = 10 WHERE id = 1");
    db.Exec("UPDATE t SET v = 'two+' WHERE id = 2");
    db.Exec("COMMIT");
    db.Exec("ALTER TABLE t DROP COLUMN d");
    db.Exec("INSERT INTO t VALUES (5, 'five', 50)");
    db.Exec("UPDATE t SET v = 'three+', n = 30 WHERE id = 3");
    db.Exec("DELETE FROM t WHERE id = 4");
  }
  // The rows the target must hold after AddThenDrop: n as the source has it, d as it was
  // until the drop (rows 1 and 2 were last written before it) and NULL for rows written after.
  static std::vector<std::string> Expected() {
    return {"1|one|d1|10", "2|two+|d2|NULL", "3|three+|NULL|30", "5|five|NULL|50"};
  }
};

TEST_F(BinlogSchemaChangeTest, AddAndDropColumnIntoMysql) {
  TestDatabase db;
  TestDatabase target;
  CreateSource(db);
  WriteJobTo(db, fmt::format("{{type: mysql, url: \"{}\", table: t, write_mode: upsert, "
                             "key: [id]}}",
                             target.Url()));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(target.Rows("SELECT id, v, d FROM t ORDER BY id").size(), 3u);

  AddThenDrop(db);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(target.Rows("SELECT column_name FROM information_schema.columns WHERE table_schema "
                        "= DATABASE() AND table_name = 't' ORDER BY ordinal_position"),
            (std::vector<std::string>{"id", "v", "d", "n"}));
  EXPECT_EQ(target.Rows("SELECT id, v, d, n FROM t ORDER BY id"), Expected());
  EXPECT_EQ(target.Rows("SELECT id, v, n FROM t ORDER BY id"),
            db.Rows("SELECT id, v, n FROM t ORDER BY id"));
  const std::string err = Log("run.log.err");
  EXPECT_NE(err.find("column d was dropped at the source"), std::string::npos) << err;
  EXPECT_NE(err.find(db.name() + ".t"), std::string::npos) << err;
}

// kill -9 between the checkpoint before the ADD and the target's ALTER, or between the ALTER
// and the next checkpoint (the hook of engine/schema_follow.h): the target holds the position
// before the DDL, altered or not. The resume, whose Open reads the table's newest shape (n, no
// d), decodes the rows before the DDL by their TABLE_MAP names and converges to the same rows.
// (A live run that never meets the change would hang the test: the ADD is its next event.)
class BinlogSchemaChangeResumeTest : public BinlogSchemaChangeTest {
 protected:
  void KillAtTheAlterThenResume(const char* moment, bool altered) {
    TestDatabase db;
    TestDatabase target;
    CreateSource(db);
    WriteJobTo(db, fmt::format("{{type: mysql, url: \"{}\", table: t, write_mode: upsert, "
                               "key: [id]}}",
                               target.Url()));
    ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
    db.Exec("INSERT INTO t VALUES (6, 'six', 'd6')");
    // A live run (started before the DDL, so its Open read the old shape) meets the ADD
    // COLUMN and is killed there; a catch-up then resumes it.
    setenv("SLUICE_TEST_KILL_AT_SCHEMA_CHANGE", moment, 1);
    const pid_t live = Spawn({"run", "job.yaml"}, "live.log");
    unsetenv("SLUICE_TEST_KILL_AT_SCHEMA_CHANGE");
    ASSERT_TRUE(Streaming()) << Log("live.log.err");
    AddThenDrop(db);
    ASSERT_EQ(Wait(live), 128 + SIGKILL) << Log("live.log.err");
    const std::vector<std::string> columns = altered ? std::vector<std::string>{"id", "v", "d", "n"}
                                                     : std::vector<std::string>{"id", "v", "d"};
    EXPECT_EQ(target.Rows("SELECT column_name FROM information_schema.columns WHERE "
                          "table_schema = DATABASE() AND table_name = 't' ORDER BY "
                          "ordinal_position"),
              columns);
    // Nothing after the DDL was committed.
    EXPECT_EQ(target.Value("SELECT count(*) FROM t WHERE id IN (4, 5) OR v LIKE '%+'"), "0");

    ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
    std::vector<std::string> expected = Expected();
    expected.push_back("6|six|d6|NULL");
    EXPECT_EQ(target.Rows("SELECT id, v, d, n FROM t ORDER BY id"), expected);
    EXPECT_EQ(target.Rows("SELECT id, v, n FROM t ORDER BY id"),
              db.Rows("SELECT id, v, n FROM t ORDER BY id"));
  }
};

TEST_F(BinlogSchemaChangeResumeTest, KilledAfterTheTargetsAlter) {
  KillAtTheAlterThenResume("after_alter", /*altered=*/true);
}

TEST_F(BinlogSchemaChangeResumeTest, KilledBeforeTheTargetsAlter) {
  KillAtTheAlterThenResume("before_alter", /*altered=*/false);
}

// The run starts exactly between the last change of d and the DROP COLUMN d, with the catalog
// already without d (a checkpoint just before the DROP, the job down across it): the run
// learns d from its last TABLE_MAP before the start, so the rows changed after the drop are
// NULL there in the target (an upsert into PostgreSQL keeps a column the rows do not name),
// as with any dropped column.
TEST_F(BinlogSchemaChangeTest, RunStartedRightBeforeTheDropNullsTheColumnFromThere) {
  TestDatabase db;
  CreateSource(db);
  postgres::testing::RawConn pg(postgres::testing::DbUrl());
  const std::string schema = JobIntoPostgres(db, pg, "ddlgap");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db.Exec("UPDATE t SET v = 'one+' WHERE id = 1");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db.Exec("ALTER TABLE t DROP COLUMN d");
  db.Exec("UPDATE t SET v = 'one++' WHERE id = 1");
  db.Exec("INSERT INTO t VALUES (9, 'nine')");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  std::vector<std::string> target;
  for (const auto& row : pg.Rows(fmt::format("SELECT id, v, d FROM {}.t ORDER BY id", schema))) {
    target.push_back(row[0] + "|" + row[1] + "|" + row[2]);
  }
  EXPECT_EQ(target,
            (std::vector<std::string>{"1|one++|NULL", "2|two|d2", "3|three|d3", "9|nine|NULL"}))
      << Log("run.log.err");
  // The run after it knows d as dropped from the committed positions.
  db.Exec("UPDATE t SET v = 'two+' WHERE id = 2");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(pg.Value(fmt::format("SELECT coalesce(d, 'NULL') FROM {}.t WHERE id = 2", schema)),
            "NULL");
  pg.Exec(fmt::format("DROP SCHEMA {} CASCADE", schema));
}

// The same, with the table's last change in the binlog file before the one the run starts in
// (a quiet table): the run looks back into the older file for the column.
TEST_F(BinlogSchemaChangeTest, RunStartedRightBeforeTheDropLooksBackIntoOlderFiles) {
  TestDatabase db;
  CreateSource(db);
  postgres::testing::RawConn pg(postgres::testing::DbUrl());
  const std::string schema = JobIntoPostgres(db, pg, "ddlgap2");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db.Exec("UPDATE t SET v = 'one+' WHERE id = 1");
  {
    // A new binlog file (under the server-wide window lock: a rotation cuts the windows of the
    // tests that read binlog files); the run's position ends up in it, with no change of t.
    binlog::testing::BinlogWindow window(db);
    ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
    db.Exec("ALTER TABLE t DROP COLUMN d");
    db.Exec("UPDATE t SET v = 'one++' WHERE id = 1");
    ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  }
  EXPECT_NE(Log("run.log.err").find("column(s) d are dropped by the binlog; learned from"),
            std::string::npos)
      << Log("run.log.err");
  EXPECT_EQ(pg.Value(fmt::format("SELECT coalesce(d, 'NULL') FROM {}.t WHERE id = 1", schema)),
            "NULL");
  EXPECT_EQ(pg.Value(fmt::format("SELECT d FROM {}.t WHERE id = 2", schema)), "d2");
  pg.Exec(fmt::format("DROP SCHEMA {} CASCADE", schema));
}

// The same changes into a PostgreSQL target, under kill -9 of live runs while a writer adds
// and drops columns between its transactions.
TEST_F(BinlogSchemaChangeTest, AddAndDropColumnIntoPostgresUnderKillNine) {
  TestDatabase db;
  CreateSource(db);
  postgres::testing::RawConn pg(postgres::testing::DbUrl());
  const std::string schema = JobIntoPostgres(db, pg, "ddl");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");

  std::thread load([&] {
    for (int t = 0; t < 120; ++t) {
      const int id = 100 + t;
      if (t == 40) db.Exec("ALTER TABLE t ADD COLUMN n INT");
      if (t == 80) db.Exec("ALTER TABLE t DROP COLUMN d");
      if (t < 40) {
        db.Exec(fmt::format("INSERT INTO t VALUES ({}, 'a', 'd')", id));
      } else if (t < 80) {
        db.Exec(fmt::format("INSERT INTO t VALUES ({}, 'b', 'd', {})", id, t));
      } else {
        db.Exec(fmt::format("INSERT INTO t VALUES ({}, 'c', {})", id, t));
      }
      if (t >= 40) db.Exec(fmt::format("UPDATE t SET n = {} WHERE id = {}", -t, id - 30));
      if (t % 7 == 0) db.Exec(fmt::format("DELETE FROM t WHERE id = {}", id - 5));
      std::this_thread::sleep_for(std::chrono::milliseconds(15));
    }
  });
  KillLiveRuns();
  load.join();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  std::vector<std::string> target;
  for (const auto& row : pg.Rows(fmt::format("SELECT id, v, n FROM {}.t ORDER BY id", schema))) {
    target.push_back(row[0] + "|" + row[1] + "|" + row[2]);
  }
  EXPECT_EQ(target, db.Rows("SELECT id, v, n FROM t ORDER BY id"));
  // d: as written until the drop (rows 100..149 were last written before it).
  EXPECT_EQ(pg.Value(fmt::format(
                "SELECT count(*) FROM {}.t WHERE id BETWEEN 100 AND 149 AND d IS DISTINCT FROM 'd'",
                schema)),
            "0");
  // NULL in d for the rows written after the drop (inserted, or updated: 150..219), also when a
  // kill's checkpoint fell between the DROP and the next row event (the DROP itself marks it).
  // Also after a restart from exactly before the DROP, by a run that never saw d (it learns d
  // from the last TABLE_MAP before its start).
  EXPECT_EQ(
      pg.Value(fmt::format("SELECT count(*) FROM {}.t WHERE id >= 150 AND d IS NOT NULL", schema)),
      "0")
      << pg.Value(fmt::format("SELECT string_agg(id || ':' || d || ':' || coalesce(n, 0), ' ') "
                              "FROM {}.t WHERE id >= 150 AND d IS NOT NULL",
                              schema))
      << Log("live.log.err") << Log("run.log.err");
  EXPECT_GT(target.size(), 100u);
  pg.Exec(fmt::format("DROP SCHEMA {} CASCADE", schema));
}

TEST_F(BinlogSchemaChangeTest, OtherDdlStopsWithAClearMessage) {
  TestDatabase db;
  TestDatabase target;
  CreateSource(db);
  WriteJobTo(db, fmt::format("{{type: mysql, url: \"{}\", table: t, write_mode: upsert, "
                             "key: [id]}}",
                             target.Url()));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  // A live run, whose Open read the old shape: it meets the change in the stream.
  const pid_t live = Spawn({"run", "job.yaml"}, "live.log");
  ASSERT_TRUE(Streaming()) << Log("live.log.err");
  // A new table made from ours changes nothing of ours: the run goes on to the next statement.
  db.Exec("CREATE TABLE t_copy LIKE t");
  db.Exec("ALTER TABLE t CHANGE v w VARCHAR(50)");
  db.Exec("INSERT INTO t VALUES (9, 'nine', NULL)");
  EXPECT_EQ(Wait(live), 2);  // stopped: the change needs the operator (kInvalidArgument)
  const std::string err = Log("live.log.err");
  EXPECT_NE(err.find(db.name() + ".t: the table's definition changed in the binlog (ALTER TABLE "
                                 "t CHANGE v w VARCHAR(50)): only ADD COLUMN, DROP COLUMN and a "
                                 "MODIFY that lengthens a text column are followed"),
            std::string::npos)
      << err;
  EXPECT_EQ(target.Rows("SELECT id FROM t ORDER BY id"), (std::vector<std::string>{"1", "2", "3"}));
}

// Statements that change another table (one with a column named like ours), or no table's
// columns or rows (a view, an index, a rename and drop of another table, OPTIMIZE), are passed
// over; a change of ours written as a statement (a session's binlog_format=STATEMENT) stops
// the job: its rows are not in the binlog.
TEST_F(BinlogSchemaChangeTest, StatementsNotChangingTheTablesRowsArePassedOver) {
  TestDatabase db;
  TestDatabase target;
  CreateSource(db);
  WriteJobTo(db, fmt::format("{{type: mysql, url: \"{}\", table: t, write_mode: upsert, "
                             "key: [id]}}",
                             target.Url()));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db.Exec("CREATE TABLE items (id INT PRIMARY KEY)");
  db.Exec("ALTER TABLE items ADD COLUMN t INT");
  db.Exec("ALTER TABLE items MODIFY t BIGINT");
  db.Exec("CREATE VIEW t_view AS SELECT id, v FROM t");
  db.Exec("CREATE INDEX t_v ON t (v)");
  db.Exec("ALTER TABLE t ADD INDEX t_d (d), COMMENT 'rows of t'");
  db.Exec("INSERT INTO t VALUES (4, 'four', 'd4')");
  db.Exec("RENAME TABLE items TO items_old");
  db.Exec("DROP TABLE items_old");
  db.Exec("OPTIMIZE TABLE t");
  // Rebuilds and storage options (the usual defragmenting ALTERs).
  db.Exec("ALTER TABLE t ENGINE=InnoDB");
  db.Exec("UPDATE t SET v = 'three+' WHERE id = 3");
  db.Exec("ALTER TABLE t FORCE, ALGORITHM=COPY");
  db.Exec("ALTER TABLE t ROW_FORMAT=DYNAMIC STATS_PERSISTENT=1, AUTO_INCREMENT=100");
  db.Exec("UPDATE t SET v = 'one+' WHERE id = 1");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(target.Rows("SELECT id, v, d FROM t ORDER BY id"),
            db.Rows("SELECT id, v, d FROM t ORDER BY id"));
  EXPECT_EQ(target.Rows("SELECT id, v FROM t WHERE id = 4"), (std::vector<std::string>{"4|four"}));

  db.Exec("SET SESSION binlog_format = STATEMENT");
  db.Exec("UPDATE t SET v = 'two+' WHERE id = 2");
  db.Exec("SET SESSION binlog_format = ROW");
  EXPECT_EQ(Run({"run", "job.yaml", "--catch-up"}), 2);
  const std::string err = Log("run.log.err");
  EXPECT_NE(err.find(db.name() + ".t: a change of the table was written to the binlog as a "
                                 "statement (UPDATE t SET v = 'two+' WHERE id = 2)"),
            std::string::npos)
      << err;
  EXPECT_EQ(target.Rows("SELECT v FROM t WHERE id = 2"), (std::vector<std::string>{"two"}));
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream
