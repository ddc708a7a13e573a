// `tables:` in a realtime job, end to end with the real binary: one binlog reader for three
// tables of a MariaDB database (two of them named apart only by case: `Orders` and `orders`),
// a fourth table outside the pattern written all along. A snapshot, then transactions that
// change all three tables at once (inserts, updates, deletes), under three kill -9s, then
// `run --catch-up`: every target table equals its source table, into PostgreSQL and into
// MariaDB, and the table outside the pattern never reaches the target.
#include "connectors/mysql/binlog_stream/binlog_run_fixture.h"
#include "connectors/postgres/pg_testing.h"

namespace sluice::mysql::binlog_stream {
namespace {

using testing::TestDatabase;

const std::vector<std::string> kTables = {"Orders", "orders", "items"};

class TablesRunTest : public testing::RunFixture {
 protected:
  void CreateSource(TestDatabase& db) {
    for (const std::string& t : kTables) {
      db.Exec(fmt::format("CREATE TABLE `{}` (id INT PRIMARY KEY, v VARCHAR(30))", t));
    }
    db.Exec("CREATE TABLE skip_me (id INT PRIMARY KEY, v VARCHAR(30))");
    for (size_t i = 0; i < kTables.size(); ++i) {
      for (int id = 1; id <= 40 + 10 * static_cast<int>(i); ++id) {
        db.Exec(fmt::format("INSERT INTO `{}` VALUES ({}, 'snap {}')", kTables[i], id, kTables[i]));
      }
    }
    db.Exec("INSERT INTO skip_me VALUES (1, 'x')");
  }

  void WriteJob(TestDatabase& db, const std::string& target) {
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: binlog_tables_{}\nmode: realtime\n"
        "source: {{type: mysql, url: \"{}\", tables: [\"{}.*\", \"!{}.skip_*\"]}}\n"
        "target: {}\n"
        "settings: {{checkpoint: {{rows: 20}}}}\n",
        db.name(), db.Url(), db.name(), db.name(), target);
  }

  // `txns` transactions, each changing all three tables (and the table outside the pattern).
  static void Load(TestDatabase& db, int txns) {
    for (int t = 0; t < txns; ++t) {
      const int a = 1000 + 3 * t;
      db.Exec("BEGIN");
      for (const std::string& table : kTables) {
        db.Exec(fmt::format("INSERT INTO `{}` VALUES ({}, 'new'), ({}, 'new')", table, a, a + 1));
        db.Exec(fmt::format("UPDATE `{}` SET v = 'upd {}' WHERE id = {}", table, t, a));
        db.Exec(fmt::format("UPDATE `{}` SET v = 'old {}' WHERE id = {}", table, t, 1 + t % 40));
        db.Exec(fmt::format("UPDATE `{}` SET id = {} WHERE id = {}", table, a + 2, a + 1));
        if (t % 4 == 0) db.Exec(fmt::format("DELETE FROM `{}` WHERE id = {}", table, 1 + t / 4));
      }
      db.Exec(fmt::format("INSERT INTO skip_me VALUES ({}, 'never')", a));
      db.Exec("COMMIT");
      if (t % 20 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(40));
    }
  }

  static size_t TotalRows(
      const std::function<std::vector<std::string>(const std::string&)>& target_rows) {
    size_t n = 0;
    for (const std::string& t : kTables) n += target_rows(t).size();
    return n;
  }

