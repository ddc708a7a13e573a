// TRUNCATE of a streamed MariaDB table, through the real binary. The binlog holds it as a
// statement of its own (DDL commits implicitly), between other transactions. The source's
// `truncate` option decides: stop (the default: the job stops naming the table), apply (the
// target's table is emptied at the same point, in the checkpoint's transaction) or ignore.
#include "connectors/mysql/binlog_stream/binlog_run_fixture.h"

namespace sluice::mysql::binlog_stream {
namespace {

using testing::TestDatabase;

class TruncateRunTest : public testing::RunFixture {
 protected:
  // From db.t into target.t; `source_extra` and `settings` go into their sections.
  void WriteJob(TestDatabase& db, TestDatabase& target, const std::string& source_extra,
                const std::string& settings = "{}") {
    const bool many = source_extra.find("tables:") != std::string::npos;
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: tr_{}\nmode: realtime\n"
        "source: {{type: mysql, url: \"{}\"{}}}\n"
        "target: {{type: mysql, url: \"{}\", table: \"{}\"}}\n"
        "settings: {}\n",
        db.name(), db.Url(), many ? source_extra : ", table: t" + source_extra, target.Url(),
        many ? "${table}" : "t", settings);
  }
};

TEST_F(TruncateRunTest, StopsByDefaultAndAppliesWhenToldTo) {
  TestDatabase db;
  TestDatabase target;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))");
  db.Exec("INSERT INTO t VALUES (1, 'one'), (2, 'two')");
  WriteJob(db, target, "");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db.Exec("INSERT INTO t VALUES (3, 'before')");
  db.Exec("TRUNCATE TABLE t");
  db.Exec("INSERT INTO t VALUES (4, 'after')");
  EXPECT_NE(Run({"run", "job.yaml", "--catch-up"}), 0);
  const std::string err = Log("run.log.err");
  EXPECT_NE(err.find(db.name() + ".t was truncated at the source: the job stops"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("truncate: apply"), std::string::npos) << err;
  // The target stays at its last checkpoint: before the TRUNCATE (the row before it comes
  // with the next run), nothing after it.
  EXPECT_EQ(target.Rows("SELECT id, v FROM t ORDER BY id"),
            (std::vector<std::string>{"1|one", "2|two"}));

  WriteJob(db, target, ", truncate: apply");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(target.Rows("SELECT id, v FROM t ORDER BY id"), (std::vector<std::string>{"4|after"}));
  // Read again from its own checkpoint, nothing changes.
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(target.Rows("SELECT id, v FROM t ORDER BY id"), (std::vector<std::string>{"4|after"}));
}

// Two tables in one job, batches of two rows: each TRUNCATE lands between the rows around it,
// in its own table only; truncate: ignore keeps the target's rows.
TEST_F(TruncateRunTest, TruncatesAmongOtherTablesRowsOfATablesJob) {
  TestDatabase db;
  TestDatabase target;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))");
  db.Exec("CREATE TABLE u (id INT PRIMARY KEY, v VARCHAR(20))");
  db.Exec("INSERT INTO t VALUES (1, 't1'), (2, 't2')");
  db.Exec("INSERT INTO u VALUES (1, 'u1')");
  const std::string tables = fmt::format(", tables: [\"{}.*\"]", db.name());
  WriteJob(db, target, tables + ", truncate: apply", "{batch_rows: 2}");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db.Exec("INSERT INTO t VALUES (3, 'gone'), (4, 'gone'), (5, 'gone')");
  db.Exec("INSERT INTO u VALUES (2, 'u2')");
  db.Exec("TRUNCATE t");
  db.Exec("UPDATE u SET v = 'u1+' WHERE id = 1");
  db.Exec("TRUNCATE TABLE u");
  db.Exec("TRUNCATE TABLE t");
  db.Exec("INSERT INTO t VALUES (1, 'new1')");
  db.Exec("INSERT INTO u VALUES (3, 'u3')");
  db.Exec("UPDATE t SET v = 'new1+' WHERE id = 1");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(target.Rows("SELECT id, v FROM t ORDER BY id"), (std::vector<std::string>{"1|new1+"}));
  EXPECT_EQ(target.Rows("SELECT id, v FROM u ORDER BY id"), (std::vector<std::string>{"3|u3"}));

  WriteJob(db, target, tables + ", truncate: ignore", "{batch_rows: 2}");
  db.Exec("TRUNCATE TABLE u");
  db.Exec("INSERT INTO t VALUES (2, 'new2')");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_NE(Log("run.log.err").find(db.name() + ".u was truncated at the source; ignored"),
            std::string::npos)
      << Log("run.log.err");
  EXPECT_EQ(target.Rows("SELECT id, v FROM u ORDER BY id"), (std::vector<std::string>{"3|u3"}));
  EXPECT_EQ(target.Rows("SELECT id, v FROM t ORDER BY id"),
            db.Rows("SELECT id, v FROM t ORDER BY id"));
}

// kill -9 while transactions and TRUNCATEs stream: each restart reads on from the last
// checkpoint, and the target ends equal to the source.
TEST_F(TruncateRunTest, TruncatesUnderKillNineConverge) {
  TestDatabase db;
  TestDatabase target;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))");
  WriteJob(db, target, ", truncate: apply", "{batch_rows: 7, checkpoint: {rows: 20}}");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  std::thread load([&] {
    TestDatabase& w = db;  // the main thread does not use db until the join
    for (int t = 0; t < 240; ++t) {
      const int a = 3 * t + 1;
      w.Exec("BEGIN");
      w.Exec(fmt::format("INSERT INTO t VALUES ({}, 'new'), ({}, 'new')", a, a + 1));
      w.Exec(fmt::format("UPDATE t SET v = 'updated' WHERE id = {}", a));
      w.Exec(fmt::format("DELETE FROM t WHERE id = {}", a + 1));
      w.Exec("COMMIT");
      if (t % 40 == 25) w.Exec("TRUNCATE TABLE t");
      // Spread over the three live runs and their kills.
      if (t % 5 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(30));
    }
  });
  KillLiveRuns();
  load.join();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  // Transactions 226 to 239 after the last TRUNCATE.
  EXPECT_EQ(db.Rows("SELECT count(*) FROM t"), (std::vector<std::string>{"14"}));
  EXPECT_EQ(target.Rows("SELECT id, v FROM t ORDER BY id"),
            db.Rows("SELECT id, v FROM t ORDER BY id"));
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream
