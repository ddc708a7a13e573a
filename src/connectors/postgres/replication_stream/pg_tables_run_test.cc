// `tables:` in a realtime job, end to end with the real binary: one slot and one publication
// for three PostgreSQL tables (two named apart only by case: "Orders" and orders), a fourth
// table outside the pattern written all along. A snapshot inside the slot's exported snapshot,
// then transactions that change all three tables at once, under three kill -9s, then
// `run --catch-up`: every target table equals its source table, into PostgreSQL and into
// MariaDB, and the table outside the pattern never reaches the target.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testing/binary_run.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "connectors/mysql/mysql_test_util.h"
#include "connectors/postgres/pg_testing.h"
#include "connectors/postgres/replication_stream/slot_setup.h"

namespace sluice::postgres::replication_stream {
namespace {

namespace fs = std::filesystem;
using postgres::testing::DbUrl;
using postgres::testing::RawConn;

const std::vector<std::string> kTables = {"Orders", "orders", "items"};

class PgTablesRunTest : public sluice::testing::BinaryRunTest {
 protected:
  void SetUp() override {
    BinaryRunTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    static int counter = 0;
    job_ = fmt::format("pgtabs_{}_{}", getpid(), counter++);
    src_ = "ts_" + job_;
    db_ = std::make_unique<RawConn>(DbUrl());
    db_->Exec(fmt::format("CREATE SCHEMA {}", src_));
    for (size_t i = 0; i < kTables.size(); ++i) {
      db_->Exec(
          fmt::format("CREATE TABLE {}.\"{}\" (id int PRIMARY KEY, v text)", src_, kTables[i]));
      db_->Exec(
          fmt::format("INSERT INTO {}.\"{}\" SELECT g, 'snap {}' FROM generate_series(1, "
                      "{}) g",
                      src_, kTables[i], kTables[i], 400 + 100 * i));
    }
    db_->Exec(fmt::format("CREATE TABLE {}.skip_me (id int PRIMARY KEY, v text)", src_));
    db_->Exec(fmt::format("INSERT INTO {}.skip_me VALUES (1, 'x')", src_));
  }
  void TearDown() override {
    if (db_) {
      const std::string slot = DefaultSlotName(job_);
      Result<std::string> dropped = DropSlotAndPublication(DbUrl(), slot, slot);
      EXPECT_TRUE(dropped.has_value()) << dropped.error().message();
    }
    BinaryRunTest::TearDown();
  }

  // `source_extra`: more keys of the source section (", key: value").
  void WriteJob(const std::string& target, const std::string& source_extra = "") {
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: {}\nmode: realtime\n"
        "source: {{type: postgres, url: \"{}\", tables: [\"{}.*\", \"!{}.skip_*\"]{}}}\n"
        "target: {}\n"
        "settings: {{checkpoint: {{rows: 50}}}}\n",
        job_, DbUrl(), src_, src_, source_extra, target);
  }

  // The target section for PostgreSQL schema `dst`, one table per source table.
  std::string PgTarget(const std::string& dst) const {
    return fmt::format(
        "{{type: postgres, url: \"{}\", table: \"{}.${{table}}\", write_mode: upsert, key: "
        "[id]}}",
        DbUrl(), dst);
  }

  std::vector<std::string> SourceRows(const std::string& table) { return PgRows(src_, table); }

  // PgRows, or none while the table does not exist (a run still setting it up).
  std::vector<std::string> RowsIfAny(const std::string& schema, const std::string& table) {
    const bool exists = db_->Rows(fmt::format("SELECT 1 FROM pg_tables WHERE schemaname = '{}' "
                                              "AND tablename = '{}'",
                                              schema, table))
                            .size() == 1;
    return exists ? PgRows(schema, table) : std::vector<std::string>{};
  }

  // Table `table` of PostgreSQL schema `schema` (a target), as SourceRows.
  std::vector<std::string> PgRows(const std::string& schema, const std::string& table) {
    std::vector<std::string> out;
    for (const auto& row :
         db_->Rows(fmt::format("SELECT id, v FROM {}.\"{}\" ORDER BY id", schema, table))) {
      out.push_back(row[0] + "|" + row[1]);
    }
    return out;
  }

  static size_t TotalRows(
      const std::function<std::vector<std::string>(const std::string&)>& target_rows) {
    size_t n = 0;
    for (const std::string& t : kTables) n += target_rows(t).size();
    return n;
  }