  // Snapshot, then changes under kill -9, then a catch-up; `target_rows(table)` reads a target.
  void RunAll(TestDatabase& db,
              const std::function<std::vector<std::string>(const std::string&)>& target_rows) {
    ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
    for (const std::string& t : kTables) {
      EXPECT_EQ(target_rows(t), db.Rows(fmt::format("SELECT id, v FROM `{}` ORDER BY id", t)))
          << "snapshot of " << t;
    }
    const size_t snapshot_rows = TotalRows(target_rows);
    constexpr int kTxns = 150;
    std::thread load([&] { Load(db, kTxns); });
    // Three live runs killed with -9; the first once it committed changes (however slow the
    // machine), the others a moment after their start.
    for (int round = 0; round < 3; ++round) {
      const pid_t pid = Spawn({"run", "job.yaml"}, "live.log");
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (round == 0 && std::chrono::steady_clock::now() < give_up &&
             TotalRows(target_rows) <= snapshot_rows) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(300 + 300 * round));
      kill(pid, SIGKILL);
      Wait(pid);
    }
    load.join();
    // The killed runs committed changes (the restarts below resume from their positions).
    EXPECT_GT(TotalRows(target_rows), snapshot_rows);
    ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
    // The summary lists the tables read.
    EXPECT_NE(Log("run.log").find("tables     3: "), std::string::npos) << Log("run.log");
    for (const std::string& t : kTables) {
      const std::vector<std::string> source =
          db.Rows(fmt::format("SELECT id, v FROM `{}` ORDER BY id", t));
      EXPECT_EQ(source.size(),
                static_cast<size_t>(40 + 10 * (&t - &kTables[0]) + 2 * kTxns - (kTxns + 3) / 4));
      EXPECT_EQ(target_rows(t), source) << t;
    }
  }
};

TEST_F(TablesRunTest, ThreeTablesIntoPostgresConvergeUnderKillNine) {
  TestDatabase db;
  CreateSource(db);
  postgres::testing::RawConn pg(postgres::testing::DbUrl());
  const std::string schema = "bt_" + db.name();
  pg.Exec(fmt::format("CREATE SCHEMA \"{}\"", schema));
  WriteJob(db, fmt::format("{{type: postgres, url: \"{}\", table: \"{}.${{table}}\", "
                           "write_mode: upsert, key: [id]}}",
                           postgres::testing::DbUrl(), schema));
  RunAll(db, [&](const std::string& table) {
    std::vector<std::string> out;
    for (const auto& row :
         pg.Rows(fmt::format("SELECT id, v FROM \"{}\".\"{}\" ORDER BY id", schema, table))) {
      out.push_back(row[0] + "|" + row[1]);
    }
    return out;
  });
  EXPECT_EQ(pg.Value(fmt::format("SELECT count(*) FROM information_schema.tables WHERE "
                                 "table_name = 'skip_me' OR table_schema = '{}' AND table_name "
                                 "IN ('Orders', 'orders', 'items')",
                                 schema)),
            "3");
}

TEST_F(TablesRunTest, ThreeTablesIntoMariadbConvergeUnderKillNine) {
  TestDatabase db;
  TestDatabase target;
  CreateSource(db);
  WriteJob(
      db, fmt::format("{{type: mysql, url: \"{}\", write_mode: upsert, key: [id]}}", target.Url()));
  RunAll(db, [&](const std::string& table) {
    return target.Rows(fmt::format("SELECT id, v FROM `{}` ORDER BY id", table));
  });
  EXPECT_EQ(target.Value(fmt::format("SELECT count(*) FROM information_schema.tables WHERE "
                                     "table_schema = '{}' AND table_name = 'skip_me'",
                                     target.name())),
            "0");
}

