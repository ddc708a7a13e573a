// Row images that leave columns out, end to end with the real binary. The server check wants
// binlog_row_image=FULL, but any session may SET SESSION binlog_row_image=MINIMAL or NOBLOB
// (or the global value may change while a job runs): its updates then log only the columns
// they wrote (MINIMAL: the key in the before image), or leave unchanged TEXT/BLOB columns out
// (NOBLOB). The decoder used to append NULL for every column an image left out: an update
// under NOBLOB nulled the row's TEXT in the target and the run exited 0. An absent column of
// an update is now the value it had (the before image's, or the target's own); an insert that
// leaves one out stops the run, since its value is nowhere in the binlog.
#include "connectors/mysql/binlog_stream/binlog_run_fixture.h"
#include "connectors/postgres/pg_testing.h"

namespace sluice::mysql::binlog_stream {
namespace {

using testing::TestDatabase;

class PartialImagesRunTest : public testing::RunFixture {
 protected:
  void CreateSource(TestDatabase& db) {
    db.Exec(
        "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(20), b INT, big TEXT, c INT NOT NULL "
        "DEFAULT 5)");
    db.Exec(
        "INSERT INTO t VALUES (1, 'a1', 1, 'text one', 1), (2, 'a2', 2, 'text two', 2), "
        "(3, 'a3', 3, 'text three', 3), (4, 'a4', 4, NULL, 4)");
  }
  // Updates and deletes from sessions that log partial images, some rows changed twice in one
  // transaction so that the second image follows the first inside one batch.
  void ChangeWithPartialImages(TestDatabase& db) {
    db.Exec("SET SESSION binlog_row_image = NOBLOB");
    db.Exec("UPDATE t SET b = 20 WHERE id = 2");  // big left out of both images
    db.Exec("SET SESSION binlog_row_image = MINIMAL");
    db.Exec("UPDATE t SET a = 'a1+' WHERE id = 1");  // before: id; after: a
    db.Exec("BEGIN");
    db.Exec("UPDATE t SET big = 'text three+' WHERE id = 3");
    db.Exec("UPDATE t SET c = 30 WHERE id = 3");  // after big changed in the same transaction
    db.Exec("COMMIT");
    db.Exec("DELETE FROM t WHERE id = 4");  // before: id only
    db.Exec("SET SESSION binlog_row_image = FULL");
  }
  static constexpr const char* kRows = "SELECT id, a, b, big, c FROM {}t ORDER BY id";
};

TEST_F(PartialImagesRunTest, UpdatesKeepTheColumnsTheirImagesLeaveOutInMariadb) {
  TestDatabase db;
  TestDatabase target;
  CreateSource(db);
  WriteJobTo(db, fmt::format("{{type: mysql, url: \"{}\", table: t}}", target.Url()));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  ChangeWithPartialImages(db);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  const std::string rows = fmt::format(kRows, "");
  EXPECT_EQ(target.Rows(rows), db.Rows(rows));
  EXPECT_EQ(target.Rows(rows), (std::vector<std::string>{"1|a1+|1|text one|1", "2|a2|20|text two|2",
                                                         "3|a3|3|text three+|30"}));
}

TEST_F(PartialImagesRunTest, UpdatesKeepTheColumnsTheirImagesLeaveOutInPostgres) {
  TestDatabase db;
  CreateSource(db);
  postgres::testing::RawConn pg(postgres::testing::DbUrl());
  const std::string schema = "partial_" + db.name();
  pg.Exec(fmt::format("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}", schema));
  WriteJobTo(db, fmt::format("{{type: postgres, url: \"{}\", table: {}.t}}",
                             postgres::testing::DbUrl(), schema));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  ChangeWithPartialImages(db);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  std::vector<std::string> got;
  for (const auto& row : pg.Rows(fmt::format(kRows, schema + "."))) {
    got.push_back(fmt::format("{}", fmt::join(row, "|")));
  }
  EXPECT_EQ(got, db.Rows(fmt::format(kRows, "")));
  pg.Exec(fmt::format("DROP SCHEMA {} CASCADE", schema));
}

// A minimal image of an insert holds the columns the INSERT named: the default the row got
// is not logged, and writing NULL (or anything) there would be a guess.
TEST_F(PartialImagesRunTest, AnInsertThatLeavesAColumnOutStopsNamingIt) {
  TestDatabase db;
  TestDatabase target;
  CreateSource(db);
  WriteJobTo(db, fmt::format("{{type: mysql, url: \"{}\", table: t}}", target.Url()));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db.Exec("UPDATE t SET b = 10 WHERE id = 1");
  db.Exec("SET SESSION binlog_row_image = MINIMAL");
  db.Exec("INSERT INTO t (id, a) VALUES (9, 'a9')");
  EXPECT_NE(Run({"run", "job.yaml", "--catch-up"}), 0);
  const std::string err = Log("run.log.err");
  EXPECT_NE(err.find("column b (LONG): the row image leaves the column out (the writing session "
                     "had binlog_row_image=MINIMAL or NOBLOB)"),
            std::string::npos)
      << err;
  // Nothing past the last transaction before it is lost: the update before it is applied or
  // will be again; the insert never reached the target.
  EXPECT_EQ(target.Value("SELECT count(*) FROM t WHERE id = 9"), "0");
}

// A target.key outside the primary key: a minimal image of a delete holds the primary key
// only, so the row to remove cannot be found by the job's key (its key cell arrives NULL). The
// run stops naming the column (a dirty row, when error_limit allows some), and the target
// keeps the row; an update whose image leaves the key column out stops naming it too, with the
// fix (FULL images, then a re-snapshot).
TEST_F(PartialImagesRunTest, ADeleteWithoutTheTargetKeyStopsNamingIt) {
  TestDatabase db;
  TestDatabase target;
  CreateSource(db);
  WriteJobTo(db, fmt::format("{{type: mysql, url: \"{}\", table: t, key: [a]}}", target.Url()));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db.Exec("SET SESSION binlog_row_image = MINIMAL");
  db.Exec("DELETE FROM t WHERE id = 2");
  EXPECT_NE(Run({"run", "job.yaml", "--catch-up"}), 0);
  EXPECT_NE(Log("run.log.err").find(".t.a: NULL in a key column (target.key)"), std::string::npos)
      << Log("run.log.err");
  EXPECT_EQ(target.Value("SELECT count(*) FROM t WHERE id = 2"), "1");
}

TEST_F(PartialImagesRunTest, AnUpdateWithoutTheTargetKeyStopsNamingTheFix) {
  TestDatabase db;
  TestDatabase target;
  CreateSource(db);
  WriteJobTo(db, fmt::format("{{type: mysql, url: \"{}\", table: t, key: [a]}}", target.Url()));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db.Exec("SET SESSION binlog_row_image = MINIMAL");
  db.Exec("UPDATE t SET b = 30 WHERE id = 3");
  EXPECT_EQ(Run({"run", "job.yaml", "--catch-up"}), 2);
  const std::string err = Log("run.log.err");
  EXPECT_NE(err.find("a change did not send the value of key column 'a' (unchanged): the row "
                     "cannot be identified; set binlog_row_image=FULL"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("re-snapshot the table (startup: initial)"), std::string::npos) << err;
  EXPECT_EQ(target.Value("SELECT b FROM t WHERE id = 3"), "3");
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream
