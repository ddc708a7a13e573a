// What a PostgreSQL table's deletes carry decides the key its changes can be applied by,
// through the real binary. A delete, and an update that changes the replica identity, send
// only the old row's identity columns: the primary key (DEFAULT), a unique index's columns
// (USING INDEX), or all (FULL). An update that changes other columns sends no old row at all.
//
// Found by a hostile probe: under REPLICA IDENTITY USING INDEX the job applied by the primary
// key, so every delete failed (its primary key arrived NULL), and an update of the primary
// key alone (no old row sent) left the old row in the target beside the new one. A target.key
// outside the identity broke the same way under DEFAULT. Now changes apply by the identity
// index's columns, and a target.key the deletes do not carry is refused before the run.
#include <string>
#include <vector>

#include "connectors/postgres/replication_stream/pg_run_fixture.h"

namespace sluice::postgres::replication_stream {
namespace {

using postgres::testing::DbUrl;
using testing::PgRunTest;

class PgReplicaIdentityRunTest : public PgRunTest {
 protected:
  void SetUp() override {
    PgRunTest::SetUp();
    if (IsSkipped()) return;
    schema_ = "ri_" + job_;
    src_ = "ri_src_" + job_;  // tests of this file run at once (ctest)
    db_->Exec(fmt::format("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}", schema_));
    Exec(
        "DROP TABLE IF EXISTS {0}; CREATE TABLE {0} (id int PRIMARY KEY, code text NOT NULL, v "
        "text); CREATE UNIQUE INDEX {0}_code ON {0} (code)");
    Exec("INSERT INTO {0} SELECT g, 'c' || g, 'v' || g FROM generate_series(1, 10) g");
  }
  void TearDown() override {
    if (db_) {
      db_->Exec(fmt::format("DROP SCHEMA IF EXISTS {} CASCADE", schema_));
      Exec("DROP TABLE IF EXISTS {0}");
    }
    PgRunTest::TearDown();
  }
  // `sql` with {0} as the source table.
  void Exec(const std::string& sql) { db_->Exec(fmt::format(fmt::runtime(sql), src_)); }
  void WriteJob(const std::string& target_extra) {
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: {}\nmode: realtime\n"
        "source: {{type: postgres, url: \"{}\", table: public.{}}}\n"
        "target: {{type: postgres, url: \"{}\", table: {}.t{}}}\n",
        job_, DbUrl(), src_, DbUrl(), schema_, target_extra);
  }
  // Deletes, updates of each column alone, of the primary key alone, of the identity alone,
  // and a row whose primary key and identity both change twice in one transaction.
  void Change() {
    Exec(
        "DELETE FROM {0} WHERE id IN (1, 2); UPDATE {0} SET v = 'v3+' WHERE id = 3; UPDATE {0} "
        "SET id = 40 WHERE id = 4; UPDATE {0} SET code = 'c5+' WHERE id = 5; INSERT INTO {0} "
        "VALUES (11, 'c11', NULL)");
    Exec(
        "BEGIN; UPDATE {0} SET id = 60, code = 'c6+' WHERE id = 6; UPDATE {0} SET id = 61 WHERE "
        "id = 60; DELETE FROM {0} WHERE id = 7; INSERT INTO {0} VALUES (7, 'c7', 'again'); "
        "COMMIT");
  }
  std::vector<std::vector<std::string>> Target() {
    return db_->Rows(fmt::format("SELECT id, code, v FROM {}.t ORDER BY id", schema_));
  }
  std::vector<std::vector<std::string>> Source() {
    return db_->Rows(fmt::format("SELECT id, code, v FROM {} ORDER BY id", src_));
  }
  std::string schema_;
  std::string src_;
};

TEST_F(PgReplicaIdentityRunTest, UsingIndexAppliesChangesByTheIndexColumns) {
  Exec("ALTER TABLE {0} REPLICA IDENTITY USING INDEX {0}_code");
  WriteJob("");
  ASSERT_EQ(Run({"check", "job.yaml"}), 0) << Log("run.log.err");
  EXPECT_NE(Log("run.log").find("key (code) from the source's primary key"), std::string::npos)
      << Log("run.log");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_NE(Log("run.log.err")
                .find(fmt::format("public.{0}: changes are applied by (code), the columns of its "
                                  "REPLICA IDENTITY index {0}_code, which its deletes carry (not "
                                  "by its primary key (id))",
                                  src_)),
            std::string::npos)
      << Log("run.log.err");
  Change();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(Target(), Source());
  EXPECT_EQ(Target().size(), 9u);
}

// The default identity (the primary key) with a target.key of another unique column: deletes
// would carry no code, and an update of code alone no old row.
TEST_F(PgReplicaIdentityRunTest, ATargetKeyTheDeletesDoNotCarryIsRefused) {
  WriteJob(", key: [code]");
  EXPECT_NE(Run({"run", "job.yaml", "--catch-up"}), 0);
  const std::string err = Log("run.log.err");
  EXPECT_NE(
      err.find(fmt::format(
          "key column 'code' cannot identify the rows that deletes remove: public.{0}'s "
          "deletes and key changes carry only its replica identity (id); ALTER TABLE "
          "\"public\".\"{0}\" REPLICA IDENTITY FULL makes them carry every column. Give target.key "
          "columns the deletes carry, or leave target.key out",
          src_)),
      std::string::npos)
      << err;
  EXPECT_EQ(db_->Value(fmt::format("SELECT count(*) FROM pg_tables WHERE schemaname = '{}' AND "
                                   "tablename = 't'",
                                   schema_)),
            "0");
  // With every column in deletes the same key works.
  Exec("ALTER TABLE {0} REPLICA IDENTITY FULL");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  Change();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(Target(), Source());
}

// The primary key is the identity: the key stays (id), and the same changes converge.
TEST_F(PgReplicaIdentityRunTest, TheDefaultIdentityAppliesByThePrimaryKey) {
  WriteJob("");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(Log("run.log.err").find("REPLICA IDENTITY index"), std::string::npos)
      << Log("run.log.err");
  Change();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(Target(), Source());
}

// The identity is read from the catalog at the start, but each change carries the one it was
// written with (the Relation's key flags): changed while the job streamed, or between runs and
// back, a delete of the old row would carry no id. Found by a probe: such deletes arrived with
// a NULL key, removed nothing, and the run exited 0. Now the run stops at the first Relation
// whose deletes lack a column of the job's key, before applying its changes.
TEST_F(PgReplicaIdentityRunTest, AnIdentityWithoutTheKeyInTheWalStopsTheRun) {
  WriteJob("");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  Exec("DELETE FROM {0} WHERE id = 1");
  Exec("ALTER TABLE {0} REPLICA IDENTITY USING INDEX {0}_code");
  Exec("DELETE FROM {0} WHERE id = 2");
  Exec("UPDATE {0} SET id = 30 WHERE id = 3");
  Exec("ALTER TABLE {0} REPLICA IDENTITY DEFAULT");  // the start sees the primary key again
  for (int run = 0; run < 2; ++run) {
    EXPECT_EQ(Run({"run", "job.yaml", "--catch-up"}), 2) << run;
    const std::string err = Log("run.log.err");
    EXPECT_NE(err.find(fmt::format("key column 'id' can no longer identify the rows that deletes "
                                   "remove: public.{}'s REPLICA IDENTITY changed while the job "
                                   "streamed: the deletes and key changes read from here on "
                                   "carry only (code)",
                                   src_)),
              std::string::npos)
        << err;
    // Nothing of the new identity was applied: rows 2 and 3 are still there, no 30.
    const std::string ids =
        db_->Value(fmt::format("SELECT string_agg(id::text, ',' ORDER BY id) FROM {}.t", schema_));
    EXPECT_NE(ids.find("2,3,4,5,6,7,8,9,10"), std::string::npos) << ids;
    EXPECT_EQ(ids.find("30"), std::string::npos) << ids;
  }
}

// The same in a `tables:` job: the table's first change under the new identity stops the run;
// nothing of the new identity is applied.
TEST_F(PgReplicaIdentityRunTest, AnIdentityWithoutTheKeyStopsATablesJob) {
  db_->Exec(
      fmt::format("CREATE TABLE {0}.src (id int PRIMARY KEY, code text NOT NULL UNIQUE); "
                  "INSERT INTO {0}.src SELECT g, 'c' || g FROM generate_series(1, 5) g",
                  schema_));
  db_->Exec(fmt::format("CREATE SCHEMA {0}_t", schema_));
  std::ofstream(dir_ / "job.yaml") << fmt::format(
      "name: {}\nmode: realtime\n"
      "source: {{type: postgres, url: \"{}\", tables: [\"{}.*\"]}}\n"
      "target: {{type: postgres, url: \"{}\", table: \"{}_t.${{table}}\"}}\n",
      job_, DbUrl(), schema_, DbUrl(), schema_);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  const std::string src = schema_ + ".src";
  db_->Exec("DELETE FROM " + src + " WHERE id = 1");
  db_->Exec("ALTER TABLE " + src + " REPLICA IDENTITY USING INDEX src_code_key");
  db_->Exec("DELETE FROM " + src + " WHERE id = 2");
  db_->Exec("ALTER TABLE " + src + " REPLICA IDENTITY DEFAULT");
  EXPECT_EQ(Run({"run", "job.yaml", "--catch-up"}), 2);
  EXPECT_NE(Log("run.log.err")
                .find(fmt::format("key column 'id' can no longer identify the rows that deletes "
                                  "remove: {}.src's REPLICA IDENTITY changed",
                                  schema_)),
            std::string::npos)
      << Log("run.log.err");
  // Row 2's delete was not applied (row 1's may be, or is read again with it).
  const std::string ids = db_->Value(
      fmt::format("SELECT string_agg(id::text, ',' ORDER BY id) FROM {}_t.src", schema_));
  EXPECT_NE(ids.find("2,3,4,5"), std::string::npos) << ids;
  db_->Exec(fmt::format("DROP SCHEMA {}_t CASCADE", schema_));
}

// Deletes that carry more columns (FULL) or still the key (FULL back to DEFAULT, keyed by id)
// are followed without a stop.
TEST_F(PgReplicaIdentityRunTest, AnIdentityThatStillCarriesTheKeyIsFollowed) {
  Exec("ALTER TABLE {0} REPLICA IDENTITY FULL");
  WriteJob("");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  Exec("DELETE FROM {0} WHERE id = 1");
  Exec("ALTER TABLE {0} REPLICA IDENTITY DEFAULT");
  Change();
  Exec("ALTER TABLE {0} REPLICA IDENTITY FULL");
  Exec("DELETE FROM {0} WHERE id = 8; UPDATE {0} SET id = 90, v = NULL WHERE id = 9");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_NE(Log("run.log.err")
                .find(fmt::format("public.{}: the REPLICA IDENTITY of the changes read from here "
                                  "on is (id)",
                                  src_)),
            std::string::npos)
      << Log("run.log.err");
  EXPECT_EQ(Target(), Source());
  EXPECT_EQ(Target().size(), 8u);
}

}  // namespace
}  // namespace sluice::postgres::replication_stream
