// A partitioned source table through realtime runs of the real binary. Its changes happen in
// its partitions; the job's publication publishes them under the table's own name
// (publish_via_partition_root), so inserts, updates, deletes and rows moved between partitions
// all reach the target. Changes that arrive under a partition's name (a publication that does
// not publish via the root, or did not when they were written) stop the run: before, they
// passed the job by and the run exited 0 with none of them.
#include "connectors/postgres/replication_stream/pg_run_fixture.h"

namespace sluice::postgres::replication_stream {
namespace {

using postgres::testing::DbUrl;
using testing::PgRunTest;

class PartitionedRunTest : public PgRunTest {
 protected:
  void SetUp() override {
    PgRunTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    db_->Exec("DROP TABLE IF EXISTS pt_src; DROP TABLE IF EXISTS pt_copy");
    db_->Exec(
        "CREATE TABLE pt_src (id int, d date, v text, PRIMARY KEY (id, d)) "
        "PARTITION BY RANGE (d)");
    db_->Exec(
        "CREATE TABLE pt_src_2025 PARTITION OF pt_src FOR VALUES FROM ('2025-01-01') TO "
        "('2026-01-01')");
    // A sub-partitioned partition: its leaves are two levels below the job's table.
    db_->Exec(
        "CREATE TABLE pt_src_2026 PARTITION OF pt_src FOR VALUES FROM ('2026-01-01') TO "
        "('2027-01-01') PARTITION BY HASH (id)");
    db_->Exec(
        "CREATE TABLE pt_src_2026_a PARTITION OF pt_src_2026 FOR VALUES WITH (MODULUS 2, "
        "REMAINDER 0)");
    db_->Exec(
        "CREATE TABLE pt_src_2026_b PARTITION OF pt_src_2026 FOR VALUES WITH (MODULUS 2, "
        "REMAINDER 1)");
    db_->Exec(
        "INSERT INTO pt_src SELECT g, DATE '2025-03-01' + (g * 7), 'v' || g "
        "FROM generate_series(1, 60) g");
  }
  void WriteJob(const std::string& source_extra = "") {
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: {}\nmode: realtime\n"
        "source: {{type: postgres, url: \"{}\", table: public.pt_src{}}}\n"
        "target: {{type: postgres, url: \"{}\", table: public.pt_copy}}\n",
        job_, DbUrl(), source_extra, DbUrl());
  }
  void Change() {
    db_->Exec(
        "INSERT INTO pt_src VALUES (100, '2025-06-01', 'new a'), (101, '2026-06-01', "
        "'new b'), (102, '2026-07-01', 'new c')");
    db_->Exec("UPDATE pt_src SET v = 'updated' WHERE id IN (3, 50)");
    // Moves rows to another partition (the key holds the partition column).
    db_->Exec("UPDATE pt_src SET d = d + 365, v = 'moved' WHERE id IN (5, 6, 7)");
    db_->Exec("DELETE FROM pt_src WHERE id IN (10, 55)");
  }
  std::string Differences() {
    return db_->Value(
        "SELECT count(*) FROM ((TABLE pt_src EXCEPT TABLE pt_copy) UNION ALL "
        "(TABLE pt_copy EXCEPT TABLE pt_src)) x");
  }
};

TEST_F(PartitionedRunTest, ChangesInItsPartitionsReachTheTarget) {
  WriteJob();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(db_->Value("SELECT count(*) FROM pt_copy"), "60");
  Change();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(db_->Value("SELECT count(*) FROM pt_copy"), "61");
  EXPECT_EQ(db_->Value("SELECT count(*) FROM pt_copy WHERE v = 'moved' AND d > '2026-01-01'"), "3");
  EXPECT_EQ(Differences(), "0");
  // A TRUNCATE of the table itself is published (here applied); one of a partition is not,
  // which each start says.
  EXPECT_NE(Log("run.log.err")
                .find("public.pt_src is partitioned: PostgreSQL publishes no "
                      "TRUNCATE of one of its partitions"),
            std::string::npos)
      << Log("run.log.err");
  WriteJob(", truncate: apply");
  db_->Exec("TRUNCATE pt_src; INSERT INTO pt_src VALUES (1, '2026-02-01', 'after')");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(db_->Value("SELECT count(*) FROM pt_copy"), "1");
  EXPECT_EQ(Differences(), "0");
}

TEST_F(PartitionedRunTest, ChangesPublishedUnderAPartitionsNameStopTheRun) {
  WriteJob();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  // As an older sluice left its publication: changes arrive under the leaves' names.
  const std::string publication = DefaultSlotName(job_);
  db_->Exec("ALTER PUBLICATION " + publication + " SET (publish_via_partition_root = false)");
  Change();
  EXPECT_NE(Run({"run", "job.yaml", "--catch-up"}), 0);
  const std::string err = Log("run.log.err");
  EXPECT_NE(err.find("changes of its partition public.pt_src_"), std::string::npos) << err;
  EXPECT_NE(err.find("publish_via_partition_root"), std::string::npos) << err;
  EXPECT_EQ(db_->Value("SELECT count(*) FROM pt_copy"), "60");  // nothing applied, nothing lost
  // The start set the job's own publication back.
  EXPECT_EQ(
      db_->Value("SELECT pubviaroot FROM pg_publication WHERE pubname = '" + publication + "'"),
      "t");
}

TEST_F(PartitionedRunTest, APublicationNamedByTheJobMustPublishViaTheRoot) {
  const std::string publication = job_ + "_named";
  db_->Exec("DROP PUBLICATION IF EXISTS " + publication);
  db_->Exec("CREATE PUBLICATION " + publication + " FOR TABLE pt_src");
  WriteJob(", publication: " + publication);
  EXPECT_NE(Run({"run", "job.yaml", "--catch-up"}), 0);
  const std::string err = Log("run.log.err");
  EXPECT_NE(err.find("publication " + publication +
                     " publishes its changes under each "
                     "partition's name"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find(" SET (publish_via_partition_root = true)"), std::string::npos) << err;
  db_->Exec("ALTER PUBLICATION " + publication + " SET (publish_via_partition_root = true)");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  Change();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(Differences(), "0");
  db_->Exec("DROP PUBLICATION " + publication);
}

}  // namespace
}  // namespace sluice::postgres::replication_stream
