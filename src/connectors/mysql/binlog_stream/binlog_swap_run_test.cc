// Online schema changes on a MariaDB source under a realtime job, end to end with the real
// binary (binlog_run_fixture.h), done the way gh-ost and pt-online-schema-change do them: a
// new table with the new definition, the rows copied into it, changes kept in step, then
// `RENAME TABLE t TO _t_del, _t_gho TO t`. The stream follows a swap that adds or drops columns
// (the target ends equal to the source, the added column with the value the copy gave the old
// rows); one that changes a kept column's type or the primary key stops it, naming both.
#include <signal.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "connectors/mysql/binlog_stream/binlog_run_fixture.h"

namespace sluice::mysql::binlog_stream {
namespace {

using testing::TestDatabase;

class BinlogSwapTest : public testing::RunFixture {
 protected:
  // t(id, v, d) with rows 1..3, and the job upserting it into `target`.t by id.
  void Start(TestDatabase& db, TestDatabase& target) {
    db.Exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20), d VARCHAR(20))");
    db.Exec("INSERT INTO t VALUES (1, 'one', 'd1'), (2, 'two', 'd2'), (3, 'three', 'd3')");
    WriteJobTo(db, fmt::format("{{type: mysql, url: \"{}\", table: t, write_mode: upsert, "
                               "key: [id]}}",
                               target.Url()));
    ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  }
  // The ghost table `_t_gho` as `definition` (columns after id), filled from t by `copy`.
  static void Ghost(TestDatabase& db, const std::string& alter, const std::string& copy) {
    db.Exec("CREATE TABLE _t_gho LIKE t");
    db.Exec("ALTER TABLE _t_gho " + alter);
    db.Exec(copy);
  }
  // A realtime job over the tables of `db` that `patterns` select (each "{db}" is db's name),
  // into `target` (MySQL, the tables' own names).
  void WriteTablesJob(const std::string& name, TestDatabase& db, TestDatabase& target,
                      const std::vector<std::string>& patterns) {
    std::string list;
    for (const std::string& p : patterns) {
      if (!list.empty()) list += ", ";
      list += "\"" + fmt::format(fmt::runtime(p), fmt::arg("db", db.name())) + "\"";
    }
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: {}_{}\nmode: realtime\n"
        "source: {{type: mysql, url: \"{}\", tables: [{}]}}\n"
        "target: {{type: mysql, url: \"{}\"}}\n",
        name, db.name(), db.Url(), list, target.Url());
  }
};

TEST_F(BinlogSwapTest, ASwapThatAddsAndDropsColumnsIsFollowed) {
  TestDatabase db;
  TestDatabase target;
  Start(db, target);
  db.Exec("UPDATE t SET v = 'one+' WHERE id = 1");  // before the swap
  Ghost(db, "DROP COLUMN d, ADD COLUMN n INT NOT NULL DEFAULT 7",
        "INSERT INTO _t_gho (id, v) SELECT id, v FROM t");
  db.Exec("RENAME TABLE t TO _t_del, _t_gho TO t");
  db.Exec("INSERT INTO t VALUES (4, 'four', 40)");
  db.Exec("UPDATE t SET v = 'two+', n = 20 WHERE id = 2");
  db.Exec("DELETE FROM t WHERE id = 3");
  db.Exec("DROP TABLE _t_del");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  // d stays in the target, NULL for the rows written since the swap; n has the source's
  // values, 7 (the copy's default) for the row no change touched since.
  EXPECT_EQ(target.Rows("SELECT id, v, n FROM t ORDER BY id"),
            db.Rows("SELECT id, v, n FROM t ORDER BY id"));
  EXPECT_EQ(target.Rows("SELECT id, v, d, n FROM t ORDER BY id"),
            (std::vector<std::string>{"1|one+|d1|7", "2|two+|NULL|20", "4|four|NULL|40"}));
  const std::string err = Log("run.log.err");
  EXPECT_NE(err.find("another table was swapped in under its name"), std::string::npos) << err;

  // A later run goes on from there.
  db.Exec("UPDATE t SET n = 8 WHERE id = 1");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(target.Rows("SELECT id, v, n FROM t ORDER BY id"),
            db.Rows("SELECT id, v, n FROM t ORDER BY id"));
}