// A table created while the job runs, which the patterns select: the run checkpoints, starts
// again in the same process, snapshots the new table and streams it with the others. An
// excluded new table is not named, and CREATE TABLE ... LIKE one of the job's tables does not
// stop the job.
TEST_F(TablesRunTest, ATableCreatedWhileRunningIsSnapshottedAndStreamedByTheRunningJob) {
  TestDatabase db;
  TestDatabase target;
  CreateSource(db);
  WriteJob(
      db, fmt::format("{{type: mysql, url: \"{}\", write_mode: upsert, key: [id]}}", target.Url()));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  const pid_t live = Spawn({"run", "job.yaml"}, "live.log");
  ASSERT_TRUE(WaitForLog("live.log.err", "streaming 3 tables")) << Log("live.log.err");
  db.Exec("CREATE TABLE later LIKE items");
  db.Exec("CREATE TABLE skip_later (id INT PRIMARY KEY)");
  db.Exec("INSERT INTO later VALUES (1, 'l1'), (2, 'l2')");
  db.Exec("INSERT INTO items VALUES (900, 'live')");
  // Rows of `later` from before and after the restart, and of the tables streamed before.
  auto later_rows = [&] {
    const std::string exists = target.Value(
        fmt::format("SELECT count(*) FROM information_schema.tables WHERE table_schema = '{}' AND "
                    "table_name = 'later'",
                    target.name()));
    return exists == "1" ? target.Rows("SELECT id, v FROM later ORDER BY id")
                         : std::vector<std::string>{};
  };
  Eventually([&] { return later_rows().size() == 2; });
  db.Exec("INSERT INTO later VALUES (3, 'l3')");
  db.Exec("UPDATE later SET v = 'l1+' WHERE id = 1");
  db.Exec("INSERT INTO items VALUES (901, 'live2')");
  const std::vector<std::string> expected{"1|l1+", "2|l2", "3|l3"};
  Eventually([&] {
    return later_rows() == expected && !target.Rows("SELECT v FROM items WHERE id = 901").empty();
  });
  EXPECT_EQ(later_rows(), expected) << Log("live.log.err");
  kill(live, SIGTERM);
  EXPECT_EQ(Wait(live), 0) << Log("live.log.err");
  const std::string err = Log("live.log.err");
  EXPECT_NE(err.find(db.name() + ".later was created at the source and matches"), std::string::npos)
      << err;
  EXPECT_NE(err.find("streaming 4 tables"), std::string::npos) << err;
  EXPECT_EQ(err.find("skip_later"), std::string::npos) << err;
  EXPECT_NE(Log("live.log").find("restarts   1 "), std::string::npos) << Log("live.log");
  EXPECT_EQ(target.Rows("SELECT v FROM items WHERE id >= 900 ORDER BY id"),
            (std::vector<std::string>{"live", "live2"}));
  // A table created while no run runs is taken up by the next start, which reads its CREATE
  // (and an ALTER) in the binlog before the table's own snapshot: no stop, nothing twice.
  db.Exec("INSERT INTO later VALUES (4, 'l4')");
  db.Exec("CREATE TABLE while_down (id INT PRIMARY KEY, v VARCHAR(20))");
  db.Exec("INSERT INTO while_down VALUES (1, 'd1')");
  db.Exec("ALTER TABLE while_down MODIFY v VARCHAR(30)");
  db.Exec("INSERT INTO while_down VALUES (2, 'd2')");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_NE(Log("run.log").find("tables     5: "), std::string::npos) << Log("run.log");
  EXPECT_EQ(target.Rows("SELECT id, v FROM later ORDER BY id"),
            (std::vector<std::string>{"1|l1+", "2|l2", "3|l3", "4|l4"}));
  EXPECT_EQ(target.Rows("SELECT id, v FROM while_down ORDER BY id"),
            (std::vector<std::string>{"1|d1", "2|d2"}));
  db.Exec("UPDATE while_down SET v = 'd2+' WHERE id = 2");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(target.Rows("SELECT id, v FROM while_down ORDER BY id"),
            (std::vector<std::string>{"1|d1", "2|d2+"}));
}

// A checkpoint commits the tables that received rows; an idle table keeps its position (it is
// committed again only once a minute, or at the run's end). Killed -9 while only `Orders`
// changes, the run leaves `items`'s position where the snapshot put it; the restart converges.
// As in a single-table job, a job that gives no write_mode or target.key applies each table's
// changes by that table's own primary key: tables keyed differently (one column, two columns
// in another order than the table's, none at all with NOT NULL columns) in one job.
TEST_F(TablesRunTest, EachTableIsKeyedByItsOwnPrimaryKeyWithoutTargetKey) {
  TestDatabase db;
  TestDatabase target;
  db.Exec("CREATE TABLE one_col (id INT PRIMARY KEY, v VARCHAR(30))");
  db.Exec("CREATE TABLE two_col (a INT, b VARCHAR(10), v INT, PRIMARY KEY (b, a))");
  db.Exec("CREATE TABLE no_key (x INT NOT NULL, y VARCHAR(10) NOT NULL)");
  db.Exec("INSERT INTO one_col VALUES (1, 'a'), (2, 'b')");
  db.Exec("INSERT INTO two_col VALUES (1, 'x', 10), (1, 'y', 20), (2, 'x', 30)");
  db.Exec("INSERT INTO no_key VALUES (1, 'p'), (2, 'q')");
  WriteJob(db, fmt::format("{{type: mysql, url: \"{}\"}}", target.Url()));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db.Exec("UPDATE one_col SET v = 'a+' WHERE id = 1");
  db.Exec("DELETE FROM one_col WHERE id = 2");
  db.Exec("UPDATE two_col SET v = 21 WHERE a = 1 AND b = 'y'");
  db.Exec("UPDATE two_col SET a = 3 WHERE a = 2 AND b = 'x'");  // a key move
  db.Exec("DELETE FROM two_col WHERE a = 1 AND b = 'x'");
  db.Exec("UPDATE no_key SET y = 'q+' WHERE x = 2");
  db.Exec("DELETE FROM no_key WHERE x = 1");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  for (const char* query :
       {"SELECT id, v FROM one_col ORDER BY id", "SELECT a, b, v FROM two_col ORDER BY a, b",
        "SELECT x, y FROM no_key ORDER BY x"}) {
    EXPECT_EQ(target.Rows(query), db.Rows(query)) << query;
  }
  EXPECT_EQ(target.Rows("SELECT a, b, v FROM two_col ORDER BY a, b"),
            (std::vector<std::string>{"1|y|21", "3|x|30"}));
  // `check` says where each key comes from.
  ASSERT_EQ(Run({"check", "job.yaml"}), 0) << Log("run.log.err");
  const std::string plan = Log("run.log");
  EXPECT_NE(plan.find("key (b, a) from the source's primary key"), std::string::npos) << plan;
}

TEST_F(TablesRunTest, AnIdleTableIsNotCommittedAtEveryCheckpoint) {
  TestDatabase db;
  TestDatabase target;
  CreateSource(db);
  WriteJob(
      db, fmt::format("{{type: mysql, url: \"{}\", write_mode: upsert, key: [id]}}", target.Url()));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  auto position = [&](const std::string& table) {
    return target.Value(
        fmt::format("SELECT position FROM _sluice_positions WHERE job LIKE '%/{}' AND stream = "
                    "'binlog'",
                    table));
  };
  const std::string items_before = position("items");
  const std::string orders_before = position("Orders");
  ASSERT_EQ(items_before, orders_before);  // the snapshot's final commit: every table
  const pid_t live = Spawn({"run", "job.yaml"}, "live.log");
  // `Orders` changes for a few checkpoints (one a second, or every 20 rows); `items` never.
  for (int i = 0; i < 60; ++i) {
    db.Exec(fmt::format("INSERT INTO `Orders` VALUES ({}, 'busy')", 5000 + i));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (int i = 0; i < 200 && position("Orders") == orders_before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(live, SIGKILL);
  Wait(live);
  EXPECT_NE(position("Orders"), orders_before) << Log("live.log.err");
  EXPECT_EQ(position("items"), items_before);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  for (const std::string& t : kTables) {
    EXPECT_EQ(target.Rows(fmt::format("SELECT id, v FROM `{}` ORDER BY id", t)),
              db.Rows(fmt::format("SELECT id, v FROM `{}` ORDER BY id", t)))
        << t;
  }
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream
