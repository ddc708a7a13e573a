// A column declared NOT NULL at the source, dropped there while a realtime job streams from
// PostgreSQL (pgoutput): the target column was created NOT NULL from the source, and the rows
// after the drop write NULL there. The target must take them (its column made nullable), not
// refuse the checkpoint and leave the job stuck; a kill -9 between the checkpoint before the
// drop and the target's ALTER converges on resume (that resume no longer knows the column at
// all: it is relaxed because the rows do not name it); SQLite, which cannot drop a NOT NULL
// constraint, stops naming the column. End to end with the real binary.
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

class PgDropNotNullTest : public sluice::testing::BinaryRunTest {
 protected:
  void SetUp() override {
    BinaryRunTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    static int counter = 0;
    job_ = fmt::format("pgdnn_{}_{}", getpid(), counter++);
    src_ = job_ + "_src";
    ods_ = job_ + "_ods";
    db_ = std::make_unique<RawConn>(DbUrl());
    db_->Exec(fmt::format("CREATE TABLE {} (id int PRIMARY KEY, v text, d numeric(10,2) NOT NULL)",
                          src_));
    db_->Exec(fmt::format(
        "INSERT INTO {} VALUES (1, 'one', 1.5), (2, 'two', 2.5), (3, 'three', 3.5)", src_));
    db_->Exec(fmt::format("CREATE SCHEMA {}", ods_));
  }
  void TearDown() override {
    if (!db_) return;
    const std::string slot = DefaultSlotName(job_);
    Result<std::string> dropped = DropSlotAndPublication(DbUrl(), slot, slot);
    EXPECT_TRUE(dropped.has_value()) << dropped.error().message();
    db_->Exec(fmt::format("DROP TABLE IF EXISTS {}; DROP SCHEMA IF EXISTS {} CASCADE", src_, ods_));
    BinaryRunTest::TearDown();
  }

  void WriteJob(const std::string& target) {
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: {}\nmode: realtime\n"
        "source: {{type: postgres, url: \"{}\", table: public.{}}}\n"
        "target: {}\n"
        "settings: {{checkpoint: {{rows: 20}}}}\n",
        job_, DbUrl(), src_, target);
  }
  void WriteJobToPostgres() {
    WriteJob(
        fmt::format("{{type: postgres, url: \"{}\", table: {}.t, write_mode: upsert, "
                    "key: [id]}}",
                    DbUrl(), ods_));
  }
  void DropAndWrite() {
    db_->Exec(fmt::format("ALTER TABLE {} DROP COLUMN d", src_));
    db_->Exec(fmt::format("INSERT INTO {} VALUES (4, 'four')", src_));
    db_->Exec(fmt::format("UPDATE {} SET v = 'one+' WHERE id = 1", src_));
  }
  static std::vector<std::string> Expected() {
    return {"1|one+|NULL", "2|two|2.50", "3|three|3.50", "4|four|NULL"};
  }
  std::vector<std::string> TargetRows() {
    std::vector<std::string> out;
    for (const auto& r : db_->Rows(
             fmt::format("SELECT id, v, coalesce(d::text, 'NULL') FROM {}.t ORDER BY id", ods_))) {
      out.push_back(r[0] + "|" + r[1] + "|" + r[2]);
    }
    return out;
  }
  std::string TargetD() {
    return db_->Value(
        fmt::format("SELECT is_nullable || ' ' || data_type FROM information_schema.columns WHERE "
                    "table_schema = '{}' AND table_name = 't' AND column_name = 'd'",
                    ods_));
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
  std::string Log() {
    std::ifstream in(dir_ / "run.log.err");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::string job_;
  std::string src_;
  std::string ods_;
  std::unique_ptr<RawConn> db_;
};

// A live run (its Open read d) meets the Relation without d: d is NULL in the rows after it,
// also in row 1's update, and the target's d takes it.
TEST_F(PgDropNotNullTest, LiveRunIntoPostgresTheColumnTakesNull) {
  WriteJobToPostgres();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  ASSERT_EQ(TargetD(), "NO numeric");  // created NOT NULL from the source
  const pid_t live = Spawn({"run", "job.yaml"});
  ASSERT_TRUE(Streaming()) << Log();
  DropAndWrite();
  bool arrived = false;
  for (int i = 0; i < 1500 && !arrived; ++i) {
    arrived = db_->Value(fmt::format("SELECT count(*) FROM {}.t WHERE v = 'one+'", ods_)) == "1";
    if (!arrived) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(live, SIGTERM);
  ASSERT_EQ(Wait(live), 0) << Log();
  ASSERT_TRUE(arrived) << Log();
  EXPECT_EQ(TargetRows(), Expected());
  EXPECT_EQ(TargetD(), "YES numeric");
}

// A run that starts after the DROP no longer knows d: its start relaxes the target's d, which
// its rows do not name, keeping the type. Row 1, updated after the drop, is rewritten whole by
// the MariaDB target (mysql README, change streams): d gets its default, NULL now.
TEST_F(PgDropNotNullTest, RunAfterTheDropIntoMysql) {
  mysql::testing::TestDatabase target;
  WriteJob(fmt::format("{{type: mysql, url: \"{}\", table: t, write_mode: upsert, key: [id]}}",
                       target.Url()));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  const std::string column =
      "SELECT CONCAT(IS_NULLABLE, ' ', COLUMN_TYPE) FROM information_schema.COLUMNS WHERE "
      "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND COLUMN_NAME = 'd'";
  ASSERT_EQ(target.Value(column), "NO decimal(10,2)");
  DropAndWrite();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  EXPECT_EQ(target.Rows("SELECT id, v, d FROM t ORDER BY id"), Expected());
  EXPECT_EQ(target.Value(column), "YES decimal(10,2)");
}

// SQLite cannot drop the constraint: a live run that meets the drop stops, naming the column.
TEST_F(PgDropNotNullTest, IntoSqliteStopsNamingTheColumn) {
  WriteJob("{type: sqlite, path: out.db, table: t, write_mode: upsert, key: [id]}");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  const pid_t live = Spawn({"run", "job.yaml"});
  ASSERT_TRUE(Streaming()) << Log();
  DropAndWrite();
  EXPECT_EQ(Wait(live), 2) << Log();
  const std::string err = Log();
  EXPECT_NE(err.find("sqlite target: column d of table t was dropped at the source and is "
                     "written NULL from now on, but the target declares it NOT NULL"),
            std::string::npos)
      << err;
}

// Killed with -9 after the checkpoint before the drop, before the target's ALTER: the resume
// reads the table without d (Open) and meets only Relations without it; d comes back from the
// column names committed with the position, and the first Relation, which lacks it, tells the
// drop came before these changes: row 1, updated after it, takes NULL as without the kill.
TEST_F(PgDropNotNullTest, KilledBeforeTheTargetsAlterConverges) {
  WriteJobToPostgres();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  setenv("SLUICE_TEST_KILL_AT_SCHEMA_CHANGE", "before_alter", 1);
  const pid_t live = Spawn({"run", "job.yaml"});
  unsetenv("SLUICE_TEST_KILL_AT_SCHEMA_CHANGE");
  ASSERT_TRUE(Streaming()) << Log();
  DropAndWrite();
  ASSERT_EQ(Wait(live), 128 + SIGKILL) << Log();
  EXPECT_EQ(TargetD(), "NO numeric");  // not altered yet
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  EXPECT_EQ(TargetRows(), Expected()) << Log();
  EXPECT_EQ(TargetD(), "YES numeric");
}

}  // namespace
}  // namespace sluice::postgres::replication_stream
