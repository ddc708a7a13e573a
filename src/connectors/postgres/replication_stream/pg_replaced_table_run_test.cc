// A job follows its source table by name; PostgreSQL's WAL follows it by oid. A table renamed
// away and replaced by a new one of the same name (between two --catch-up runs from cron, say)
// used to be taken up silently: the new table's rows written before the restart were never
// read (the job had a position, so it did not snapshot), the old table's last changes were
// dropped, and the run exited 0. Now the positions name the table's oid, and a start that finds
// another table under the name stops before it touches the publication or the target; a rename
// while the job streams stops it too, and naming the new name in the job file resumes it.
#include "connectors/postgres/replication_stream/pg_run_fixture.h"

namespace sluice::postgres::replication_stream {
namespace {

using postgres::testing::DbUrl;
using testing::PgRunTest;

class ReplacedTableRunTest : public PgRunTest {
 protected:
  void SetUp() override {
    PgRunTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    db_->Exec("DROP TABLE IF EXISTS rt_src, rt_old, rt_new, rt_copy");
    db_->Exec("CREATE TABLE rt_src (id int PRIMARY KEY, v text)");
    db_->Exec("INSERT INTO rt_src VALUES (1, 'one'), (2, 'two')");
  }
  void WriteJob(const std::string& table) {
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: {}\nmode: realtime\n"
        "source: {{type: postgres, url: \"{}\", table: public.{}}}\n"
        "target: {{type: postgres, url: \"{}\", table: public.rt_copy}}\n",
        job_, DbUrl(), table, DbUrl());
  }
  std::vector<std::vector<std::string>> Rows(const std::string& table) {
    return db_->Rows("SELECT id, v FROM " + table + " ORDER BY id");
  }
};

TEST_F(ReplacedTableRunTest, AnotherTableUnderTheNameStopsTheStart) {
  WriteJob("rt_src");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db_->Exec("INSERT INTO rt_src VALUES (3, 'three')");
  db_->Exec("ALTER TABLE rt_src RENAME TO rt_old");
  db_->Exec("CREATE TABLE rt_src (id int PRIMARY KEY, v text)");
  db_->Exec("INSERT INTO rt_src VALUES (10, 'new')");
  EXPECT_NE(Run({"run", "job.yaml", "--catch-up"}), 0);
  const std::string err = Log("run.log.err");
  EXPECT_NE(err.find("public.rt_src is not the table this job read"), std::string::npos) << err;
  EXPECT_NE(err.find("which is now named public.rt_old"), std::string::npos) << err;
  EXPECT_EQ(db_->Value("SELECT count(*) FROM rt_copy"), "2");  // untouched
  // The publication was not extended to the new table either.
  EXPECT_EQ(db_->Value("SELECT count(*) FROM pg_publication_tables WHERE pubname = '" +
                       DefaultSlotName(job_) + "' AND tablename = 'rt_src'"),
            "0");
  db_->Exec("DROP TABLE rt_old");
  EXPECT_NE(Run({"run", "job.yaml", "--catch-up"}), 0);
  EXPECT_NE(Log("run.log.err").find("which was dropped"), std::string::npos) << Log("run.log.err");
}

TEST_F(ReplacedTableRunTest, ARenameWhileStreamingStopsAndTheNewNameResumes) {
  WriteJob("rt_src");
  const pid_t live = Spawn({"run", "job.yaml"}, "live.log");
  ASSERT_TRUE(Eventually([&] {
    return db_->Value("SELECT count(*) FROM pg_tables WHERE tablename = 'rt_copy'") == "1" &&
           db_->Value("SELECT count(*) FROM rt_copy") == "2";
  }));
  db_->Exec("INSERT INTO rt_src VALUES (3, 'before the rename')");
  db_->Exec("ALTER TABLE rt_src RENAME TO rt_new");
  db_->Exec("INSERT INTO rt_new VALUES (4, 'after the rename')");
  db_->Exec("UPDATE rt_new SET v = 'changed' WHERE id = 1");
  EXPECT_NE(Wait(live), 0);
  const std::string err = Log("live.log.err");
  EXPECT_NE(err.find("public.rt_src was renamed to public.rt_new at the source"), std::string::npos)
      << err;
  EXPECT_NE(err.find("in the transaction that commits at WAL"), std::string::npos) << err;

  // The job file follows the rename: the changes from before it (under the old name in the WAL)
  // and after it all arrive, none twice.
  WriteJob("rt_new");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(Rows("rt_copy"), Rows("rt_new"));
  EXPECT_EQ(db_->Value("SELECT count(*) FROM rt_copy"), "4");
}

}  // namespace
}  // namespace sluice::postgres::replication_stream
