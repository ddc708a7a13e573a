// ALTER TABLE ... ADD COLUMN ... DEFAULT on a PostgreSQL source: the server fills the rows already
// there without any WAL change for them (a kept "missing value", or a rewrite), so the target
// must fill its own the same way (added_defaults.h), every column of every row equal to the
// source's; a default whose older values the stream cannot know (random(), which rewrites the
// table) stops the job naming table, column and default. End to end with the real binary.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testing/binary_run.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "connectors/mysql/mysql_test_util.h"
#include "connectors/postgres/pg_testing.h"
#include "connectors/postgres/replication_stream/slot_setup.h"

namespace sluice::postgres::replication_stream {
namespace {

namespace fs = std::filesystem;
using postgres::testing::DbUrl;
using postgres::testing::RawConn;

class PgAddedDefaultTest : public sluice::testing::BinaryRunTest {
 protected:
  void SetUp() override {
    BinaryRunTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    static int counter = 0;
    job_ = fmt::format("pgadd_{}_{}", getpid(), counter++);
    src_ = job_ + "_src";
    ods_ = job_ + "_ods";
    db_ = std::make_unique<RawConn>(DbUrl());
    db_->Exec(fmt::format("CREATE TABLE {} (id int PRIMARY KEY, v text)", src_));
    db_->Exec(fmt::format("INSERT INTO {} VALUES (1, 'one'), (2, 'zwei ü'), (3, NULL)", src_));
    db_->Exec(fmt::format("CREATE SCHEMA {}", ods_));
    WriteJob();
  }
  void TearDown() override {
    if (!db_) return;
    const std::string slot = DefaultSlotName(job_);
    Result<std::string> dropped = DropSlotAndPublication(DbUrl(), slot, slot);
    EXPECT_TRUE(dropped.has_value()) << dropped.error().message();
    db_->Exec(fmt::format("DROP TABLE IF EXISTS {}; DROP SCHEMA IF EXISTS {} CASCADE", src_, ods_));
    BinaryRunTest::TearDown();
  }
  void WriteJob() {
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: {}\nmode: realtime\n"
        "source: {{type: postgres, url: \"{}\", table: public.{}}}\n"
        "target: {{type: postgres, url: \"{}\", table: {}.t, write_mode: upsert, key: [id]}}\n"
        "settings: {{checkpoint: {{rows: 20}}}}\n",
        job_, DbUrl(), src_, DbUrl(), ods_);
  }
  // Constants of each kind, kept by PostgreSQL as the older rows' "missing value" (now() too:
  // evaluated once by the ALTER, but a timestamptz: refused, see added_defaults.h).
  void AddColumns() {
    db_->Exec(fmt::format(
        "ALTER TABLE {} ADD COLUMN a numeric(10,2) DEFAULT -12.5, "
        "ADD COLUMN b text DEFAULT 'it''s ü€ \\x', ADD COLUMN c int NOT NULL DEFAULT -7, "
        "ADD COLUMN e date DEFAULT '2020-01-02', ADD COLUMN f boolean DEFAULT true, "
        "ADD COLUMN g timestamp DEFAULT '2021-03-04 05:06:07.5', "
        "ADD COLUMN h double precision DEFAULT -1.5e-3, ADD COLUMN n text",
        src_));
    db_->Exec(fmt::format("INSERT INTO {} (id, v, a) VALUES (4, 'four', 4.25)", src_));
  }
  std::vector<std::string> Lines(const std::string& table) {
    std::vector<std::string> out;
    for (const auto& row : db_->Rows(
             fmt::format("SELECT id, v, a, b, c, e, f, g, h, n FROM {} ORDER BY id", table))) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i) line += (i ? "|" : "") + row[i];
      out.push_back(line);
    }
    return out;
  }

  pid_t Spawn(const std::vector<std::string>& args) {
    fs::remove(dir_ / "run.log");
    fs::remove(dir_ / "run.log.err");
    return BinaryRunTest::Spawn(args, "run.log");
  }
  int Run(const std::vector<std::string>& args) { return Wait(Spawn(args)); }
  bool Streaming() {
    for (int i = 0; i < 1500; ++i) {
      if (Log().find("streaming from") != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  bool TargetHas(int id) {
    for (int i = 0; i < 1500; ++i) {
      if (db_->Value(fmt::format("SELECT count(*) FROM {}.t WHERE id = {}", ods_, id)) == "1") {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  std::string Log() {
    std::ifstream in(dir_ / "run.log.err");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::string job_;
  std::string src_;
  std::string ods_;
  std::unique_ptr<RawConn> db_;
};

TEST_F(PgAddedDefaultTest, LiveRunFillsTheTargetsExistingRows) {
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  const pid_t live = Spawn({"run", "job.yaml"});
  ASSERT_TRUE(Streaming()) << Log();
  AddColumns();
  const bool arrived = TargetHas(4);
  kill(live, SIGTERM);
  ASSERT_EQ(Wait(live), 0) << Log();
  ASSERT_TRUE(arrived) << Log();
  EXPECT_EQ(Lines(ods_ + ".t"), Lines(src_));
  EXPECT_EQ(db_->Value(fmt::format("SELECT b FROM {}.t WHERE id = 1", ods_)), "it's ü€ \\x");
}

// Rows changed just before the ALTER, read in the same batch as the new Relation (the live run
// is stopped while they are written, so it reads them all at once): the source holds the
// defaults there too, and so does the target, not NULL.
TEST_F(PgAddedDefaultTest, RowsChangedJustBeforeTheAlterInTheSameBatchTakeTheDefaults) {
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  const pid_t live = Spawn({"run", "job.yaml"});
  ASSERT_TRUE(Streaming()) << Log();
  kill(live, SIGSTOP);
  db_->Exec(fmt::format("UPDATE {} SET v = 'one+' WHERE id = 1", src_));
  db_->Exec(fmt::format("INSERT INTO {} VALUES (5, 'five')", src_));
  AddColumns();
  kill(live, SIGCONT);
  const bool arrived = TargetHas(4);
  kill(live, SIGTERM);
  ASSERT_EQ(Wait(live), 0) << Log();
  ASSERT_TRUE(arrived) << Log();
  EXPECT_EQ(Lines(ods_ + ".t"), Lines(src_));
  EXPECT_EQ(
      db_->Value(fmt::format("SELECT concat(a, '|', c, '|', f) FROM {}.t WHERE id = 5", ods_)),
      "-12.50|-7|t");
}

TEST_F(PgAddedDefaultTest, RunAfterTheAlterFillsTheTargetsExistingRows) {
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  AddColumns();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  EXPECT_EQ(Lines(ods_ + ".t"), Lines(src_));
}

// The job was down across the ALTER and changes before it: the next run's Open reads the new
// shape, but those changes' Relation lacks the new columns. They are not dropped columns: the
// source's rows hold the defaults, and so does the target (c NOT NULL too), nothing warned as
// dropped.
TEST_F(PgAddedDefaultTest, RunStartedBeforeTheAlterGivesTheRowsBeforeItTheDefaults) {
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  db_->Exec(fmt::format("UPDATE {} SET v = 'one+' WHERE id = 1", src_));
  db_->Exec(fmt::format("INSERT INTO {} VALUES (5, 'five')", src_));
  AddColumns();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  EXPECT_EQ(Lines(ods_ + ".t"), Lines(src_));
  EXPECT_EQ(
      db_->Value(fmt::format("SELECT concat(a, '|', c, '|', f) FROM {}.t WHERE id = 5", ods_)),
      "-12.50|-7|t");
  EXPECT_EQ(Log().find("was dropped"), std::string::npos) << Log();
}

// Into MariaDB: the same values, written as MariaDB literals (decimal, unicode and backslash,
// negative numbers, boolean as 1).
TEST_F(PgAddedDefaultTest, IntoMysqlTheValuesArriveExactly) {
  mysql::testing::TestDatabase target;
  std::ofstream(dir_ / "job.yaml") << fmt::format(
      "name: {}\nmode: realtime\n"
      "source: {{type: postgres, url: \"{}\", table: public.{}}}\n"
      "target: {{type: mysql, url: \"{}\", table: t, write_mode: upsert, key: [id]}}\n",
      job_, DbUrl(), src_, target.Url());
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  AddColumns();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  const std::string older = "|-12.50|it's ü€ \\x|-7|2020-01-02|1|-0.0015|NULL";
  EXPECT_EQ(target.Rows("SELECT id, v, a, b, c, e, f, h, n FROM t ORDER BY id"),
            (std::vector<std::string>{"1|one" + older, "2|zwei ü" + older, "3|NULL" + older,
                                      "4|four|4.25|it's ü€ \\x|-7|2020-01-02|1|-0.0015|NULL"}));
}

TEST_F(PgAddedDefaultTest, ADefaultThatIsNotAConstantStops) {
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  const pid_t live = Spawn({"run", "job.yaml"});
  ASSERT_TRUE(Streaming()) << Log();
  db_->Exec(fmt::format("ALTER TABLE {} ADD COLUMN r double precision DEFAULT random()", src_));
  db_->Exec(fmt::format("INSERT INTO {} (id, v) VALUES (5, 'five')", src_));
  EXPECT_EQ(Wait(live), 2) << Log();
  const std::string err = Log();
  EXPECT_NE(err.find(fmt::format("postgres target {}.t: column r was added at the source with "
                                 "DEFAULT random(), which is not a constant",
                                 ods_)),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("(startup: initial)"), std::string::npos) << err;
  EXPECT_EQ(db_->Value(fmt::format("SELECT count(*) FROM {}.t", ods_)), "3");
}

}  // namespace
}  // namespace sluice::postgres::replication_stream
