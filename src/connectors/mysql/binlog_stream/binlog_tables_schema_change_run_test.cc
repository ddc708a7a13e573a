// `tables:` realtime jobs follow ALTER TABLE ... ADD/DROP COLUMN per table, end to end with the
// real binary: three MariaDB tables (`Orders` and `orders`, named apart only by case, and
// `items`) change in every transaction while `orders` alone gains a column and loses one. A
// live run is killed -9 at the schema change (before or after its target's ALTER: the hook of
// engine/schema_follow.h), more live runs are killed at random moments, then `run --catch-up`:
// every target table equals its source table in every column of every row, only `orders`'s
// target gained the column, and the dropped one is NULL in the rows written after the drop.
// Any other DDL on one table stops the job with a line naming that table (by its case) and the
// statement.
#include "connectors/mysql/binlog_stream/binlog_run_fixture.h"
#include "connectors/postgres/pg_testing.h"

namespace sluice::mysql::binlog_stream {
namespace {

using testing::TestDatabase;

const std::vector<std::string> kTables = {"Orders", "orders", "items"};
constexpr int kTxns = 120;
constexpr int kAddAt = 30;   // ALTER TABLE orders ADD COLUMN n INT before this transaction
constexpr int kDropAt = 70;  // ALTER TABLE orders DROP COLUMN d before this transaction

class BinlogTablesSchemaChangeTest : public testing::RunFixture {
 protected:
  void SetUp() override {
    RunFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    for (const std::string& t : kTables) {
      db_.Exec(
          fmt::format("CREATE TABLE `{}` (id INT PRIMARY KEY, v VARCHAR(30), d VARCHAR(20))", t));
      for (int id = 1; id <= 30; ++id) {
        db_.Exec(fmt::format("INSERT INTO `{}` VALUES ({}, 'snap', 'd{}')", t, id, id));
      }
    }
    pg_schema_ = "btsc_" + db_.name();
    pg_.Exec(
        fmt::format("DROP SCHEMA IF EXISTS \"{0}\" CASCADE; CREATE SCHEMA \"{0}\"", pg_schema_));
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: binlog_tsc_{}\nmode: realtime\n"
        "source: {{type: mysql, url: \"{}\", tables: [\"{}.*\"]}}\n"
        "target: {{type: postgres, url: \"{}\", table: \"{}.${{table}}\", write_mode: upsert, "
        "key: [id]}}\n"
        "settings: {{checkpoint: {{rows: 20}}}}\n",
        db_.name(), db_.Url(), db_.name(), postgres::testing::DbUrl(), pg_schema_);
  }
  void TearDown() override {
    if (!HasFailure() && !pg_schema_.empty()) {
      pg_.Exec(fmt::format("DROP SCHEMA IF EXISTS \"{}\" CASCADE", pg_schema_));
    }
    RunFixture::TearDown();
  }

  // Waits (up to 30 s) until the live run's log says it streams: it has read the tables.
  bool Streaming() {
    for (int i = 0; i < 1500; ++i) {
      if (Log("live.log.err").find("streaming 3 tables") != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  // Transactions over all three tables; `orders` gains n before kAddAt and loses d before
  // kDropAt. Updates reach rows of the snapshot and rows inserted earlier, across both changes.
  void Load() {
    TestDatabase& db = db_;
    for (int t = 0; t < kTxns; ++t) {
      if (t == kAddAt) db.Exec("ALTER TABLE orders ADD COLUMN n INT");
      if (t == kDropAt) db.Exec("ALTER TABLE orders DROP COLUMN d");
      const int id = 100 + t;
      db.Exec("BEGIN");
      for (const std::string& table : kTables) {
        const bool changed = table == "orders";
        if (changed && t >= kDropAt) {
          db.Exec(fmt::format("INSERT INTO orders (id, v, n) VALUES ({}, 'c', {})", id, t));
        } else if (changed && t >= kAddAt) {
          db.Exec(fmt::format("INSERT INTO orders (id, v, d, n) VALUES ({}, 'b', 'd', {})", id, t));
        } else {
          db.Exec(fmt::format("INSERT INTO `{}` (id, v, d) VALUES ({}, 'a', 'd')", table, id));
        }
        db.Exec(fmt::format("UPDATE `{}` SET v = 'u{}' WHERE id = {}", table, t, 1 + t % 30));
        if (changed && t >= kAddAt) {
          db.Exec(fmt::format("UPDATE orders SET n = {} WHERE id = {}", -t, id - 20));
        }
        if (t % 7 == 0) db.Exec(fmt::format("DELETE FROM `{}` WHERE id = {}", table, id - 5));
      }
      db.Exec("COMMIT");
      std::this_thread::sleep_for(std::chrono::milliseconds(15));
    }
  }

  std::vector<std::string> TargetRows(const std::string& table, const std::string& columns) {
    std::vector<std::string> out;
    for (const auto& row : pg_.Rows(
             fmt::format("SELECT {} FROM \"{}\".\"{}\" ORDER BY id", columns, pg_schema_, table))) {
      std::string line;
      for (const std::string& cell : row) line += (line.empty() ? "" : "|") + cell;
      out.push_back(line);
    }
    return out;
  }
  std::vector<std::string> TargetColumns(const std::string& table) {
    std::vector<std::string> out;
    for (const auto& row : pg_.Rows(fmt::format(
             "SELECT column_name FROM information_schema.columns WHERE table_schema = '{}' AND "
             "table_name = '{}' ORDER BY ordinal_position",
             pg_schema_, table))) {
      out.push_back(row[0]);
    }
    return out;
  }

  // Every column the source has, in every row, for all three tables; the dropped d of `orders`
  // NULL in the rows inserted or updated after the drop, as it was in the others.
  void ExpectConverged() {
    for (const std::string& t : kTables) {
      const std::string columns = t == "orders" ? "id, v, n" : "id, v, d";
      EXPECT_EQ(TargetRows(t, columns),
                db_.Rows(fmt::format("SELECT {} FROM `{}` ORDER BY id", columns, t)))
          << t << "\n"
          << Log("live.log.err") << Log("run.log.err");
    }
    EXPECT_EQ(TargetColumns("orders"), (std::vector<std::string>{"id", "v", "d", "n"}));
    EXPECT_EQ(TargetColumns("Orders"), (std::vector<std::string>{"id", "v", "d"}));
    EXPECT_EQ(TargetColumns("items"), (std::vector<std::string>{"id", "v", "d"}));
    EXPECT_EQ(
        pg_.Value(fmt::format("SELECT count(*) FROM \"{}\".orders WHERE id >= {} AND d IS NOT NULL",
                              pg_schema_, 100 + kDropAt - 20)),
        "0");
    EXPECT_EQ(pg_.Value(fmt::format("SELECT count(*) FROM \"{}\".orders WHERE id BETWEEN {} AND "
                                    "{} AND d IS DISTINCT FROM 'd'",
                                    pg_schema_, 100, 100 + kDropAt - 21)),
              "0");
  }

  // A live run killed at `moment` of `orders`'s schema change, then live runs killed at random
  // moments while the load goes on, then a catch-up.
  void KillAtTheChangeThenConverge(const char* moment, bool altered) {
    ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
    setenv("SLUICE_TEST_KILL_AT_SCHEMA_CHANGE", moment, 1);
    const pid_t live = Spawn({"run", "job.yaml"}, "live.log");
    unsetenv("SLUICE_TEST_KILL_AT_SCHEMA_CHANGE");
    ASSERT_TRUE(Streaming()) << Log("live.log.err");
    std::thread load([&] { Load(); });
    const int killed = Wait(live, std::chrono::seconds(60));
    const std::vector<std::string> columns_at_kill = TargetColumns("orders");
    // Nothing of `orders` after the ADD was committed: the table was checkpointed before it.
    const std::string after_add = pg_.Value(
        fmt::format("SELECT count(*) FROM \"{}\".orders WHERE id >= {}", pg_schema_, 100 + kAddAt));
    KillLiveRuns();
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

  TestDatabase db_;
  postgres::testing::RawConn pg_{postgres::testing::DbUrl()};
  std::string pg_schema_;
};

TEST_F(BinlogTablesSchemaChangeTest, KilledBeforeTheTargetsAlterConverges) {
  KillAtTheChangeThenConverge("before_alter", /*altered=*/false);
}

TEST_F(BinlogTablesSchemaChangeTest, KilledAfterTheTargetsAlterConverges) {
  KillAtTheChangeThenConverge("after_alter", /*altered=*/true);
}

// A batch of `orders` ended by the first rows of the next transaction, on `items`: the batch
// holds only rows of a transaction that ended, so `orders` is not inside a source transaction
// when its ADD COLUMN follows in the same read; the change is followed, not refused as one
// splitting a transaction. (The live run is stopped while the source writes, so that it reads
// all of it at once.)
TEST_F(BinlogTablesSchemaChangeTest, ChangeReadRightAfterAnotherTablesTransactionIsFollowed) {
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  const pid_t live = Spawn({"run", "job.yaml"}, "live.log");
  ASSERT_TRUE(Streaming()) << Log("live.log.err");
  kill(live, SIGSTOP);
  db_.Exec("INSERT INTO orders VALUES (600, 'one', 'd')");
  db_.Exec("INSERT INTO items VALUES (600, 'two', 'd')");
  db_.Exec("ALTER TABLE orders ADD COLUMN n INT DEFAULT 5");
  db_.Exec("INSERT INTO orders VALUES (601, 'three', 'd', 7)");
  kill(live, SIGCONT);
  for (int i = 0; i < 300 && pg_.Value(fmt::format("SELECT count(*) FROM \"{}\".orders WHERE "
                                                   "id = 601",
                                                   pg_schema_)) != "1";
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(live, SIGTERM);
  ASSERT_EQ(Wait(live, std::chrono::seconds(60)), 0) << Log("live.log.err");
  EXPECT_EQ(TargetRows("orders", "id, v, n"), db_.Rows("SELECT id, v, n FROM orders ORDER BY id"));
  EXPECT_EQ(TargetRows("items", "id, v, d"), db_.Rows("SELECT id, v, d FROM items ORDER BY id"));
}

// The same changes while no run is up: the next run reads the table's new shape at Open, and
// the rows of `orders` changed before the ADD in the binlog take its default, as they did at
// the source (not NULL as if the column had been dropped).
TEST_F(BinlogTablesSchemaChangeTest, RunStartedBeforeAnAddGivesTheRowsBeforeItTheDefault) {
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db_.Exec("INSERT INTO orders VALUES (600, 'one', 'd')");
  db_.Exec("INSERT INTO items VALUES (600, 'two', 'd')");
  db_.Exec("ALTER TABLE orders ADD COLUMN n INT DEFAULT 5");
  db_.Exec("INSERT INTO orders VALUES (601, 'three', 'd', 7)");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(TargetRows("orders", "id, v, n"), db_.Rows("SELECT id, v, n FROM orders ORDER BY id"));
  EXPECT_EQ(TargetRows("items", "id, v, d"), db_.Rows("SELECT id, v, d FROM items ORDER BY id"));
  EXPECT_EQ(pg_.Value(fmt::format("SELECT n FROM \"{}\".orders WHERE id = 600", pg_schema_)), "5");
  EXPECT_EQ(Log("run.log.err").find("was dropped"), std::string::npos) << Log("run.log.err");
}

// A change that is not ADD/DROP COLUMN, on `orders`: the job stops naming `orders` (not
// `Orders`) and the statement; the other tables were streamed until then.
TEST_F(BinlogTablesSchemaChangeTest, OtherDdlOnOneTableStopsNamingIt) {
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  const pid_t live = Spawn({"run", "job.yaml"}, "live.log");
  ASSERT_TRUE(Streaming()) << Log("live.log.err");
  db_.Exec("INSERT INTO `Orders` VALUES (500, 'before', NULL)");
  // The other tables go on until the change: the row reaches its target first.
  for (int i = 0; i < 300 && pg_.Value(fmt::format("SELECT count(*) FROM \"{}\".\"Orders\" WHERE "
                                                   "id = 500",
                                                   pg_schema_)) != "1";
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  db_.Exec("ALTER TABLE orders CHANGE v w VARCHAR(50)");
  db_.Exec("INSERT INTO orders VALUES (501, 'after', NULL)");
  EXPECT_EQ(Wait(live, std::chrono::seconds(60)), 2);
  const std::string err = Log("live.log.err");
  EXPECT_NE(err.find(db_.name() + ".orders: the table's definition changed in the binlog (ALTER "
                                  "TABLE orders CHANGE v w VARCHAR(50))"),
            std::string::npos)
      << err;
  EXPECT_EQ(pg_.Value(fmt::format("SELECT v FROM \"{}\".\"Orders\" WHERE id = 500", pg_schema_)),
            "before");
  EXPECT_EQ(pg_.Value(fmt::format("SELECT count(*) FROM \"{}\".orders WHERE id = 501", pg_schema_)),
            "0");
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream
