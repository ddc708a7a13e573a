// A job's first start creates its replication slot, and PostgreSQL's CREATE_REPLICATION_SLOT
// waits until every transaction that held a transaction id when it began has ended. Found by
// a probe: with a session left open in a transaction (on any table), the start waited for it
// without a word, and a SIGTERM meanwhile went unanswered until the 4 s exit watchdog (exit 1).
// Now the wait names the sessions that hold it after 5 s, and a signal ends it at once, a stop
// like any other (exit 0: nothing was read).
#include <thread>

#include "connectors/postgres/replication_stream/pg_run_fixture.h"

namespace sluice::postgres::replication_stream {
namespace {

using postgres::testing::DbUrl;
using postgres::testing::RawConn;
using testing::PgRunTest;

class SlotWaitRunTest : public PgRunTest {
 protected:
  void SetUp() override {
    PgRunTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    src_ = "sw_" + job_;
    db_->Exec(fmt::format("DROP TABLE IF EXISTS {0}, {0}_copy, {0}_other", src_));
    db_->Exec(
        fmt::format("CREATE TABLE {0} (id int PRIMARY KEY, v text); CREATE TABLE "
                    "{0}_other (id int); INSERT INTO {0} VALUES (1, 'one')",
                    src_));
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: {}\nmode: realtime\n"
        "source: {{type: postgres, url: \"{}\", table: public.{}}}\n"
        "target: {{type: postgres, url: \"{}\", table: public.{}_copy}}\n",
        job_, DbUrl(), src_, DbUrl(), src_);
  }
  void TearDown() override {
    if (db_) db_->Exec(fmt::format("DROP TABLE IF EXISTS {0}, {0}_copy, {0}_other", src_));
    PgRunTest::TearDown();
  }
  // A session open in a transaction that wrote a row of another table (so it holds an id).
  std::unique_ptr<RawConn> OpenTransaction() {
    auto open = std::make_unique<RawConn>(DbUrl());
    open->Exec(fmt::format("BEGIN; INSERT INTO {}_other VALUES (1)", src_));
    return open;
  }
  std::string src_;
};

TEST_F(SlotWaitRunTest, TheWaitForOpenTransactionsNamesThemAndEndsOnASignal) {
  std::unique_ptr<RawConn> open = OpenTransaction();
  const std::string pid = open->Value("SELECT pg_backend_pid()::text");
  const pid_t run = Spawn({"run", "job.yaml"}, "live.log");
  ASSERT_TRUE(WaitForLog("live.log.err", "for the transactions open at the source to end"))
      << Log("live.log.err");
  EXPECT_NE(Log("live.log.err").find("pid " + pid + " (sluice@"), std::string::npos)
      << Log("live.log.err");
  const auto signalled = std::chrono::steady_clock::now();
  kill(run, SIGTERM);
  EXPECT_EQ(Wait(run, std::chrono::seconds(20)), 0) << Log("live.log.err");
  // Not the 4 s exit watchdog: the wait polls and ends within about a second.
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, std::chrono::milliseconds(2500));
  EXPECT_NE(Log("live.log.err").find("stopped by a signal while creating replication slot"),
            std::string::npos)
      << Log("live.log.err");
  open->Exec("COMMIT");

  // The transaction ended: the next start creates the slot and snapshots as usual.
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(db_->Value(fmt::format("SELECT v FROM {}_copy WHERE id = 1", src_)), "one");
}

// The start waits for the transaction and goes on once it ends.
TEST_F(SlotWaitRunTest, TheStartGoesOnWhenTheTransactionEnds) {
  std::unique_ptr<RawConn> open = OpenTransaction();
  const pid_t run = Spawn({"run", "job.yaml", "--catch-up"}, "live.log");
  ASSERT_TRUE(WaitForLog("live.log.err", "for the transactions open at the source to end"))
      << Log("live.log.err");
  db_->Exec(fmt::format("INSERT INTO {} VALUES (2, 'after the wait began')", src_));
  open->Exec("COMMIT");
  EXPECT_EQ(Wait(run, std::chrono::seconds(60)), 0) << Log("live.log.err");
  EXPECT_EQ(db_->Value(fmt::format("SELECT string_agg(v, ',' ORDER BY id) FROM {}_copy", src_)),
            "one,after the wait began");
}

}  // namespace
}  // namespace sluice::postgres::replication_stream