  // Snapshot, then transactions over all three tables under kill -9, then a catch-up.
  void RunAll(const std::function<std::vector<std::string>(const std::string&)>& target_rows) {
    ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
    for (const std::string& t : kTables) {
      EXPECT_EQ(target_rows(t), SourceRows(t)) << "snapshot of " << t;
    }
    constexpr int kTxns = 200;
    std::thread load([&] {
      RawConn w(DbUrl());
      for (int t = 0; t < kTxns; ++t) {
        const int a = 10000 + 3 * t;
        std::string sql = "BEGIN; ";
        for (const std::string& table : kTables) {
          const std::string q = fmt::format("{}.\"{}\"", src_, table);
          sql += fmt::format(
              "INSERT INTO {0} VALUES ({1}, 'new'), ({2}, 'new'); "
              "UPDATE {0} SET v = 'upd {4}' WHERE id = {1}; "
              "UPDATE {0} SET v = 'old {4}' WHERE id = {5}; "
              "UPDATE {0} SET id = {3} WHERE id = {2}; DELETE FROM {0} WHERE id = {6}; ",
              q, a, a + 1, a + 2, t, 300 + t, 1 + t);
        }
        sql += fmt::format("INSERT INTO {}.skip_me VALUES ({}, 'never'); COMMIT", src_, a);
        w.Exec(sql);
        if (t % 20 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(40));
      }
    });
    const size_t snapshot_rows = TotalRows(target_rows);
    // Three live runs killed with -9; the first once it committed changes (however slow the
    // machine), the others a moment after their start.
    for (int round = 0; round < 3; ++round) {
      const pid_t pid = Spawn({"run", "job.yaml"}, "live.log");
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (round == 0 && std::chrono::steady_clock::now() < give_up &&
             TotalRows(target_rows) <= snapshot_rows) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(500 + 300 * round));
      kill(pid, SIGKILL);
      Wait(pid);
    }
    load.join();
    // The killed runs committed changes (the restarts below resume from their positions).
    EXPECT_GT(TotalRows(target_rows), snapshot_rows);
    ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
    EXPECT_NE(Log("run.log").find("tables     3: "), std::string::npos) << Log("run.log");
    for (size_t i = 0; i < kTables.size(); ++i) {
      const std::vector<std::string> source = SourceRows(kTables[i]);
      EXPECT_EQ(source.size(), 400 + 100 * i + kTxns);  // +2 -1 per transaction
      EXPECT_EQ(target_rows(kTables[i]), source) << kTables[i];
    }
  }

  std::string job_;
  std::string src_;
  std::unique_ptr<RawConn> db_;
};

TEST_F(PgTablesRunTest, ThreeTablesIntoPostgresConvergeUnderKillNine) {
  const std::string dst = "td_" + job_;
  db_->Exec(fmt::format("CREATE SCHEMA {}", dst));
  WriteJob(PgTarget(dst));
  RunAll([&](const std::string& table) { return PgRows(dst, table); });
  EXPECT_EQ(db_->Value(fmt::format("SELECT count(*) FROM information_schema.tables WHERE "
                                   "table_schema = '{}' AND table_name = 'skip_me'",
                                   dst)),
            "0");
}

// Without write_mode or target.key each table's changes apply by its own primary key, as in a
// single-table job: a table keyed by two columns in another order than its own, beside the
// three keyed by id.
TEST_F(PgTablesRunTest, EachTableIsKeyedByItsOwnPrimaryKeyWithoutTargetKey) {
  const std::string dst = "tk_" + job_;
  db_->Exec(fmt::format("CREATE SCHEMA {}", dst));
  db_->Exec(
      fmt::format("CREATE TABLE {}.two_col (a int, b text, v int, PRIMARY KEY (b, a)); INSERT INTO "
                  "{}.two_col VALUES (1, 'x', 10), (1, 'y', 20), (2, 'x', 30)",
                  src_, src_));
  WriteJob(fmt::format("{{type: postgres, url: \"{}\", table: \"{}.${{table}}\"}}", DbUrl(), dst));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db_->Exec(fmt::format(
      "UPDATE {0}.two_col SET v = 21 WHERE a = 1 AND b = 'y'; UPDATE {0}.two_col SET a = 3 "
      "WHERE a = 2 AND b = 'x'; DELETE FROM {0}.two_col WHERE a = 1 AND b = 'x'; UPDATE "
      "{0}.items SET v = 'changed' WHERE id = 1; DELETE FROM {0}.items WHERE id = 2",
      src_));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(db_->Rows(fmt::format("SELECT a, b, v FROM {}.two_col ORDER BY a, b", dst)),
            (std::vector<std::vector<std::string>>{{"1", "y", "21"}, {"3", "x", "30"}}));
  EXPECT_EQ(PgRows(dst, "items"), SourceRows("items"));
  ASSERT_EQ(Run({"check", "job.yaml"}), 0) << Log("run.log.err");
  EXPECT_NE(Log("run.log").find("key (b, a) from the source's primary key"), std::string::npos)
      << Log("run.log");
}

