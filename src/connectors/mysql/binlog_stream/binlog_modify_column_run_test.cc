// ALTER TABLE ... MODIFY on a MariaDB source while a realtime job streams it, end to end with
// the real binary. A longer text (VARCHAR(10) -> VARCHAR(40) -> TEXT, CHAR(5) -> CHAR(20)),
// INT -> BIGINT, DECIMAL(6,2) -> DECIMAL(12,4), ENUM members appended and a new default are
// followed: the target's columns are widened before the first wider value is written, and the
// target ends equal to the source. A MODIFY
// that may have changed the rows already there (another type, shorter, NOT NULL) stops the job
// naming the column, what changed and the statement, with nothing after it applied.
#include "connectors/mysql/binlog_stream/binlog_run_fixture.h"
#include "connectors/postgres/pg_testing.h"

namespace sluice::mysql::binlog_stream {
namespace {

using testing::TestDatabase;

class BinlogModifyColumnTest : public testing::RunFixture {
 protected:
  static void CreateSource(TestDatabase& db) {
    db.Exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10), e ENUM('a','b'), c CHAR(5))");
    db.Exec("INSERT INTO t VALUES (1, 'one', 'a', 'c1'), (2, 'two', 'b', 'c2')");
  }
  // The MODIFYs a live run meets, each followed by rows only the longer column holds, and a
  // last row the test waits for.
  static void LengthenAndWrite(TestDatabase& db) {
    db.Exec("ALTER TABLE t MODIFY v VARCHAR(40)");
    db.Exec("INSERT INTO t VALUES (3, 'a value of thirty-five characters..', 'b', 'c3')");
    db.Exec("ALTER TABLE t MODIFY COLUMN e ENUM('a','b','longer member c')");
    db.Exec("UPDATE t SET e = 'longer member c' WHERE id = 1");
    db.Exec("ALTER TABLE t CHANGE c c CHAR(20) DEFAULT 'x', ALTER COLUMN v SET DEFAULT 'dflt'");
    db.Exec("INSERT INTO t (id, c) VALUES (4, 'eighteen character')");
    db.Exec("ALTER TABLE t MODIFY v TEXT");
    db.Exec(fmt::format("INSERT INTO t VALUES (5, '{}', 'a', 'c5')", std::string(300, 'w')));
    db.Exec("ALTER TABLE t MODIFY id BIGINT");
    db.Exec("INSERT INTO t VALUES (5000000000, 'big', 'b', 'c6')");
  }
  // A live run started before the MODIFYs (so its Open read the old shape and created the
  // target from it), stopped with SIGTERM once the last row arrived by `arrived`.
  void StreamThroughTheModifies(TestDatabase& db, const std::function<bool()>& arrived) {
    const pid_t live = Spawn({"run", "job.yaml"}, "live.log");
    ASSERT_TRUE(WaitForLog("live.log.err", "streaming from")) << Log("live.log.err");
    LengthenAndWrite(db);
    ASSERT_TRUE(Eventually(arrived)) << Log("live.log.err");
    kill(live, SIGTERM);
    ASSERT_EQ(Wait(live), 0) << Log("live.log.err");
  }
  // The job upserting `db`.t into `target`.t, and its first run (the snapshot).
  void SnapshotIntoMysql(TestDatabase& db, TestDatabase& target) {
    WriteJobTo(db, fmt::format("{{type: mysql, url: \"{}\", table: t, write_mode: upsert, "
                               "key: [id]}}",
                               target.Url()));
    ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  }
  static constexpr const char* kRows = "SELECT id, v, e, c FROM t ORDER BY id";
};

TEST_F(BinlogModifyColumnTest, LongerTextIsFollowedIntoMysql) {
  TestDatabase db;
  TestDatabase target;
  CreateSource(db);
  ASSERT_NO_FATAL_FAILURE(SnapshotIntoMysql(db, target));
  ASSERT_EQ(target.Value("SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE "
                         "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND COLUMN_NAME = 'v'"),
            "varchar(10)");
  StreamThroughTheModifies(db, [&] { return target.Value("SELECT count(*) FROM t") == "6"; });
  EXPECT_EQ(target.Rows(kRows), db.Rows(kRows));
  EXPECT_EQ(
      target.Rows("SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE "
                  "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' ORDER BY "
                  "ORDINAL_POSITION"),
      (std::vector<std::string>{"id|bigint(20)", "v|longtext", "e|longtext", "c|varchar(20)"}));
  const std::string err = Log("live.log.err");
  // string(40), or more when the catalog had moved on to TEXT when the run asked it: as many
  // characters as the binlog's 160 bytes hold at 3 bytes each.
  EXPECT_NE(err.find(db.name() + ".t: column v was widened at the source (string(10) -> "
                                 "string("),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("column c was widened at the source (string(5) -> string(20))"),
            std::string::npos)
      << err;
  // A restart reads on from the checkpoint as usual.
  db.Exec("UPDATE t SET v = 'again' WHERE id = 5");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(target.Rows(kRows), db.Rows(kRows));
}

TEST_F(BinlogModifyColumnTest, LongerTextIsFollowedIntoPostgres) {
  TestDatabase db;
  postgres::testing::RawConn pg(postgres::testing::DbUrl());
  // One text column per row.
  auto lines = [&](const std::string& sql) {
    std::vector<std::string> out;
    for (const auto& row : pg.Rows(sql)) out.push_back(row.at(0));
    return out;
  };
  CreateSource(db);
  const std::string schema = "modify_" + db.name();
  pg.Exec(fmt::format("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}", schema));
  WriteJobTo(db, fmt::format("{{type: postgres, url: \"{}\", table: {}.t, write_mode: upsert, "
                             "key: [id]}}",
                             postgres::testing::DbUrl(), schema));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  const std::string rows = fmt::format(
      "SELECT id || '|' || coalesce(v, 'NULL') || '|' || coalesce(e, 'NULL') || '|' || "
      "coalesce(c, 'NULL') FROM {}.t ORDER BY id",
      schema);
  StreamThroughTheModifies(db, [&] { return lines(rows).size() == 6; });
  EXPECT_EQ(lines(rows), db.Rows(kRows));
  EXPECT_EQ(lines(fmt::format("SELECT column_name || ' ' || format_type(atttypid, atttypmod) "
                              "FROM information_schema.columns JOIN pg_attribute ON attrelid = "
                              "'{0}.t'::regclass AND attname = column_name WHERE table_schema "
                              "= '{0}' AND table_name = 't' ORDER BY ordinal_position",
                              schema)),
            (std::vector<std::string>{"id bigint", "v text", "e text", "c character varying(20)"}));
  pg.Exec(fmt::format("DROP SCHEMA {} CASCADE", schema));
}

// kill -9 at the target's lengthening (before its ALTER, or after it before the next
// checkpoint; the hook of engine/schema_follow.h): the restart, whose Open reads the column's
// new length from the catalog, meets the MODIFY again, lengthens the target if it is still
// short and converges.
TEST_F(BinlogModifyColumnTest, KilledAtTheLengtheningConverges) {
  for (const char* moment : {"before_alter", "after_alter"}) {
    SCOPED_TRACE(moment);
    TestDatabase db;
    TestDatabase target;
    CreateSource(db);
    ASSERT_NO_FATAL_FAILURE(SnapshotIntoMysql(db, target));
    setenv("SLUICE_TEST_KILL_AT_SCHEMA_CHANGE", moment, 1);
    const pid_t live = Spawn({"run", "job.yaml"}, "live.log");
    unsetenv("SLUICE_TEST_KILL_AT_SCHEMA_CHANGE");
    ASSERT_TRUE(WaitForLog("live.log.err", "streaming from")) << Log("live.log.err");
    db.Exec("INSERT INTO t VALUES (3, 'three', 'a', 'c3')");
    db.Exec("ALTER TABLE t MODIFY v VARCHAR(40)");
    db.Exec("INSERT INTO t VALUES (4, 'a value of thirty characters..', 'b', 'c4')");
    ASSERT_EQ(Wait(live), 128 + SIGKILL) << Log("live.log.err");
    const std::string type =
        "SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND "
        "TABLE_NAME = 't' AND COLUMN_NAME = 'v'";
    EXPECT_EQ(target.Value(type),
              std::string_view(moment) == "before_alter" ? "varchar(10)" : "varchar(40)");
    EXPECT_EQ(target.Value("SELECT count(*) FROM t WHERE id = 4"), "0");
    ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
    EXPECT_EQ(target.Rows(kRows), db.Rows(kRows));
    EXPECT_EQ(target.Value(type), "varchar(40)");
  }
}

