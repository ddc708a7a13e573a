// DDL in binlog files read with `binlog_files` (the real binary, into SQLite): ADD COLUMN and
// DROP COLUMN are followed by the next TABLE_MAP's names (the target gains the column; a dropped
// one stays, NULL from then on); an ADD that gives the existing rows a value (DEFAULT, NOT NULL)
// and any other change of the table stop the run naming the statement.
#include <gtest/gtest.h>

#include "connectors/mysql/binlog_files/binlog_files_run_fixture.h"

namespace sluice::mysql::binlog_files {
namespace {

namespace fs = std::filesystem;
using testing::BinlogWindow;
using testing::TestDatabase;

constexpr const char* kUpsert =
    "{type: sqlite, path: out.db, table: t, write_mode: upsert, key: [id]}";

class BinlogFilesDdlRunTest : public testing::FilesRunFixture {};

TEST_F(BinlogFilesDdlRunTest, AddAndDropColumnAreFollowed) {
  TestDatabase db;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))");
  std::vector<std::string> files;
  {
    BinlogWindow window(db);
    db.Exec("INSERT INTO t VALUES (1, 'one'), (2, 'two')");
    db.Exec("ALTER TABLE t ADD COLUMN w INT");
    db.Exec("INSERT INTO t VALUES (3, 'three', 30)");
    db.Exec("UPDATE t SET w = 10 WHERE id = 1");
    db.Exec("FLUSH BINARY LOGS");
    db.Exec("ALTER TABLE t DROP COLUMN v");
    db.Exec("INSERT INTO t VALUES (4, 40)");
    db.Exec("UPDATE t SET w = 20 WHERE id = 2");
    files = Copy(window.Close());
  }
  WriteJob(files, db.name() + ".t", kUpsert);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  // id and w as the source has them; v as it was up to the DROP, NULL for rows written after.
  EXPECT_EQ(TargetRows("SELECT id, w FROM t ORDER BY id"),
            db.Rows("SELECT id, w FROM t ORDER BY id"));
  EXPECT_EQ(TargetRows("SELECT id, v, w FROM t ORDER BY id"),
            (std::vector<std::string>{"1|one|10", "2|NULL|20", "3|three|30", "4|NULL|40"}));
  // Again from the committed position: the same (nothing read twice breaks it).
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(TargetRows("SELECT id, v, w FROM t ORDER BY id"),
            (std::vector<std::string>{"1|one|10", "2|NULL|20", "3|three|30", "4|NULL|40"}));
}

TEST_F(BinlogFilesDdlRunTest, AddColumnWithADefaultOrAnotherChangeStops) {
  for (const std::string ddl : {"ALTER TABLE t ADD COLUMN z INT NOT NULL DEFAULT 7",
                                "ALTER TABLE t MODIFY v VARCHAR(40)"}) {
    SCOPED_TRACE(ddl);
    TestDatabase db;
    db.Exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))");
    std::vector<std::string> files;
    {
      BinlogWindow window(db);
      db.Exec("INSERT INTO t VALUES (1, 'one'), (2, 'two')");
      db.Exec(ddl);
      db.Exec("INSERT INTO t VALUES (3, 'three'" +
              std::string(ddl.find("z INT") != std::string::npos ? ", 7" : "") + ")");
      files = Copy(window.Close());
    }
    fs::remove(dir_ / "out.db");
    fs::remove(dir_ / "state.db");
    WriteJob(files, db.name() + ".t", kUpsert);
    EXPECT_EQ(Run({"run", "job.yaml", "--catch-up"}), 2);
    const std::string err = Log("run.log.err");
    EXPECT_NE(err.find(db.name() + ".t: "), std::string::npos) << err;
    EXPECT_NE(err.find(ddl), std::string::npos) << err;
    EXPECT_NE(err.find(ddl.find("DEFAULT") != std::string::npos
                           ? "a column was added with a value for the rows already there"
                           : "only ADD COLUMN and DROP COLUMN are followed"),
              std::string::npos)
        << err;
  }
}

}  // namespace
}  // namespace sluice::mysql::binlog_files

namespace sluice::mysql::binlog_files {
namespace {

// Rows written at an XA PREPARE may still be rolled back later in the files: reading them from
// files stops, naming the table, rather than apply them (they used to be applied, rolled back
// or not). A live source holds them until their outcome (binlog_stream_xa.cc).
TEST_F(BinlogFilesDdlRunTest, RowsOfAnXaPrepareStop) {
  TestDatabase db;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))");
  std::vector<std::string> files;
  {
    BinlogWindow window(db);
    db.Exec("INSERT INTO t VALUES (1, 'one')");
    for (const char* sql : {"XA START 'f'", "INSERT INTO t VALUES (2, 'rolled back')", "XA END 'f'",
                            "XA PREPARE 'f'", "XA ROLLBACK 'f'"}) {
      db.Exec(sql);
    }
    files = Copy(window.Close());
  }
  WriteJob(files, db.name() + ".t", kUpsert);
  EXPECT_NE(Run({"run", "job.yaml", "--catch-up"}), 0);
  const std::string err = Log("run.log.err");
  EXPECT_NE(err.find(db.name() + ".t: rows of an XA transaction, written at its XA PREPARE"),
            std::string::npos)
      << err;
  for (const std::string& id : TargetRows("SELECT id FROM t")) EXPECT_NE(id, "2");
}

// TRUNCATE stops by default; with truncate: apply the target is emptied at its place, even
// when the batch before it holds rows (batches of two rows here).
TEST_F(BinlogFilesDdlRunTest, TruncateStopsOrIsAppliedInPlace) {
  TestDatabase db;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))");
  std::vector<std::string> files;
  {
    BinlogWindow window(db);
    db.Exec("INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, 'three')");
    db.Exec("TRUNCATE TABLE t");
    db.Exec("INSERT INTO t VALUES (4, 'four')");
    db.Exec("UPDATE t SET v = 'four+' WHERE id = 4");
    files = Copy(window.Close());
  }
  WriteJob(files, db.name() + ".t", kUpsert);
  EXPECT_EQ(Run({"run", "job.yaml", "--catch-up"}), 2);
  EXPECT_NE(Log("run.log.err").find(db.name() + ".t was truncated at the source"),
            std::string::npos)
      << Log("run.log.err");
  // Batches of two rows (the TRUNCATE opens a batch) and of many (it ends one that holds rows).
  for (const char* settings : {"{batch_rows: 2}", "{}"}) {
    SCOPED_TRACE(settings);
    fs::remove(dir_ / "out.db");
    fs::remove(dir_ / "state.db");
    WriteJob(files, db.name() + ".t", kUpsert, "truncate: apply", settings);
    ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
    EXPECT_EQ(TargetRows("SELECT id, v FROM t ORDER BY id"), (std::vector<std::string>{"4|four+"}));
  }
}

}  // namespace
}  // namespace sluice::mysql::binlog_files