TEST_F(BinlogSwapTest, ASwapThatChangesAColumnsTypeStopsNamingIt) {
  TestDatabase db;
  TestDatabase target;
  Start(db, target);
  Ghost(db, "MODIFY COLUMN v BIGINT", "INSERT INTO _t_gho SELECT id, 5, d FROM t");
  db.Exec("RENAME TABLE t TO _t_del, _t_gho TO t");
  db.Exec("INSERT INTO t VALUES (4, 44, 'd4')");
  EXPECT_EQ(Run({"run", "job.yaml", "--catch-up"}), 2);
  const std::string err = Log("run.log.err");
  EXPECT_NE(err.find(db.name() + ".t: column v changed from VARCHAR(80 bytes)"), std::string::npos)
      << err;
  EXPECT_NE(err.find("to LONGLONG in the binlog: another table was swapped in under its name "
                     "(RENAME TABLE t TO _t_del, _t_gho TO t)"),
            std::string::npos)
      << err;
  // Nothing of the swapped-in table reached the target.
  EXPECT_EQ(target.Rows("SELECT id, v FROM t ORDER BY id"),
            (std::vector<std::string>{"1|one", "2|two", "3|three"}));
}

TEST_F(BinlogSwapTest, ASwapThatChangesThePrimaryKeyStopsNamingIt) {
  TestDatabase db;
  TestDatabase target;
  Start(db, target);
  Ghost(db, "DROP PRIMARY KEY, ADD PRIMARY KEY (id, v)", "INSERT INTO _t_gho SELECT * FROM t");
  db.Exec("RENAME TABLE t TO _t_del, _t_gho TO t");
  db.Exec("INSERT INTO t VALUES (1, 'again', 'd')");  // a new row only under the new key
  EXPECT_EQ(Run({"run", "job.yaml", "--catch-up"}), 2);
  const std::string err = Log("run.log.err");
  EXPECT_NE(err.find("the primary key changed from (id) to (id, v) in the binlog"),
            std::string::npos)
      << err;
  EXPECT_EQ(target.Rows("SELECT id, v FROM t ORDER BY id"),
            (std::vector<std::string>{"1|one", "2|two", "3|three"}));
}

// pt-online-schema-change's way, under a live write load and kill -9 of the realtime run before,
// around and after the cut-over: triggers keep the new table in step while the rows are copied,
// then the swap. A final catch-up leaves the target equal to the source.
TEST_F(BinlogSwapTest, KillNineAroundAnOnlineSchemaChangeUnderLoadConverges) {
  TestDatabase db;
  TestDatabase target;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))");
  for (int i = 1; i <= 50; ++i) db.Exec(fmt::format("INSERT INTO t VALUES ({}, 'r{}')", i, i));
  WriteJobTo(db, fmt::format("{{type: mysql, url: \"{}\", table: t, write_mode: upsert, "
                             "key: [id]}}",
                             target.Url()));

  // The load: inserts, updates and deletes, named by column so they work on both tables.
  std::atomic<bool> stop{false};
  std::atomic<int> txns{0};
  std::string load_error;
  std::thread load([&] {
    Result<Connection> conn = Connection::Open(db.url());
    if (!conn) {
      load_error = conn.error().message();
      return;
    }
    for (int i = 0; !stop; ++i) {
      const int id = 1000 + i;
      bool retry = false;
      for (const std::string& sql :
           {std::string("BEGIN"), fmt::format("INSERT INTO t (id, v) VALUES ({}, 'n{}')", id, i),
            fmt::format("UPDATE t SET v = 'u{}' WHERE id = {}", i, 1 + i % 50),
            fmt::format("DELETE FROM t WHERE id = {}", id - 3), std::string("COMMIT")}) {
        Status st = conn->Exec(sql);
        // The copy's shared locks can make a transaction the deadlock's victim: again.
        retry = !st.ok() && st.message().find("Deadlock found") != std::string::npos;
        if (retry) break;
        if (!st.ok()) {
          load_error = sql + ": " + st.message();
          return;
        }
      }
      if (retry) {
        (void)conn->Exec("ROLLBACK");
        --i;
        continue;
      }
      ++txns;
      std::this_thread::sleep_for(std::chrono::milliseconds(3));
    }
  });

  pid_t live = Spawn({"run", "job.yaml"}, "live1.log");
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  kill(live, SIGKILL);
  Wait(live);
  live = Spawn({"run", "job.yaml"}, "live2.log");
  // The new table, kept in step by triggers while the rows are copied, then swapped in.
  db.Exec("CREATE TABLE _t_new LIKE t");
  db.Exec("ALTER TABLE _t_new ADD COLUMN n INT NOT NULL DEFAULT 7");
  db.Exec(
      "CREATE TRIGGER t_ins AFTER INSERT ON t FOR EACH ROW REPLACE INTO _t_new (id, v) VALUES "
      "(NEW.id, NEW.v)");
  db.Exec(
      "CREATE TRIGGER t_upd AFTER UPDATE ON t FOR EACH ROW BEGIN DELETE IGNORE FROM _t_new "
      "WHERE id = OLD.id; REPLACE INTO _t_new (id, v) VALUES (NEW.id, NEW.v); END");
  db.Exec(
      "CREATE TRIGGER t_del AFTER DELETE ON t FOR EACH ROW DELETE IGNORE FROM _t_new WHERE "
      "id = OLD.id");
  kill(live, SIGKILL);
  Wait(live);
  live = Spawn({"run", "job.yaml"}, "live3.log");
  db.Exec("INSERT IGNORE INTO _t_new (id, v) SELECT id, v FROM t LOCK IN SHARE MODE");
  db.Exec("RENAME TABLE t TO _t_old, _t_new TO t");
  db.Exec("DROP TRIGGER t_ins");
  db.Exec("DROP TRIGGER t_upd");
  db.Exec("DROP TRIGGER t_del");
  db.Exec("DROP TABLE _t_old");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  kill(live, SIGKILL);
  Wait(live);
  live = Spawn({"run", "job.yaml"}, "live4.log");
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  kill(live, SIGKILL);
  Wait(live);
  stop = true;
  load.join();
  ASSERT_EQ(load_error, "");
  ASSERT_GT(txns.load(), 20);

  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(target.Rows("SELECT id, v, n FROM t ORDER BY id"),
            db.Rows("SELECT id, v, n FROM t ORDER BY id"));
  EXPECT_EQ(target.Rows("SELECT count(*) FROM t"), db.Rows("SELECT count(*) FROM t"));
  // Some run followed the swap (which one depends on where the kills fell).
  std::string logs = Log("run.log.err");
  for (int i = 1; i <= 4; ++i) logs += Log(fmt::format("live{}.log.err", i));
  EXPECT_NE(logs.find("another table was swapped in under its name"), std::string::npos) << logs;
}

