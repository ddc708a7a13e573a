// `tables:` realtime jobs follow ALTER TABLE ... ADD/DROP COLUMN per table, end to end with the
// real binary: three PostgreSQL tables ("Orders" and orders, named apart only by case, and
// items) change in every transaction while orders alone gains a column and loses one. A live
// run is killed -9 at the schema change (before or after its target's ALTER: the hook of
// engine/schema_follow.h), more live runs are killed at random moments, then `run --catch-up`:
// into PostgreSQL and into MariaDB, every target table equals its source table in every column
// of every row, only orders's target gained the column, and the dropped one is NULL in the
// rows written after the drop.
// Another change of one table (a column's type) stops the job with a line naming that table.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "connectors/mysql/mysql_test_util.h"
#include "connectors/postgres/pg_testing.h"
#include "connectors/postgres/replication_stream/slot_setup.h"
#include "testing/binary_run.h"

namespace sluice::postgres::replication_stream {
namespace {

using postgres::testing::DbUrl;
using postgres::testing::RawConn;

const std::vector<std::string> kTables = {"Orders", "orders", "items"};
constexpr int kTxns = 120;
constexpr int kAddAt = 30;   // ALTER TABLE orders ADD COLUMN n int before this transaction
constexpr int kDropAt = 70;  // ALTER TABLE orders DROP COLUMN d before this transaction

class PgTablesSchemaChangeTest : public sluice::testing::BinaryRunTest {
 protected:
  void SetUp() override {
    BinaryRunTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    static int counter = 0;
    job_ = fmt::format("pgtsc_{}_{}", getpid(), counter++);
    src_ = "ts_" + job_;
    dst_ = "td_" + job_;
    db_ = std::make_unique<RawConn>(DbUrl());
    db_->Exec(fmt::format("CREATE SCHEMA {}; CREATE SCHEMA {}", src_, dst_));
    for (const std::string& t : kTables) {
      db_->Exec(
          fmt::format("CREATE TABLE {}.\"{}\" (id int PRIMARY KEY, v text, d text)", src_, t));
      db_->Exec(fmt::format(
          "INSERT INTO {}.\"{}\" SELECT g, 'snap', 'd' || g FROM generate_series(1, 30) g", src_,
          t));
    }
  }
  // The job, into PostgreSQL (schema dst_), or into a MariaDB database when `into_mariadb`.
  void WriteJob(bool into_mariadb = false) {
    if (into_mariadb) maria_ = std::make_unique<mysql::testing::TestDatabase>();
    const std::string target =
        maria_ ? fmt::format("{{type: mysql, url: \"{}\", write_mode: upsert, key: [id]}}",
                             maria_->Url())
               : fmt::format(
                     "{{type: postgres, url: \"{}\", table: \"{}.${{table}}\", "
                     "write_mode: upsert, key: [id]}}",
                     DbUrl(), dst_);
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: {}\nmode: realtime\n"
        "source: {{type: postgres, url: \"{}\", tables: [\"{}.*\"]}}\n"
        "target: {}\n"
        "settings: {{checkpoint: {{rows: 20}}}}\n",
        job_, DbUrl(), src_, target);
  }
  // A target table, quoted for the target's SQL.
  std::string T(const std::string& table) const {
    return maria_ ? "`" + table + "`" : dst_ + ".\"" + table + "\"";
  }
  // A query's rows on the target, cells joined by '|'.
  std::vector<std::string> TargetRows(const std::string& sql) {
    if (maria_) return maria_->Rows(sql);
    std::vector<std::string> out;
    for (const auto& row : db_->Rows(sql)) {
      std::string line;
      for (const std::string& cell : row) line += (line.empty() ? "" : "|") + cell;
      out.push_back(line);
    }
    return out;
  }
  std::string TargetValue(const std::string& sql) {
    const std::vector<std::string> rows = TargetRows(sql);
    return rows.empty() ? "<none>" : rows[0];
  }
  void TearDown() override {
    if (db_) {
      const std::string slot = DefaultSlotName(job_);
      Result<std::string> dropped = DropSlotAndPublication(DbUrl(), slot, slot);
      EXPECT_TRUE(dropped.has_value()) << dropped.error().message();
      if (!HasFailure()) {
        db_->Exec(fmt::format("DROP SCHEMA {} CASCADE; DROP SCHEMA {} CASCADE", src_, dst_));
      }
    }
    BinaryRunTest::TearDown();
  }

  bool Streaming() {
    for (int i = 0; i < 1500; ++i) {
      if (Log("live.log.err").find("streaming 3 tables") != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  // Transactions over all three tables; orders gains n before kAddAt and loses d before
  // kDropAt (each DDL its own transaction).
  void Load() {
    RawConn w(DbUrl());
    for (int t = 0; t < kTxns; ++t) {
      if (t == kAddAt) w.Exec(fmt::format("ALTER TABLE {}.orders ADD COLUMN n int", src_));
      if (t == kDropAt) w.Exec(fmt::format("ALTER TABLE {}.orders DROP COLUMN d", src_));
      const int id = 100 + t;
      std::string sql = "BEGIN; ";
      for (const std::string& table : kTables) {
        const std::string q = fmt::format("{}.\"{}\"", src_, table);
        const bool changed = table == "orders";
        if (changed && t >= kDropAt) {
          sql += fmt::format("INSERT INTO {} (id, v, n) VALUES ({}, 'c', {}); ", q, id, t);
        } else if (changed && t >= kAddAt) {
          sql += fmt::format("INSERT INTO {} (id, v, d, n) VALUES ({}, 'b', 'd', {}); ", q, id, t);
        } else {
          sql += fmt::format("INSERT INTO {} (id, v, d) VALUES ({}, 'a', 'd'); ", q, id);
        }
        sql += fmt::format("UPDATE {} SET v = 'u{}' WHERE id = {}; ", q, t, 1 + t % 30);
        if (changed && t >= kAddAt) {
          sql += fmt::format("UPDATE {} SET n = {} WHERE id = {}; ", q, -t, id - 20);
        }
        if (t % 7 == 0) sql += fmt::format("DELETE FROM {} WHERE id = {}; ", q, id - 5);
      }
      w.Exec(sql + "COMMIT");
      std::this_thread::sleep_for(std::chrono::milliseconds(15));
    }
  }

  std::vector<std::string> Rows(const std::string& schema, const std::string& table,
                                const std::string& columns) {
    std::vector<std::string> out;
    for (const auto& row :
         db_->Rows(fmt::format("SELECT {} FROM {}.\"{}\" ORDER BY id", columns, schema, table))) {
      std::string line;
      for (const std::string& cell : row) line += (line.empty() ? "" : "|") + cell;
      out.push_back(line);
    }
    return out;
  }
  std::vector<std::string> TargetColumns(const std::string& table) {
    return TargetRows(fmt::format(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = '{}' AND "
        "table_name = '{}' ORDER BY ordinal_position",
        maria_ ? maria_->name() : dst_, table));
  }

  void ExpectConverged() {
    for (const std::string& t : kTables) {
      const std::string columns = t == "orders" ? "id, v, n" : "id, v, d";
      EXPECT_EQ(TargetRows(fmt::format("SELECT {} FROM {} ORDER BY id", columns, T(t))),
                Rows(src_, t, columns))
          << t << "\n"
          << Log("live.log.err") << Log("run.log.err");
    }
    EXPECT_EQ(TargetColumns("orders"), (std::vector<std::string>{"id", "v", "d", "n"}));
    EXPECT_EQ(TargetColumns("Orders"), (std::vector<std::string>{"id", "v", "d"}));
    EXPECT_EQ(TargetColumns("items"), (std::vector<std::string>{"id", "v", "d"}));
    EXPECT_EQ(TargetValue(fmt::format("SELECT count(*) FROM {} WHERE id >= {} AND d IS NOT NULL",
                                      T("orders"), 100 + kDropAt - 20)),
              "0");
    EXPECT_EQ(TargetValue(fmt::format("SELECT count(*) FROM {} WHERE id BETWEEN 100 AND {} AND "
                                      "(d IS NULL OR d <> 'd')",
                                      T("orders"), 100 + kDropAt - 21)),
              "0");
  }

  void KillAtTheChangeThenConverge(const char* moment, bool altered, bool into_mariadb = false) {
    WriteJob(into_mariadb);
    ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
    setenv("SLUICE_TEST_KILL_AT_SCHEMA_CHANGE", moment, 1);
    const pid_t live = Spawn({"run", "job.yaml"}, "live.log");
    unsetenv("SLUICE_TEST_KILL_AT_SCHEMA_CHANGE");
    ASSERT_TRUE(Streaming()) << Log("live.log.err");
    std::thread load([&] { Load(); });
    const int killed = Wait(live, std::chrono::seconds(60));
    const std::vector<std::string> columns_at_kill = TargetColumns("orders");
    // Nothing of orders after the ADD was committed: the table was checkpointed before it.
    const std::string after_add = TargetValue(
        fmt::format("SELECT count(*) FROM {} WHERE id >= {}", T("orders"), 100 + kAddAt));
    for (int round = 0; round < 3; ++round) {
      const pid_t pid = Spawn({"run", "job.yaml"}, "live.log");
      std::this_thread::sleep_for(std::chrono::milliseconds(600 + 200 * round));
      kill(pid, SIGKILL);
      Wait(pid);
    }
    load.join();
    ASSERT_EQ(killed, 128 + SIGKILL) << Log("live.log.err");
    const std::vector<std::string> expected_columns =
        altered ? std::vector<std::string>{"id", "v", "d", "n"}
                : std::vector<std::string>{"id", "v", "d"};
    EXPECT_EQ(columns_at_kill, expected_columns);
    EXPECT_EQ(after_add, "0");
    ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
    ExpectConverged();
  }

  std::string job_;
  std::string src_;
  std::string dst_;
  std::unique_ptr<RawConn> db_;
  std::unique_ptr<mysql::testing::TestDatabase> maria_;  // the target, when MariaDB
};

TEST_F(PgTablesSchemaChangeTest, KilledBeforeTheTargetsAlterConverges) {
  KillAtTheChangeThenConverge("before_alter", /*altered=*/false);
}

TEST_F(PgTablesSchemaChangeTest, KilledAfterTheTargetsAlterConverges) {
  KillAtTheChangeThenConverge("after_alter", /*altered=*/true);
}

// Into MariaDB: its ALTER TABLE reaches `orders`, not `Orders` (lower_case_table_names = 0).
TEST_F(PgTablesSchemaChangeTest, KilledBeforeTheTargetsAlterConvergesIntoMariadb) {
  KillAtTheChangeThenConverge("before_alter", /*altered=*/false, /*into_mariadb=*/true);
}

TEST_F(PgTablesSchemaChangeTest, KilledAfterTheTargetsAlterConvergesIntoMariadb) {
  KillAtTheChangeThenConverge("after_alter", /*altered=*/true, /*into_mariadb=*/true);
}

// A batch of orders ended by the first change of the next transaction, on items: the batch
// holds only a transaction that ended, so orders is not inside a source transaction when its
// ADD COLUMN follows in the same read; the change is followed, not refused as one splitting a
// transaction. (The live run is stopped while the source writes, so that it reads it at once.)
TEST_F(PgTablesSchemaChangeTest, ChangeReadRightAfterAnotherTablesTransactionIsFollowed) {
  WriteJob();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  const pid_t live = Spawn({"run", "job.yaml"}, "live.log");
  ASSERT_TRUE(Streaming()) << Log("live.log.err");
  // The session's first Relation of orders, before the stop.
  db_->Exec(fmt::format("INSERT INTO {}.orders VALUES (599, 'zero', 'd')", src_));
  for (int i = 0; i < 300 && TargetValue(fmt::format("SELECT count(*) FROM {} WHERE id = 599",
                                                     T("orders"))) != "1";
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(live, SIGSTOP);
  db_->Exec(fmt::format("INSERT INTO {}.orders VALUES (600, 'one', 'd')", src_));
  db_->Exec(fmt::format("INSERT INTO {}.items VALUES (600, 'two', 'd')", src_));
  db_->Exec(fmt::format("ALTER TABLE {}.orders ADD COLUMN n int DEFAULT 5", src_));
  db_->Exec(fmt::format("INSERT INTO {}.orders VALUES (601, 'three', 'd', 7)", src_));
  kill(live, SIGCONT);
  for (int i = 0; i < 300 && TargetValue(fmt::format("SELECT count(*) FROM {} WHERE id = 601",
                                                     T("orders"))) != "1";
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(live, SIGTERM);
  ASSERT_EQ(Wait(live, std::chrono::seconds(60)), 0) << Log("live.log.err");
  EXPECT_EQ(TargetRows(fmt::format("SELECT id, v, n FROM {} ORDER BY id", T("orders"))),
            TargetRows(fmt::format("SELECT id, v, n FROM {}.orders ORDER BY id", src_)));
  EXPECT_EQ(TargetRows(fmt::format("SELECT id, v, d FROM {} ORDER BY id", T("items"))),
            TargetRows(fmt::format("SELECT id, v, d FROM {}.items ORDER BY id", src_)));
}

// A change that is not ADD/DROP COLUMN, on orders: the job stops naming orders (not "Orders");
// the other tables were streamed until then.
TEST_F(PgTablesSchemaChangeTest, OtherChangeOfOneTableStopsNamingIt) {
  WriteJob();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  const pid_t live = Spawn({"run", "job.yaml"}, "live.log");
  ASSERT_TRUE(Streaming()) << Log("live.log.err");
  db_->Exec(fmt::format("INSERT INTO {}.\"Orders\" VALUES (500, 'before', NULL)", src_));
  // The other tables go on until the change: the row reaches its target first.
  for (int i = 0; i < 300 && db_->Value(fmt::format(
                                 "SELECT count(*) FROM {}.\"Orders\" WHERE id = 500", dst_)) != "1";
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  db_->Exec(fmt::format("ALTER TABLE {}.orders ALTER COLUMN d TYPE int USING length(d)", src_));
  db_->Exec(fmt::format("INSERT INTO {}.orders VALUES (501, 'after', 7)", src_));
  EXPECT_EQ(Wait(live, std::chrono::seconds(60)), 2);
  const std::string err = Log("live.log.err");
  EXPECT_NE(err.find(src_ + ".orders: column d changed type at the source"), std::string::npos)
      << err;
  EXPECT_EQ(db_->Value(fmt::format("SELECT v FROM {}.\"Orders\" WHERE id = 500", dst_)), "before");
  EXPECT_EQ(db_->Value(fmt::format("SELECT count(*) FROM {}.orders WHERE id = 501", dst_)), "0");
}

}  // namespace
}  // namespace sluice::postgres::replication_stream
