// A publication named by the job (`publication:`) may publish some columns of its table only,
// or some rows (PostgreSQL 15+). The snapshot reads the whole table; the changes would not
// carry the rest: a column left out became NULL in every row a change wrote, and a row outside
// the filter kept its snapshot state for ever, both with exit 0. Now the column is refused
// like a generated one (drop or compute it), and a row filter stops the start.
#include "connectors/postgres/replication_stream/pg_run_fixture.h"

namespace sluice::postgres::replication_stream {
namespace {

using postgres::testing::DbUrl;
using testing::PgRunTest;

class PublicationShapeRunTest : public PgRunTest {
 protected:
  void SetUp() override {
    PgRunTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    publication_ = job_ + "_pub";
    db_->Exec("DROP PUBLICATION IF EXISTS " + publication_);
    db_->Exec("DROP TABLE IF EXISTS ps_src, ps_copy");
    db_->Exec("CREATE TABLE ps_src (id int PRIMARY KEY, a int, b text)");
    db_->Exec("INSERT INTO ps_src VALUES (1, 1, 'x'), (2, 2, 'y')");
  }
  void TearDown() override {
    if (db_) db_->Exec("DROP PUBLICATION IF EXISTS " + publication_);
    PgRunTest::TearDown();
  }
  void WriteJob(const std::string& transforms = "") {
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: {}\nmode: realtime\n"
        "source: {{type: postgres, url: \"{}\", table: public.ps_src, publication: {}}}\n"
        "target: {{type: postgres, url: \"{}\", table: public.ps_copy}}\n{}",
        job_, DbUrl(), publication_, DbUrl(), transforms);
  }
  std::string publication_;
};

TEST_F(PublicationShapeRunTest, AColumnListLeavesTheOtherColumnsToBeDroppedOrComputed) {
  db_->Exec("CREATE PUBLICATION " + publication_ + " FOR TABLE ps_src (id, a)");
  WriteJob();
  EXPECT_NE(Run({"run", "job.yaml", "--catch-up"}), 0);
  const std::string err = Log("run.log.err");
  EXPECT_NE(err.find("column 'b' would be NULL in every row a change writes: publication " +
                     publication_ + " publishes only the columns id, a of public.ps_src"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("SET TABLE \"public\".\"ps_src\" publishes them all"), std::string::npos)
      << err;

  WriteJob("transforms:\n  - drop: [b]\n");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db_->Exec(
      "UPDATE ps_src SET a = 10, b = 'changed' WHERE id = 1; INSERT INTO ps_src VALUES "
      "(3, 3, 'z')");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(db_->Rows("SELECT * FROM ps_copy ORDER BY id"),
            db_->Rows("SELECT id, a FROM ps_src ORDER BY id"));
}

TEST_F(PublicationShapeRunTest, ARowFilterStopsTheStartSayingWhatToUseInstead) {
  // Updates of a filtered table must carry the filter's columns.
  db_->Exec("ALTER TABLE ps_src REPLICA IDENTITY FULL");
  db_->Exec("CREATE PUBLICATION " + publication_ + " FOR TABLE ps_src WHERE (a > 1)");
  WriteJob();
  EXPECT_NE(Run({"run", "job.yaml", "--catch-up"}), 0);
  const std::string err = Log("run.log.err");
  EXPECT_NE(err.find("publication " + publication_ +
                     " publishes only the rows of public.ps_src "
                     "WHERE (a > 1)"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("a `filter` transform"), std::string::npos) << err;
  EXPECT_EQ(db_->Value("SELECT count(*) FROM pg_tables WHERE tablename = 'ps_copy'"), "0");
}

TEST_F(PublicationShapeRunTest, APublicationOfInsertsOnlyStopsTheStart) {
  db_->Exec("CREATE PUBLICATION " + publication_ + " FOR TABLE ps_src WITH (publish = 'insert')");
  WriteJob();
  EXPECT_NE(Run({"run", "job.yaml", "--catch-up"}), 0);
  const std::string err = Log("run.log.err");
  EXPECT_NE(
      err.find("publication " + publication_ + " does not publish updates or deletes or truncates"),
      std::string::npos)
      << err;
  db_->Exec("ALTER PUBLICATION " + publication_ +
            " SET (publish = 'insert, update, delete, truncate')");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db_->Exec("UPDATE ps_src SET b = 'changed' WHERE id = 1; DELETE FROM ps_src WHERE id = 2");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(db_->Rows("SELECT * FROM ps_copy ORDER BY id"),
            db_->Rows("SELECT * FROM ps_src ORDER BY id"));
}

}  // namespace
}  // namespace sluice::postgres::replication_stream
