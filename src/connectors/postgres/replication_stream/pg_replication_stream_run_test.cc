// The real binary (build/sluice, beside this test binary) runs a realtime job from the test
// PostgreSQL into a PostgreSQL upsert table (another schema of the same database): an initial
// snapshot, then inserts, updates (one key twice in a transaction), key moves and deletes
// under three kill -9s; after `run --catch-up` the target equals the source.
#include <sqlite3.h>

#include <chrono>
#include <thread>

#include "connectors/postgres/replication_stream/pg_run_fixture.h"

namespace sluice::postgres::replication_stream {
namespace {

using postgres::testing::DbUrl;
using postgres::testing::RawConn;
using testing::PgRunTest;

TEST_F(PgRunTest, ChangesUnderKillNineConvergeToTheSource) {
  db_->Exec("DROP TABLE IF EXISTS rt_src; DROP SCHEMA IF EXISTS rt_ods CASCADE");
  db_->Exec("CREATE SCHEMA rt_ods");
  db_->Exec("CREATE TABLE rt_src (id int PRIMARY KEY, v text)");
  db_->Exec("INSERT INTO rt_src SELECT g, 'snap' FROM generate_series(1, 2000) g");
  std::ofstream(dir_ / "job.yaml") << fmt::format(
      "name: {}\nmode: realtime\n"
      "source: {{type: postgres, url: \"{}\", table: public.rt_src}}\n"
      "target: {{type: postgres, url: \"{}\", table: rt_ods.t, write_mode: upsert, key: [id]}}\n"
      "settings: {{checkpoint: {{rows: 50}}}}\n",
      job_, DbUrl(), DbUrl());
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(db_->Value("SELECT count(*) FROM rt_ods.t"), "2000");

  constexpr int kTxns = 300;
  std::thread load([&] {
    RawConn w(DbUrl());
    for (int t = 0; t < kTxns; ++t) {
      const int a = 10000 + 4 * t;
      w.Exec(fmt::format(
          "BEGIN; INSERT INTO rt_src VALUES ({0}, 'new'), ({1}, 'new'), ({2}, 'new'); "
          "UPDATE rt_src SET v = 'updated' WHERE id = {0}; "
          "UPDATE rt_src SET v = 'twice' WHERE id = {0}; "
          "UPDATE rt_src SET id = {3} WHERE id = {1}; DELETE FROM rt_src WHERE id = {2}; "
          "UPDATE rt_src SET v = 'old{4}' WHERE id = {5}; COMMIT",
          a, a + 1, a + 2, a + 3, t, 1 + t % 2000));
      if (t % 20 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(40));
    }
  });
  for (int round = 0; round < 3; ++round) {
    const pid_t pid = Spawn({"run", "job.yaml"}, "live.log");
    std::this_thread::sleep_for(std::chrono::milliseconds(700 + 300 * round));
    kill(pid, SIGKILL);
    Wait(pid);
  }
  load.join();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  const auto source = db_->Rows("SELECT id, v FROM rt_src ORDER BY id");
  const auto target = db_->Rows("SELECT id, v FROM rt_ods.t ORDER BY id");
  EXPECT_EQ(source.size(), static_cast<size_t>(2000 + 2 * kTxns));
  EXPECT_TRUE(source == target) << "source " << source.size() << " rows, target " << target.size();

  // The CLI drops the job's slot and publication.
  ASSERT_EQ(Run({"state", "drop-slot", job_, "--job", "job.yaml"}), 0) << Log("run.log.err");
  EXPECT_NE(Log("run.log").find("dropped replication slot sluice_" + job_), std::string::npos)
      << Log("run.log");
  EXPECT_EQ(db_->Value(fmt::format(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'sluice_{}'", job_)),
            "0");
}

// The same kinds of changes into a SQLite upsert table, with one kill -9.
TEST_F(PgRunTest, IntoSqliteUpsertEqualsTheSource) {
  db_->Exec("DROP TABLE IF EXISTS rt_lite");
  db_->Exec("CREATE TABLE rt_lite (id int PRIMARY KEY, v text)");
  db_->Exec("INSERT INTO rt_lite SELECT g, 'snap' FROM generate_series(1, 500) g");
  std::ofstream(dir_ / "job.yaml") << fmt::format(
      "name: {}\nmode: realtime\n"
      "source: {{type: postgres, url: \"{}\", table: public.rt_lite}}\n"
      "target: {{type: sqlite, path: out.db, table: t, write_mode: upsert, key: [id]}}\n"
      "settings: {{checkpoint: {{rows: 30}}}}\n",
      job_, DbUrl());
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  std::thread load([&] {
    RawConn w(DbUrl());
    for (int t = 0; t < 150; ++t) {
      const int a = 10000 + 3 * t;
      w.Exec(fmt::format(
          "BEGIN; INSERT INTO rt_lite VALUES ({0}, 'new'), ({1}, 'new'); "
          "UPDATE rt_lite SET v = 'u' WHERE id = {0}; UPDATE rt_lite SET id = {2} WHERE id = {1}; "
          "DELETE FROM rt_lite WHERE id = {3}; COMMIT",
          a, a + 1, a + 2, 1 + t));
    }
  });
  const pid_t pid = Spawn({"run", "job.yaml"}, "live.log");
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  kill(pid, SIGKILL);
  Wait(pid);
  load.join();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  std::vector<std::string> source;
  for (const auto& row : db_->Rows("SELECT id, v FROM rt_lite ORDER BY id")) {
    source.push_back(row[0] + "|" + row[1]);
  }
  std::vector<std::string> target;
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "out.db").c_str(), &h), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(h, "SELECT id || '|' || v FROM t ORDER BY id", -1, &st, nullptr),
            SQLITE_OK);
  while (sqlite3_step(st) == SQLITE_ROW) {
    target.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  EXPECT_EQ(source.size(), 500u - 150u + 300u);
  EXPECT_EQ(target, source);
}

}  // namespace
}  // namespace sluice::postgres::replication_stream
