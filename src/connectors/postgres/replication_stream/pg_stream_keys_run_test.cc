// How a realtime job from PostgreSQL finds the key it applies changes by, through the real
// binary: the job of the example (no write_mode, no key) applies updates and deletes
// by the source's primary key; a table without one is keyed by the whole row when every column
// is NOT NULL, needs target.key otherwise (a clear error, then the job with key: works);
// `sluice check` of a realtime job describes all that and writes nothing on the source.
// Also: transforms (filter, computed column, rename) apply to the change stream.
#include <string>
#include <vector>

#include "connectors/postgres/replication_stream/pg_run_fixture.h"

namespace sluice::postgres::replication_stream {
namespace {

using postgres::testing::DbUrl;
using testing::PgRunTest;

class PgStreamKeysTest : public PgRunTest {
 protected:
  void WriteJob(const std::string& source_table, const std::string& target_extra,
                const std::string& more = "") {
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: {}\nmode: realtime\n"
        "source: {{type: postgres, url: \"{}\", table: {}}}\n"
        "target: {{type: postgres, url: \"{}\", table: {}.t{}}}\n{}",
        job_, DbUrl(), source_table, DbUrl(), schema_, target_extra, more);
  }
  void SetUp() override {
    PgRunTest::SetUp();
    if (IsSkipped()) return;
    // A schema of the test's own: ctest runs this file's tests at once.
    schema_ = "ks_" + job_;
    db_->Exec(fmt::format("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}", schema_));
  }
  std::vector<std::vector<std::string>> Target() {
    return db_->Rows("SELECT * FROM " + schema_ + ".t ORDER BY 1, 2");
  }
  // The target table's name, for checks in SQL.
  std::string T() const { return schema_ + ".t"; }
  std::string schema_;
};

TEST_F(PgStreamKeysTest, WithoutWriteModeOrKeyChangesApplyByThePrimaryKey) {
  db_->Exec("DROP TABLE IF EXISTS ks_pk; CREATE TABLE ks_pk (id int PRIMARY KEY, v text)");
  db_->Exec("INSERT INTO ks_pk VALUES (1, 'a'), (2, 'b'), (3, NULL)");
  WriteJob("ks_pk", "");
  ASSERT_EQ(Run({"check", "job.yaml"}), 0) << Log("run.log.err");
  EXPECT_NE(Log("run.log").find("write_mode upsert, key (id) from the source's primary key"),
            std::string::npos)
      << Log("run.log");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db_->Exec(
      "UPDATE ks_pk SET v = 'b2' WHERE id = 2; DELETE FROM ks_pk WHERE id = 1; "
      "UPDATE ks_pk SET id = 30 WHERE id = 3; INSERT INTO ks_pk VALUES (4, '')");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(Target(), db_->Rows("SELECT * FROM ks_pk ORDER BY 1, 2"));
  EXPECT_EQ(db_->Value("SELECT count(*) FROM " + T() + " WHERE id = 30 AND v IS NULL"), "1");
  EXPECT_EQ(db_->Value("SELECT count(*) FROM " + T() + " WHERE id = 4 AND v = ''"), "1");
}

// REPLICA IDENTITY DEFAULT: deletes and old images carry the key only, so their other columns
// arrive NULL; the target's NOT NULL columns must not refuse them.
TEST_F(PgStreamKeysTest, KeyOnlyDeletesIntoNotNullColumns) {
  db_->Exec(
      "DROP TABLE IF EXISTS ks_nn; CREATE TABLE ks_nn (id int PRIMARY KEY, k int NOT NULL, "
      "c text NOT NULL)");
  db_->Exec("INSERT INTO ks_nn SELECT g, g, 'c' || g FROM generate_series(1, 20) g");
  WriteJob("ks_nn", "");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db_->Exec(
      "DELETE FROM ks_nn WHERE id <= 5; UPDATE ks_nn SET id = id + 100 WHERE id <= 8; "
      "UPDATE ks_nn SET c = 'x' WHERE id = 9");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(Target(), db_->Rows("SELECT * FROM ks_nn ORDER BY 1, 2"));
  EXPECT_EQ(db_->Value("SELECT count(*) FROM " + T()), "15");
}

TEST_F(PgStreamKeysTest, ATableWithoutPrimaryKeyIsKeyedByTheWholeRow) {
  db_->Exec("DROP TABLE IF EXISTS ks_row; CREATE TABLE ks_row (id int NOT NULL, v text NOT NULL)");
  db_->Exec("ALTER TABLE ks_row REPLICA IDENTITY FULL");
  db_->Exec("INSERT INTO ks_row VALUES (1, 'a'), (2, 'b'), (2, 'c')");
  WriteJob("ks_row", "");
  ASSERT_EQ(Run({"check", "job.yaml"}), 0) << Log("run.log.err");
  EXPECT_NE(Log("run.log").find("key (id, v): the source table has no primary key, so the whole "
                                "row is the key"),
            std::string::npos)
      << Log("run.log");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_NE(Log("run.log.err").find("no primary key"), std::string::npos) << Log("run.log.err");
  db_->Exec(
      "UPDATE ks_row SET v = 'b2' WHERE v = 'b'; DELETE FROM ks_row WHERE id = 1; "
      "INSERT INTO ks_row VALUES (5, 'e')");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(Target(), (std::vector<std::vector<std::string>>{{"2", "b2"}, {"2", "c"}, {"5", "e"}}));
}

TEST_F(PgStreamKeysTest, ANullableTableWithoutKeyNeedsTargetKeyThenWorksWithIt) {
  db_->Exec("DROP TABLE IF EXISTS ks_null; CREATE TABLE ks_null (id int NOT NULL, v text)");
  db_->Exec("ALTER TABLE ks_null REPLICA IDENTITY FULL");
  db_->Exec("INSERT INTO ks_null VALUES (1, NULL), (2, 'b')");
  WriteJob("ks_null", "");
  EXPECT_EQ(Run({"run", "job.yaml", "--catch-up"}), 2);
  EXPECT_NE(Log("run.log.err")
                .find("the whole row cannot be its key because v may be NULL: give "
                      "target.key"),
            std::string::npos)
      << Log("run.log.err");
  EXPECT_EQ(db_->Value("SELECT count(*) FROM pg_tables WHERE schemaname = '" + schema_ + "'"), "0");

  WriteJob("ks_null", ", key: [id]");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db_->Exec(
      "UPDATE ks_null SET v = 'one' WHERE id = 1; DELETE FROM ks_null WHERE id = 2; "
      "INSERT INTO ks_null VALUES (3, NULL)");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(Target(), db_->Rows("SELECT * FROM ks_null ORDER BY 1, 2"));
  EXPECT_EQ(db_->Value("SELECT count(*) FROM " + T()), "2");
}

// json has no equality a key can use: keyed by the whole row, the target cannot be made, and
// the error says why the whole row was the key and what to give instead.
TEST_F(PgStreamKeysTest, AWholeRowKeyTheTargetCannotIndexSaysToGiveTargetKey) {
  db_->Exec(
      "DROP TABLE IF EXISTS ks_json; CREATE TABLE ks_json (id int NOT NULL, j json NOT NULL)");
  db_->Exec("ALTER TABLE ks_json REPLICA IDENTITY FULL");
  db_->Exec("INSERT INTO ks_json VALUES (1, '{\"a\": 1}'), (2, '[2]')");
  WriteJob("ks_json", "");
  EXPECT_NE(Run({"run", "job.yaml", "--catch-up"}), 0);
  EXPECT_NE(Log("run.log.err")
                .find("the source table has no primary key, so the whole row (id, j) was taken "
                      "as the key: give target.key"),
            std::string::npos)
      << Log("run.log.err");
  WriteJob("ks_json", ", key: [id]");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db_->Exec("UPDATE ks_json SET j = '{}' WHERE id = 1; DELETE FROM ks_json WHERE id = 2");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(db_->Rows("SELECT id, j::text FROM " + T() + " ORDER BY 1"),
            db_->Rows("SELECT id, j::text FROM ks_json ORDER BY 1"));
}

TEST_F(PgStreamKeysTest, CheckOfARealtimeJobDescribesItAndWritesNothing) {
  db_->Exec("DROP TABLE IF EXISTS ks_chk; CREATE TABLE ks_chk (id bigint PRIMARY KEY, v text)");
  WriteJob("ks_chk", "", "transforms:\n  - set: { w: \"upper(v)\" }\n");
  ASSERT_EQ(Run({"check", "job.yaml"}), 0) << Log("run.log.err");
  const std::string plan = Log("run.log");
  EXPECT_NE(plan.find("(pgoutput), changes streamed"), std::string::npos) << plan;
  EXPECT_NE(plan.find("startup initial"), std::string::npos) << plan;
  EXPECT_NE(plan.find("transforms:"), std::string::npos) << plan;
  EXPECT_NE(plan.find("column w string"), std::string::npos) << plan;
  EXPECT_NE(plan.find("check passed: nothing was written"), std::string::npos) << plan;
  const std::string name = DefaultSlotName(job_);
  EXPECT_EQ(db_->Value(fmt::format(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{}'", name)),
            "0");
  EXPECT_EQ(
      db_->Value(fmt::format("SELECT count(*) FROM pg_publication WHERE pubname = '{}'", name)),
      "0");
}

// Batch transforms on a change stream: rows filtered out never reach the target (their
// updates and deletes neither), a computed column follows each update, a renamed column keeps
// its values; the key is the source's, under its own name.
TEST_F(PgStreamKeysTest, TransformsApplyToTheChangeStream) {
  db_->Exec("DROP TABLE IF EXISTS ks_tx; CREATE TABLE ks_tx (id int PRIMARY KEY, v text, n int)");
  db_->Exec("INSERT INTO ks_tx SELECT g, 'v' || g, g FROM generate_series(1, 10) g");
  WriteJob("ks_tx", "",
           "transforms:\n  - filter: \"id % 2 = 0\"\n  - set: { big: \"upper(v)\" }\n"
           "  - rename: { n: amount }\n");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db_->Exec(
      "UPDATE ks_tx SET v = 'changed', n = n * 100 WHERE id IN (2, 3); "
      "DELETE FROM ks_tx WHERE id IN (4, 5); INSERT INTO ks_tx VALUES (12, 'x', 7), "
      "(13, 'y', 8)");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(db_->Rows("SELECT id, v, amount, big FROM " + T() + " ORDER BY id"),
            db_->Rows("SELECT id, v, n, upper(v) FROM ks_tx WHERE id % 2 = 0 ORDER BY id"));
  EXPECT_EQ(db_->Value("SELECT big FROM " + T() + " WHERE id = 2"), "CHANGED");
  EXPECT_EQ(db_->Value("SELECT amount FROM " + T() + " WHERE id = 2"), "200");
}

// A filter on a column rows move in and out of: the target ends as the filtered source. An
// update that takes a row out of the filter removes it (PostgreSQL sends no old image under
// REPLICA IDENTITY DEFAULT: the new image becomes a delete), one that brings it in adds it, and
// a delete reaches the target though its image holds only the key. The same with REPLICA
// IDENTITY FULL (old images travel).
TEST_F(PgStreamKeysTest, AFilterOnAColumnRowsMoveInAndOutOfKeepsTheTargetFiltered) {
  const std::string base_job = job_;
  for (const std::string identity : {"default", "full"}) {
    SCOPED_TRACE(identity);
    job_ = base_job + "_" + identity;  // a job, slot and target table per case
    const std::string table = "ks_flt_" + identity;
    db_->Exec(
        fmt::format("DROP TABLE IF EXISTS {0}; CREATE TABLE {0} (id int PRIMARY KEY, "
                    "status text, n int); ALTER TABLE {0} REPLICA IDENTITY {1}",
                    table, identity));
    db_->Exec(
        fmt::format("INSERT INTO {} SELECT g, CASE WHEN g % 2 = 0 THEN 'paid' ELSE 'new' "
                    "END, g FROM generate_series(1, 10) g",
                    table));
    WriteJob(table, "_" + identity, "transforms:\n  - filter: \"status = 'paid'\"\n");
    ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
    db_->Exec(
        fmt::format("UPDATE {0} SET status = 'refunded' WHERE id IN (2, 4); "  // out of the filter
                    "UPDATE {0} SET status = 'paid' WHERE id IN (1, 3); "      // into it
                    "UPDATE {0} SET n = n + 100 WHERE id IN (6, 7); "          // inside, outside
                    "DELETE FROM {0} WHERE id IN (8, 9); "                     // inside, outside
                    "UPDATE {0} SET id = 60 WHERE id = 10; "                   // a key move, inside
                    "INSERT INTO {0} VALUES (11, 'paid', 11), (12, 'new', 12)",
                    table));
    ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
    EXPECT_EQ(db_->Rows(fmt::format("SELECT id, status, n FROM {}_{} ORDER BY id", T(), identity)),
              db_->Rows(fmt::format(
                  "SELECT id, status, n FROM {} WHERE status = 'paid' ORDER BY id", table)));
    if (identity == "default") {
      Result<std::string> dropped =
          DropSlotAndPublication(DbUrl(), DefaultSlotName(job_), DefaultSlotName(job_));
      ASSERT_TRUE(dropped.has_value()) << dropped.error().message();
    }
  }
}

}  // namespace
}  // namespace sluice::postgres::replication_stream