TEST_F(PgTablesRunTest, ThreeTablesIntoMariadbConvergeUnderKillNine) {
  mysql::testing::TestDatabase target;
  WriteJob(
      fmt::format("{{type: mysql, url: \"{}\", write_mode: upsert, key: [id]}}", target.Url()));
  RunAll([&](const std::string& table) {
    return target.Rows(fmt::format("SELECT id, v FROM `{}` ORDER BY id", table));
  });
  EXPECT_EQ(target.Value(fmt::format("SELECT count(*) FROM information_schema.tables WHERE "
                                     "table_schema = '{}' AND table_name = 'skip_me'",
                                     target.name())),
            "0");
}

// A table created at the source while the job was down, which the patterns select: the next
// start adds it to the job's own publication, snapshots it (the other tables keep streaming
// from their positions), and the changes after the snapshot follow, none lost or doubled.
TEST_F(PgTablesRunTest, ATableCreatedLaterJoinsThePublicationAndIsStreamed) {
  const std::string dst = "td_" + job_;
  db_->Exec(fmt::format("CREATE SCHEMA {}", dst));
  WriteJob(PgTarget(dst));
  const auto target_rows = [&](const std::string& table) { return PgRows(dst, table); };
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db_->Exec(fmt::format("CREATE TABLE {}.later (id int PRIMARY KEY, v text)", src_));
  db_->Exec(
      fmt::format("INSERT INTO {}.later SELECT g, 'snap' FROM generate_series(1, 50) g", src_));
  db_->Exec(fmt::format("UPDATE {}.orders SET v = 'while down' WHERE id = 1", src_));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_NE(Log("run.log.err").find("does not publish " + src_ + ".later yet: adding it"),
            std::string::npos)
      << Log("run.log.err");
  EXPECT_EQ(target_rows("later"), SourceRows("later"));
  // Changes of the new table after its snapshot arrive (the publication carries them now).
  db_->Exec(fmt::format(
      "BEGIN; INSERT INTO {0}.later VALUES (51, 'new'); UPDATE {0}.later SET v = 'upd' WHERE "
      "id = 2; DELETE FROM {0}.later WHERE id = 3; UPDATE {0}.items SET v = 'both' WHERE id = 1; "
      "COMMIT",
      src_));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  for (const std::string& t :
       {std::string("later"), std::string("orders"), std::string("items"), std::string("Orders")}) {
    EXPECT_EQ(target_rows(t), SourceRows(t)) << t;
  }
}

// A table created while the job runs, which the patterns select: within about 10 s the run
// finds it in the catalog, checkpoints, starts again in the same process (adding the table to
// its publication), snapshots it and streams it with the others. A new table the patterns
// exclude changes nothing.
TEST_F(PgTablesRunTest, ATableCreatedWhileRunningIsSnapshottedAndStreamedByTheRunningJob) {
  const std::string dst = "td_" + job_;
  db_->Exec(fmt::format("CREATE SCHEMA {}", dst));
  WriteJob(PgTarget(dst));
  const auto target_rows = [&](const std::string& table) { return RowsIfAny(dst, table); };
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  const pid_t live = Spawn({"run", "job.yaml"}, "live.log");
  ASSERT_TRUE(WaitForLog("live.log.err", "streaming 3 tables")) << Log("live.log.err");
  db_->Exec(fmt::format("CREATE TABLE {}.later (id int PRIMARY KEY, v text)", src_));
  db_->Exec(fmt::format("CREATE TABLE {}.skip_later (id int PRIMARY KEY)", src_));
  db_->Exec(
      fmt::format("INSERT INTO {}.later SELECT g, 'snap' FROM generate_series(1, 50) g", src_));
  db_->Exec(fmt::format("UPDATE {}.orders SET v = 'live' WHERE id = 1", src_));
  Eventually([&] { return target_rows("later").size() == 50; });
  db_->Exec(fmt::format(
      "BEGIN; INSERT INTO {0}.later VALUES (51, 'new'); UPDATE {0}.later SET v = 'upd' WHERE "
      "id = 2; DELETE FROM {0}.later WHERE id = 3; UPDATE {0}.items SET v = 'both' WHERE id = 1; "
      "COMMIT",
      src_));
  Eventually([&] {
    return target_rows("later") == SourceRows("later") &&
           target_rows("items") == SourceRows("items");
  });
  kill(live, SIGTERM);
  EXPECT_EQ(Wait(live), 0) << Log("live.log.err");
  const std::string err = Log("live.log.err");
  EXPECT_NE(err.find(src_ + ".later was created at the source and matches"), std::string::npos)
      << err;
  EXPECT_NE(err.find("does not publish " + src_ + ".later yet: adding it"), std::string::npos)
      << err;
  EXPECT_EQ(err.find("skip_later"), std::string::npos) << err;
  EXPECT_NE(Log("live.log").find("restarts   1 "), std::string::npos) << Log("live.log");
  for (const std::string& t :
       {std::string("later"), std::string("orders"), std::string("items"), std::string("Orders")}) {
    EXPECT_EQ(target_rows(t), SourceRows(t)) << t;
  }
}

// The same with a publication of the user's that publishes the whole schema (FOR TABLES IN
// SCHEMA): the new table is published from its creation, so the run takes it up without
// altering the publication.
TEST_F(PgTablesRunTest, ATableCreatedInAUsersSchemaPublicationIsTakenUpByTheRunningJob) {
  const std::string dst = "td_" + job_;
  const std::string pub = "pub_" + job_;
  db_->Exec(fmt::format("CREATE SCHEMA {}", dst));
  db_->Exec(fmt::format("CREATE PUBLICATION {} FOR TABLES IN SCHEMA {}", pub, src_));
  WriteJob(PgTarget(dst), ", publication: " + pub);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  const pid_t live = Spawn({"run", "job.yaml"}, "live.log");
  ASSERT_TRUE(WaitForLog("live.log.err", "streaming 3 tables")) << Log("live.log.err");
  db_->Exec(fmt::format("CREATE TABLE {}.later (id int PRIMARY KEY, v text)", src_));
  db_->Exec(
      fmt::format("INSERT INTO {}.later SELECT g, 'snap' FROM generate_series(1, 20) g", src_));
  ASSERT_TRUE(WaitForLog("live.log.err", "streaming 4 tables")) << Log("live.log.err");
  db_->Exec(fmt::format("UPDATE {}.later SET v = 'live' WHERE id = 5", src_));
  Eventually([&] { return RowsIfAny(dst, "later") == SourceRows("later"); });
  kill(live, SIGTERM);
  EXPECT_EQ(Wait(live), 0) << Log("live.log.err");
  EXPECT_EQ(Log("live.log.err").find("does not publish"), std::string::npos) << Log("live.log.err");
  EXPECT_EQ(PgRows(dst, "later"), SourceRows("later"));
  db_->Exec(fmt::format("DROP PUBLICATION {}", pub));
}

// A table renamed into the job's patterns while it runs (staged under an excluded name, then
// put in place) is taken up like a created one.
TEST_F(PgTablesRunTest, ATableRenamedIntoThePatternsIsTakenUpByTheRunningJob) {
  const std::string dst = "td_" + job_;
  db_->Exec(fmt::format("CREATE SCHEMA {}", dst));
  db_->Exec(fmt::format("CREATE TABLE {}.skip_stage (id int PRIMARY KEY, v text)", src_));
  db_->Exec(fmt::format("INSERT INTO {}.skip_stage VALUES (1, 'staged'), (2, 'staged')", src_));
  WriteJob(PgTarget(dst));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  const pid_t live = Spawn({"run", "job.yaml"}, "live.log");
  ASSERT_TRUE(WaitForLog("live.log.err", "streaming 3 tables")) << Log("live.log.err");
  db_->Exec(fmt::format("ALTER TABLE {}.skip_stage RENAME TO staged", src_));
  ASSERT_TRUE(WaitForLog("live.log.err", "streaming 4 tables")) << Log("live.log.err");
  db_->Exec(fmt::format("UPDATE {}.staged SET v = 'live' WHERE id = 2", src_));
  Eventually([&] { return RowsIfAny(dst, "staged") == SourceRows("staged"); });
  kill(live, SIGTERM);
  EXPECT_EQ(Wait(live), 0) << Log("live.log.err");
  EXPECT_EQ(PgRows(dst, "staged"), (std::vector<std::string>{"1|staged", "2|live"}));
}

}  // namespace
}  // namespace sluice::postgres::replication_stream