// A MODIFY met by a run that stops before the table's next TABLE_MAP (which shows what the
// statement did) travels with the checkpoint: the next run, which starts past the statement,
// still judges it and stops, rather than taking the new type as it comes.
TEST_F(BinlogModifyColumnTest, AModifyNotJudgedYetTravelsWithTheCheckpoint) {
  TestDatabase db;
  TestDatabase target;
  CreateSource(db);
  ASSERT_NO_FATAL_FAILURE(SnapshotIntoMysql(db, target));
  db.Exec("INSERT INTO t VALUES (3, '3', 'a', 'c3')");
  db.Exec("ALTER TABLE t MODIFY id SMALLINT");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(target.Value("SELECT count(*) FROM t"), "3");
  EXPECT_NE(Log("run.log").find("modified_columns"), std::string::npos) << Log("run.log");
  db.Exec("INSERT INTO t (id, v) VALUES (4, '4')");
  EXPECT_EQ(Run({"run", "job.yaml", "--catch-up"}), 2) << Log("run.log.err");
  EXPECT_NE(Log("run.log.err")
                .find("in the binlog (ALTER TABLE t MODIFY id SMALLINT): it became narrower"),
            std::string::npos)
      << Log("run.log.err");
  EXPECT_EQ(target.Value("SELECT count(*) FROM t WHERE id = 4"), "0");
}

// A catch-up that starts before INT -> BIGINT and DECIMAL(6,2) -> DECIMAL(12,4) (its Open
// reads the new types from the catalog) decodes the rows of both shapes, widens the target's
// columns when it meets the MODIFYs, and converges.
TEST_F(BinlogModifyColumnTest, ACatchUpAcrossWideningsConverges) {
  TestDatabase db;
  TestDatabase target;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY, p DECIMAL(6,2), n SMALLINT UNSIGNED)");
  db.Exec("INSERT INTO t VALUES (1, 1234.56, 7)");
  ASSERT_NO_FATAL_FAILURE(SnapshotIntoMysql(db, target));
  db.Exec("INSERT INTO t VALUES (2, -9.99, 65535)");
  db.Exec("ALTER TABLE t MODIFY id BIGINT, MODIFY p DECIMAL(12,4)");
  db.Exec("INSERT INTO t VALUES (9000000000, 12345678.1234, 3)");
  db.Exec("UPDATE t SET p = 0.0001 WHERE id = 1");
  db.Exec("ALTER TABLE t MODIFY n INT");
  db.Exec("INSERT INTO t VALUES (3, 1, 100000)");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  const char* rows = "SELECT id, p, n FROM t ORDER BY id";
  EXPECT_EQ(target.Rows(rows), db.Rows(rows));
  EXPECT_EQ(target.Rows("SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE "
                        "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' ORDER BY "
                        "ORDINAL_POSITION"),
            (std::vector<std::string>{"id|bigint(20)", "p|decimal(12,4)", "n|int(11)"}));
}

// Each MODIFY that may have changed the rows already there stops a catch-up run at the
// statement: exit 2, the message names the column, what changed and the statement; the row
// after it is not applied.
TEST_F(BinlogModifyColumnTest, ModifiesThatMayChangeValuesStop) {
  struct Case {
    const char* alter;
    const char* why;
  };
  const Case cases[] = {
      {"ALTER TABLE t MODIFY id SMALLINT", "it became narrower"},
      {"ALTER TABLE t MODIFY c VARCHAR(20)", "its type changed"},
      {"ALTER TABLE t MODIFY v VARCHAR(8)", "it became shorter"},
      {"ALTER TABLE t MODIFY v VARCHAR(10) NOT NULL", "it became NOT NULL"},
      {"ALTER TABLE t MODIFY v VARCHAR(10) CHARACTER SET latin1", "its character set changed"},
      {"ALTER TABLE t MODIFY e ENUM('b','a')", "its members changed other than by new ones"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.alter);
    TestDatabase db;
    TestDatabase target;
    CreateSource(db);
    ASSERT_NO_FATAL_FAILURE(SnapshotIntoMysql(db, target));
    db.Exec("INSERT INTO t VALUES (3, '3', 'a', 'c3')");
    db.Exec(c.alter);
    db.Exec("INSERT INTO t (id, v) VALUES (4, '4')");
    EXPECT_EQ(Run({"run", "job.yaml", "--catch-up"}), 2) << Log("run.log.err");
    const std::string err = Log("run.log.err");
    EXPECT_NE(err.find(db.name() + ".t: column "), std::string::npos) << err;
    EXPECT_NE(err.find(fmt::format("in the binlog ({}): {}", c.alter, c.why)), std::string::npos)
        << err;
    // Row 3 is applied or not, as the stop fell between checkpoints; row 4 never is.
    EXPECT_EQ(target.Value("SELECT count(*) FROM t WHERE id IN (1, 2)"), "2");
    EXPECT_EQ(target.Value("SELECT count(*) FROM t WHERE id = 4"), "0");
  }
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream
