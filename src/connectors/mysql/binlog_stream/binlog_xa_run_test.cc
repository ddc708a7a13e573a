// XA (two-phase) transactions from MariaDB, end to end with the real binary. MariaDB writes
// an XA transaction's rows at XA PREPARE and its outcome (XA COMMIT or XA ROLLBACK) later, in
// an event group of its own. A realtime run used to apply the rows at the prepare: a rolled
// back XA transaction's update and insert reached the target and the run exited 0. Now the
// prepared rows wait for the outcome (binlog_stream_xa.cc), and a checkpoint never passes a
// transaction that is still prepared, so a run that ends (or is killed) between the prepare and
// the commit applies it in a later run.
#include "connectors/mysql/binlog_stream/binlog_run_fixture.h"

namespace sluice::mysql::binlog_stream {
namespace {

using testing::TestDatabase;

class XaRunTest : public testing::RunFixture {
 protected:
  void SetUp() override {
    RunFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    db_ = std::make_unique<TestDatabase>();
    target_ = std::make_unique<TestDatabase>();
    db_->Exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))");
    db_->Exec("INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, 'three')");
    WriteJobTo(*db_, fmt::format("{{type: mysql, url: \"{}\", table: t}}", target_->Url()));
  }
  // A session of its own on the source database (an XA transaction belongs to its session
  // until it is prepared; afterwards any session may end it).
  Connection Session() {
    Result<Connection> c = Connection::Open(db_->url());
    EXPECT_TRUE(c.has_value()) << c.error().message();
    return std::move(*c);
  }
  static void Exec(Connection& c, const std::string& sql) {
    Status st = c.Exec(sql);
    ASSERT_TRUE(st.ok()) << sql << ": " << st.message();
  }
  std::vector<std::string> Source() { return db_->Rows("SELECT id, v FROM t ORDER BY id"); }
  std::vector<std::string> Target() { return target_->Rows("SELECT id, v FROM t ORDER BY id"); }
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<TestDatabase> target_;
};

TEST_F(XaRunTest, ARolledBackXaTransactionNeverReachesTheTarget) {
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  for (const char* sql :
       {"XA START 'rb'", "UPDATE t SET v = 'rolled back' WHERE id = 1",
        "INSERT INTO t VALUES (4, 'rolled back')", "DELETE FROM t WHERE id = 3", "XA END 'rb'",
        "XA PREPARE 'rb'", "XA ROLLBACK 'rb'",
        // Committed ones apply, also with an xid of every part (gtrid, bqual, format id).
        "XA START 'c1', 'b\\'q', 7", "UPDATE t SET v = 'xa' WHERE id = 2",
        "INSERT INTO t VALUES (5, 'xa')", "XA END 'c1', 'b\\'q', 7", "XA PREPARE 'c1', 'b\\'q', 7",
        "XA COMMIT 'c1', 'b\\'q', 7", "XA START 'one'", "INSERT INTO t VALUES (6, 'one phase')",
        "XA END 'one'", "XA COMMIT 'one' ONE PHASE"}) {
    db_->Exec(sql);
  }
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(Target(), Source());
  EXPECT_EQ(Target(),
            (std::vector<std::string>{"1|one", "2|xa", "3|three", "5|xa", "6|one phase"}));
}

// Prepared while a run reads, ended after it: the run ends at the source's end without the
// prepared rows and without committing a position past them; the next run applies them at
// the commit (or drops them at the rollback), with the changes written in between.
TEST_F(XaRunTest, AnXaTransactionStillPreparedWhenARunEndsIsAppliedByTheNext) {
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  {
    Connection a = Session();
    Exec(a, "XA START 'later'");
    Exec(a, "UPDATE t SET v = 'from xa' WHERE id = 1");
    Exec(a, "INSERT INTO t VALUES (7, 'from xa')");
    Exec(a, "XA END 'later'");
    Exec(a, "XA PREPARE 'later'");
    Connection b = Session();
    Exec(b, "XA START 'gone'");
    Exec(b, "UPDATE t SET v = 'never' WHERE id = 3");
    Exec(b, "XA END 'gone'");
    Exec(b, "XA PREPARE 'gone'");
  }  // both sessions end; their transactions stay prepared
  db_->Exec("UPDATE t SET v = 'plain' WHERE id = 2");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(Target(), (std::vector<std::string>{"1|one", "2|plain", "3|three"}));
  db_->Exec("XA COMMIT 'later'");
  db_->Exec("INSERT INTO t VALUES (8, 'after')");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(Target(),
            (std::vector<std::string>{"1|from xa", "2|plain", "3|three", "7|from xa", "8|after"}));
  db_->Exec("XA ROLLBACK 'gone'");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(Target(), Source());
}

// A snapshot taken while a transaction is prepared does not see its rows, and the stream after
// it starts past the prepare: at the commit its rows are read from the prepare, in the binlog
// before the start, and applied. One prepared on another table is passed over: it used to stop
// every job whose start fell between its prepare and its commit (seen: a concurrent test's).
TEST_F(XaRunTest, ACommitWhosePrepareWasBeforeTheStartIsReadFromThePrepare) {
  db_->Exec("CREATE TABLE other_t (id INT PRIMARY KEY)");
  {
    Connection a = Session();
    Exec(a, "XA START 'early'");
    Exec(a, "INSERT INTO t VALUES (9, 'early')");
    Exec(a, "UPDATE t SET v = 'early' WHERE id = 1");
    Exec(a, "XA END 'early'");
    Exec(a, "XA PREPARE 'early'");
    Connection b = Session();
    Exec(b, "XA START 'early_other'");
    Exec(b, "INSERT INTO other_t VALUES (1)");
    Exec(b, "XA END 'early_other'");
    Exec(b, "XA PREPARE 'early_other'");
  }
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(target_->Value("SELECT count(*) FROM t WHERE id = 9"), "0");
  db_->Exec("XA COMMIT 'early_other'");
  db_->Exec("INSERT INTO t VALUES (10, 'after')");
  db_->Exec("XA COMMIT 'early'");
  db_->Exec("UPDATE t SET v = 'later' WHERE id = 9");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_NE(Log("run.log.err").find("XA transaction X'6561726C79',X'',1 committed at "),
            std::string::npos)
      << Log("run.log.err");
  EXPECT_EQ(Log("run.log.err").find("X'6561726C795F6F74686572'"), std::string::npos)
      << Log("run.log.err");
  EXPECT_EQ(Target(), Source());
  EXPECT_EQ(target_->Value("SELECT v FROM t WHERE id = 9"), "later");
  // Read again from the same start: the same target.
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(Target(), Source());
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream
