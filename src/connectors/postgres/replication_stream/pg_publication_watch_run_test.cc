// A table taken out of the job's publication (ALTER PUBLICATION ... DROP TABLE), through the
// real binary. pgoutput reads a publication as it was when each change was written, so the
// changes made while the table is not published never reach the slot, not even once it is
// published again. Found by a hostile probe: a live run went on with exit 0 while the table's
// changes stopped arriving, and the next start added the table back to the publication and
// went on, the changes in between lost. Now a start stops at a table with a position that the
// publication does not publish, and a live run checks every 10 s.
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "connectors/postgres/replication_stream/pg_run_fixture.h"

namespace sluice::postgres::replication_stream {
namespace {

using postgres::testing::DbUrl;
using testing::PgRunTest;

class PublicationWatchRunTest : public PgRunTest {
 protected:
  void SetUp() override {
    PgRunTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    src_ = "pw_src_" + job_;  // tests of this file run at once (ctest)
    Exec("DROP TABLE IF EXISTS {0}; DROP TABLE IF EXISTS {0}_copy");
    Exec("CREATE TABLE {0} (id int PRIMARY KEY, v text); INSERT INTO {0} VALUES (1, 'a')");
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: {}\nmode: realtime\n"
        "source: {{type: postgres, url: \"{}\", table: public.{}}}\n"
        "target: {{type: postgres, url: \"{}\", table: public.{}_copy}}\n",
        job_, DbUrl(), src_, DbUrl(), src_);
  }
  void TearDown() override {
    if (db_) Exec("DROP TABLE IF EXISTS {0}; DROP TABLE IF EXISTS {0}_copy");
    PgRunTest::TearDown();
  }
  void Exec(const std::string& sql) { db_->Exec(fmt::format(fmt::runtime(sql), src_)); }
  std::string Publication() const { return DefaultSlotName(job_); }
  std::string Message() const {
    return fmt::format("public.{}: publication {} no longer publishes it", src_, Publication());
  }
  std::string src_;
};

TEST_F(PublicationWatchRunTest, AStartStopsAtATableThePublicationNoLongerPublishes) {
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  Exec("ALTER PUBLICATION " + Publication() + " DROP TABLE {0}");
  Exec("INSERT INTO {0} VALUES (2, 'never streamed')");
  EXPECT_EQ(Run({"run", "job.yaml", "--catch-up"}), 2);
  const std::string err = Log("run.log.err");
  EXPECT_NE(err.find(Message() + ", though the job had streamed the table"), std::string::npos)
      << err;
  EXPECT_NE(err.find("sluice state drop-slot JOB"), std::string::npos) << err;
  // The job did not add it back, which would hide the gap.
  EXPECT_EQ(db_->Value(fmt::format(
                "SELECT count(*) FROM pg_publication_tables WHERE pubname = '{}'", Publication())),
            "0");
  // A publication dropped altogether stops the same way.
  db_->Exec("DROP PUBLICATION " + Publication());
  EXPECT_EQ(Run({"run", "job.yaml", "--catch-up"}), 2);
  EXPECT_NE(Log("run.log.err").find("is gone (DROP PUBLICATION)"), std::string::npos)
      << Log("run.log.err");
}

TEST_F(PublicationWatchRunTest, ALiveRunStopsWhenItsTableLeavesThePublication) {
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  const pid_t pid = Spawn({"run", "job.yaml"}, "live.log");
  ASSERT_TRUE(WaitForLog("live.log.err", "streaming from")) << Log("live.log.err");
  Exec("ALTER PUBLICATION " + Publication() + " DROP TABLE {0}");
  Exec("INSERT INTO {0} VALUES (2, 'never streamed')");
  // The check comes within 10 s; the run ends on its own, failed.
  const int code = Wait(pid, std::chrono::seconds(40));
  EXPECT_EQ(code, 2) << Log("live.log.err");
  EXPECT_NE(Log("live.log.err").find(Message() + ", while the job streamed the table"),
            std::string::npos)
      << Log("live.log.err");
}

// A kind of change the publication stops publishing is left out the same way.
TEST_F(PublicationWatchRunTest, ALiveRunStopsWhenThePublicationStopsPublishingDeletes) {
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  const pid_t pid = Spawn({"run", "job.yaml"}, "live.log");
  ASSERT_TRUE(WaitForLog("live.log.err", "streaming from")) << Log("live.log.err");
  db_->Exec("ALTER PUBLICATION " + Publication() + " SET (publish = 'insert, update')");
  Exec("DELETE FROM {0} WHERE id = 1");
  EXPECT_EQ(Wait(pid, std::chrono::seconds(40)), 2) << Log("live.log.err");
  EXPECT_NE(Log("live.log.err")
                .find("publication " + Publication() +
                      " does not publish deletes or truncates, which the job would never see"),
            std::string::npos)
      << Log("live.log.err");
  EXPECT_NE(Log("live.log.err").find("while the job streamed: the changes of that kind"),
            std::string::npos)
      << Log("live.log.err");
}

}  // namespace
}  // namespace sluice::postgres::replication_stream