// With `tables:` patterns that leave the tool's tables out, the swap of one table is followed
// and the others stream on.
TEST_F(BinlogSwapTest, ASwapUnderTablesPatternsIsFollowed) {
  TestDatabase db;
  TestDatabase target;
  db.Exec("CREATE TABLE a (id INT PRIMARY KEY, v VARCHAR(20))");
  db.Exec("CREATE TABLE b (id INT PRIMARY KEY, v VARCHAR(20))");
  db.Exec("INSERT INTO a VALUES (1, 'a1'), (2, 'a2')");
  db.Exec("INSERT INTO b VALUES (1, 'b1')");
  WriteTablesJob("swap_tables", db, target, {"{db}.*", "!{db}._*"});
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db.Exec("CREATE TABLE _a_gho LIKE a");
  db.Exec("ALTER TABLE _a_gho ADD COLUMN n INT NOT NULL DEFAULT 7");
  db.Exec("INSERT INTO _a_gho (id, v) SELECT id, v FROM a");
  db.Exec("RENAME TABLE a TO _a_del, _a_gho TO a");
  db.Exec("INSERT INTO a VALUES (3, 'a3', 30)");
  db.Exec("UPDATE b SET v = 'b1+' WHERE id = 1");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(target.Rows("SELECT id, v, n FROM a ORDER BY id"),
            (std::vector<std::string>{"1|a1|7", "2|a2|7", "3|a3|30"}));
  EXPECT_EQ(target.Rows("SELECT id, v FROM b ORDER BY id"), (std::vector<std::string>{"1|b1+"}));
  // The tool's tables were never taken up.
  EXPECT_EQ(target.Value(fmt::format("SELECT count(*) FROM information_schema.tables WHERE "
                                     "table_schema = '{}' AND table_name LIKE '\\_a\\_%'",
                                     target.name())),
            "0");
}

// A pattern that selects the tool's tables by a wildcard ("db.*"): the running job leaves the
// copy out when it is created (a note says so) and follows the swap on a, as with "!db._*".
TEST_F(BinlogSwapTest, AWildcardPatternLeavesTheToolsTablesOutAndTheSwapIsFollowed) {
  TestDatabase db;
  TestDatabase target;
  db.Exec("CREATE TABLE a (id INT PRIMARY KEY, v VARCHAR(20))");
  db.Exec("INSERT INTO a VALUES (1, 'a1')");
  WriteTablesJob("swap_all", db, target, {"{db}.*"});
  const pid_t live = Spawn({"run", "job.yaml"}, "live.log");
  ASSERT_TRUE(WaitForLog("live.log.err", "streaming 1 tables", std::chrono::seconds(30)))
      << Log("live.log.err");
  // gh-ost's way: the copy and its changelog, an ALTER of the copy, rows copied, the swap.
  db.Exec("CREATE TABLE _a_gho LIKE a");
  db.Exec("CREATE TABLE _a_ghc (id INT PRIMARY KEY, hint VARCHAR(20))");
  db.Exec("ALTER TABLE _a_gho ADD COLUMN n INT");
  db.Exec("INSERT INTO _a_gho (id, v) SELECT id, v FROM a");
  db.Exec("INSERT INTO a VALUES (2, 'a2')");
  db.Exec("INSERT INTO _a_gho (id, v) VALUES (2, 'a2')");
  db.Exec("RENAME TABLE a TO _a_del, _a_gho TO a");
  db.Exec("INSERT INTO a VALUES (3, 'a3', 30)");
  db.Exec("UPDATE a SET n = 10 WHERE id = 1");
  ASSERT_TRUE(
      WaitForLog("live.log.err", "left out " + db.name() + "._a_gho", std::chrono::seconds(30)))
      << Log("live.log.err");
  for (int i = 0; i < 300 && target.Value("SELECT count(*) FROM a WHERE id = 3") != "1"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(live, SIGTERM);
  ASSERT_EQ(Wait(live, std::chrono::seconds(60)), 0) << Log("live.log.err");
  EXPECT_EQ(
      target.Value("SELECT GROUP_CONCAT(id, ':', v, ':', IFNULL(n, 'NULL') ORDER BY id) FROM a"),
      "1:a1:10,2:a2:NULL,3:a3:30")
      << Log("live.log.err");
  // None of the tool's tables reached the target, and the run did not start again for them.
  EXPECT_EQ(target.Value(fmt::format("SELECT count(*) FROM information_schema.tables WHERE "
                                     "table_schema = '{}' AND table_name LIKE '\\_a\\_%'",
                                     target.name())),
            "0");
  EXPECT_EQ(Log("live.log.err").find("starts again to snapshot"), std::string::npos)
      << Log("live.log.err");
}

// A pattern that names the tool's copy exactly reads it: the running job takes it up when it
// is created, so the swap renames two streamed tables; it stops, saying to leave them out.
TEST_F(BinlogSwapTest, ASwapWithTheToolsCopyNamedStopsSayingToLeaveItOut) {
  TestDatabase db;
  TestDatabase target;
  db.Exec("CREATE TABLE a (id INT PRIMARY KEY, v VARCHAR(20))");
  db.Exec("INSERT INTO a VALUES (1, 'a1')");
  WriteTablesJob("swap_all", db, target, {"{db}.*", "{db}._a_gho"});
  const pid_t live = Spawn({"run", "job.yaml"}, "live.log");
  ASSERT_TRUE(WaitForLog("live.log.err", "streaming 1 tables", std::chrono::seconds(30)))
      << Log("live.log.err");
  db.Exec("CREATE TABLE _a_gho LIKE a");
  ASSERT_TRUE(WaitForLog("live.log.err", "streaming 2 tables", std::chrono::seconds(30)))
      << Log("live.log.err");
  db.Exec("INSERT INTO _a_gho SELECT * FROM a");
  db.Exec("RENAME TABLE a TO _a_del, _a_gho TO a");
  EXPECT_EQ(Wait(live, std::chrono::seconds(60)), 2) << Log("live.log.err");
  const std::string err = Log("live.log.err");
  EXPECT_NE(err.find(db.name() +
                     ".a: another table was swapped in under the table's name "
                     "(RENAME TABLE a TO _a_del, _a_gho TO a), and " +
                     db.name() + "._a_gho is read by this job too"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("\"!" + db.name() + "._*\""), std::string::npos) << err;
}

// Renames that are no swap of the streamed table stop as before: the table moved away alone.
TEST_F(BinlogSwapTest, MovingTheTableAwayStillStops) {
  TestDatabase db;
  TestDatabase target;
  Start(db, target);
  db.Exec("RENAME TABLE t TO t_old");
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20), d VARCHAR(20))");
  EXPECT_EQ(Run({"run", "job.yaml", "--catch-up"}), 2);
  const std::string err = Log("run.log.err");
  EXPECT_NE(err.find("the table's definition changed in the binlog (RENAME TABLE t TO t_old)"),
            std::string::npos)
      << err;
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream
