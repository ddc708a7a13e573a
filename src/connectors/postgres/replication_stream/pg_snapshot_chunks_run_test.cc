// The initial snapshot of a large PostgreSQL table committed in chunks of its key
// (core/snapshot_chunks.h), end to end with the real binary: kill -9 in the middle of the
// snapshot leaves a key prefix of the table committed; changes land on both sides of that
// prefix meanwhile; the next run brings the committed keys up to a temporary slot's point,
// reads the rest of the table as of that point, streams on, and ends equal to the source
// without reading the table whole again.
#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

#include "connectors/postgres/replication_stream/pg_run_fixture.h"

namespace sluice::postgres::replication_stream {
namespace {

using postgres::testing::DbUrl;

constexpr int kRows = 20000;

class PgSnapshotChunksRunTest : public testing::PgRunTest {
 protected:
  void SetUp() override {
    PgRunTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    db_->Exec("DROP TABLE IF EXISTS sc_src, sc_other; DROP SCHEMA IF EXISTS sc_ods CASCADE");
    db_->Exec("CREATE SCHEMA sc_ods");
    db_->Exec("CREATE TABLE sc_src (id bigint PRIMARY KEY, v text)");
    db_->Exec(
        fmt::format("INSERT INTO sc_src SELECT g, 'v' || g FROM generate_series(1, {}) g", kRows));
    db_->Exec("ANALYZE sc_src");  // the row estimate the chunks are sized by
    // About 1,000 rows a chunk, read 500 at a time at 2,000 rows a second (after a first
    // second's burst): the snapshot takes seconds, time to kill it in the middle.
    WriteJob("table: public.sc_src", "table: sc_ods.t, write_mode: upsert, key: [id]");
  }

  void WriteJob(const std::string& source_tables, const std::string& target_tables,
                int rows_per_second = 2000) {
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: {}\nmode: realtime\n"
        "source: {{type: postgres, url: \"{}\", {}, snapshot_chunk_rows: 1000}}\n"
        "target: {{type: postgres, url: \"{}\", {}}}\n"
        "settings: {{batch_rows: 500, checkpoint: {{rows: 500}}, rate_limit: "
        "{{rows_per_second: {}}}}}\n",
        job_, DbUrl(), source_tables, DbUrl(), target_tables, rows_per_second);
  }
  // The job without its rate limit: the runs that finish the snapshot take no longer than
  // they must.
  void FullSpeed() {
    std::string job = Log("job.yaml");
    job.replace(job.find("rows_per_second: 2000"), 21, "rows_per_second: 0");
    std::ofstream(dir_ / "job.yaml") << job;
  }

  bool Exists(const std::string& table) {
    return db_->Value(fmt::format("SELECT to_regclass('{}') IS NOT NULL", table)) == "t";
  }
  int64_t TargetCount(const std::string& table = "sc_ods.t") {
    return Exists(table) ? std::stoll(db_->Value("SELECT count(*) FROM " + table)) : 0;
  }

  // A live run killed with -9 once the target table holds more than `rows` rows.
  void KillOnceTheTargetHolds(int64_t rows, const std::string& table = "sc_ods.t") {
    const pid_t pid = Spawn({"run", "job.yaml"}, "live.log");
    EXPECT_TRUE(Eventually([&] { return TargetCount(table) > rows; })) << Log("live.log.err");
    kill(pid, SIGKILL);
    Wait(pid);
    SettleAfterKill();
  }
  // A COMMIT the killed run sent a moment before may still complete at the server.
  static void SettleAfterKill() { std::this_thread::sleep_for(std::chrono::milliseconds(300)); }

  // Changes on both sides of any committed prefix: updates, deletes, an insert past the
  // table's end, a key move from the end to below the start and one from the start to past
  // the end, and one key changed twice in one transaction.
  void ChangeBothSides(int round, const std::string& table = "sc_src") {
    ChangeBothSidesOn(*db_, round, table);
  }
  static void ChangeBothSidesOn(postgres::testing::RawConn& db, int round,
                                const std::string& table) {
    db.Exec(fmt::format("UPDATE {} SET v = 'low{}' WHERE id = {}", table, round, 10 + round));
    db.Exec(fmt::format("UPDATE {} SET v = 'high{}' WHERE id = {}", table, round, 15000 + round));
    db.Exec(fmt::format("DELETE FROM {} WHERE id IN ({}, {})", table, 20 + round, 16000 + round));
    db.Exec(fmt::format("INSERT INTO {} VALUES ({}, 'new')", table, 30000 + round));
    db.Exec(fmt::format("UPDATE {} SET id = {} WHERE id = {}", table, -1 - round, 17000 + round));
    db.Exec(fmt::format("UPDATE {} SET id = {}, v = 'moved up' WHERE id = {}", table, 40000 + round,
                        100 + round));
    db.Exec(fmt::format(
        "BEGIN; UPDATE {0} SET v = 'once' WHERE id = {1}; UPDATE {0} SET v = 'twice' WHERE id = "
        "{1}; UPDATE {0} SET v = 'first' WHERE id = {2}; UPDATE {0} SET v = 'second' WHERE id = "
        "{2}; COMMIT",
        table, 200 + round, 18000 + round));
  }

  std::vector<std::vector<std::string>> Rows(const std::string& table) {
    return db_->Rows("SELECT id, v FROM " + table + " ORDER BY id");
  }
};

TEST_F(PgSnapshotChunksRunTest, KilledMidSnapshotReadsOnFromTheLastChunkAndConverges) {
  KillOnceTheTargetHolds(3000);
  // Committed in chunks in key order: the target holds the keys 1..n and nothing past them.
  const int64_t first = TargetCount();
  EXPECT_LT(first, kRows);
  EXPECT_EQ(db_->Value("SELECT min(id) || '|' || max(id) FROM sc_ods.t"),
            fmt::format("1|{}", first));
  ChangeBothSides(0);

  // Cut again while reading on: the snapshot reads from the marker, not from the start.
  KillOnceTheTargetHolds(first + 2000);
  EXPECT_NE(Log("live.log.err")
                .find("the snapshot was cut short after committing the keys below id " +
                      std::to_string(first + 1)),
            std::string::npos)
      << Log("live.log.err");
  EXPECT_LT(TargetCount(), kRows - 3000);  // cut in the middle again
  ChangeBothSides(1);

  FullSpeed();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up", "--json"}), 0) << Log("run.log.err");
  EXPECT_EQ(Rows("sc_ods.t"), Rows("sc_src"));
  const nlohmann::json summary = nlohmann::json::parse(Log("run.log"));
  EXPECT_LT(summary["rows_read"].get<int64_t>(), kRows - first) << summary.dump();
  // No temporary slot outlives its run.
  EXPECT_EQ(db_->Value(fmt::format("SELECT count(*) FROM pg_replication_slots WHERE slot_name "
                                   "LIKE '{}%' AND slot_name <> '{}'",
                                   DefaultSlotName(job_), DefaultSlotName(job_))),
            "0");
  // The snapshot is done; a run after it reads only changes.
  ChangeBothSides(2);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up", "--json"}), 0) << Log("run.log.err");
  EXPECT_EQ(Rows("sc_ods.t"), Rows("sc_src"));
  EXPECT_LT(nlohmann::json::parse(Log("run.log"))["rows_read"].get<int64_t>(), 30);
}

// Writes go on while the killed runs read the snapshot and while the next run reads the rest:
// whatever commits between the cut, the temporary slot's point and the end converges.
TEST_F(PgSnapshotChunksRunTest, ChangesDuringTheRestReadConverge) {
  KillOnceTheTargetHolds(3000);
  std::atomic<bool> stop = false;
  std::thread load([&] {
    postgres::testing::RawConn w(DbUrl());
    for (int round = 10; !stop; ++round) {
      ChangeBothSidesOn(w, round, "sc_src");
      w.Exec(fmt::format("UPDATE sc_src SET v = 'load{}' WHERE id = {}", round, 3 * round));
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  KillOnceTheTargetHolds(TargetCount() + 1500);
  // A backlog of changes while no run reads: the next run's stream is still busy with them
  // when it reaches the temporary slot's point, and transactions after the point follow.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  FullSpeed();
  const pid_t pid = Spawn({"run", "job.yaml"}, "live.log");
  EXPECT_TRUE(WaitForLog("live.log.err", "the rest of the cut snapshot is read"))
      << Log("live.log.err");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // changes after the rest too
  stop = true;
  load.join();
  kill(pid, SIGTERM);
  EXPECT_EQ(Wait(pid, std::chrono::seconds(20)), 0) << Log("live.log.err");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(Rows("sc_ods.t"), Rows("sc_src"));
}

// SIGTERM in the middle of a chunk: the rows since the last chunk's end are rolled back, the
// chunks before it stay, the run exits 0, and the next run reads on from there.
TEST_F(PgSnapshotChunksRunTest, SigtermMidSnapshotKeepsTheChunksCommittedAndExitsZero) {
  const pid_t pid = Spawn({"run", "job.yaml"}, "live.log");
  EXPECT_TRUE(Eventually([&] { return TargetCount() > 3000; })) << Log("live.log.err");
  kill(pid, SIGTERM);
  EXPECT_EQ(Wait(pid, std::chrono::seconds(10)), 0) << Log("live.log.err");
  const int64_t kept = TargetCount();
  EXPECT_LT(kept, kRows);
  EXPECT_EQ(db_->Value("SELECT min(id) || '|' || max(id) FROM sc_ods.t"),
            fmt::format("1|{}", kept));
  ChangeBothSides(0);
  FullSpeed();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(Rows("sc_ods.t"), Rows("sc_src"));
}

// An append target cannot take rows twice: the snapshot stays one transaction there, and a kill
// in it leaves nothing.
TEST_F(PgSnapshotChunksRunTest, AnAppendTargetKeepsTheSnapshotInOneTransaction) {
  WriteJob("table: public.sc_src", "table: sc_ods.t, write_mode: append");
  const pid_t pid = Spawn({"run", "job.yaml"}, "live.log");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(TargetCount(), 0);
  kill(pid, SIGKILL);
  Wait(pid);
  FullSpeed();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(TargetCount(), kRows);
}

// Large values an update leaves alone arrive as "unchanged" (TOAST): the target must hold the
// row to keep its value. After a cut, an update of a row past the committed keys (then
// deleted before the rest is read) is not applied there (no row to take the value from, which
// would stop the job): the rest read brings such rows as they are at its point. Rows below
// the cut keep their large values through the same kind of update.
TEST_F(PgSnapshotChunksRunTest, UnchangedLargeValuesOnBothSidesOfTheCut) {
  db_->Exec(
      "DROP TABLE IF EXISTS sc_toast; CREATE TABLE sc_toast (id bigint PRIMARY KEY, n int, big "
      "text); ALTER TABLE sc_toast ALTER COLUMN big SET STORAGE EXTERNAL; INSERT INTO sc_toast "
      "SELECT g, g, repeat(md5(g::text), 80) FROM generate_series(1, 2000) g; ANALYZE sc_toast");
  std::ofstream(dir_ / "job.yaml") << fmt::format(
      "name: {}\nmode: realtime\n"
      "source: {{type: postgres, url: \"{}\", table: public.sc_toast, snapshot_chunk_rows: 100}}\n"
      "target: {{type: postgres, url: \"{}\", table: sc_ods.toast, write_mode: upsert, key: "
      "[id]}}\n"
      "settings: {{batch_rows: 100, checkpoint: {{rows: 100}}, rate_limit: {{rows_per_second: "
      "500}}}}\n",
      job_, DbUrl(), DbUrl());
  KillOnceTheTargetHolds(300, "sc_ods.toast");
  const int64_t cut = TargetCount("sc_ods.toast");
  ASSERT_LT(cut, 1400);
  db_->Exec("UPDATE sc_toast SET n = -n WHERE id IN (5, 1500, 1600)");
  db_->Exec("DELETE FROM sc_toast WHERE id = 1500");
  db_->Exec("UPDATE sc_toast SET n = 7 WHERE id = 1600");
  std::string job = Log("job.yaml");
  job.replace(job.find("rows_per_second: 500"), 20, "rows_per_second: 0");
  std::ofstream(dir_ / "job.yaml") << job;
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  const auto rows = [&](const std::string& table) {
    return db_->Rows("SELECT id, n, md5(big) FROM " + table + " ORDER BY id");
  };
  EXPECT_EQ(rows("sc_ods.toast"), rows("sc_toast"));
  EXPECT_EQ(db_->Value("SELECT n || '|' || length(big) FROM sc_ods.toast WHERE id = 5"), "-5|2560");
  db_->Exec("DROP TABLE sc_toast");
}

// A key of two columns is cut on its first: the rows of one first-key value stay together,
// and the committed prefix is every row below the marker's value.
TEST_F(PgSnapshotChunksRunTest, ACompositeKeyIsCutOnItsFirstColumn) {
  db_->Exec(
      "DROP TABLE IF EXISTS sc_pair; CREATE TABLE sc_pair (a int, b int, v text, PRIMARY KEY (a, "
      "b)); INSERT INTO sc_pair SELECT g / 3, g % 3, 'p' || g FROM generate_series(0, 5999) g; "
      "ANALYZE sc_pair");
  std::ofstream(dir_ / "job.yaml") << fmt::format(
      "name: {}\nmode: realtime\n"
      "source: {{type: postgres, url: \"{}\", table: public.sc_pair, snapshot_chunk_rows: 300}}\n"
      "target: {{type: postgres, url: \"{}\", table: sc_ods.pair, write_mode: upsert, key: [a, "
      "b]}}\n"
      "settings: {{batch_rows: 100, checkpoint: {{rows: 100}}, rate_limit: {{rows_per_second: "
      "1000}}}}\n",
      job_, DbUrl(), DbUrl());
  KillOnceTheTargetHolds(1000, "sc_ods.pair");
  const std::string held = db_->Value("SELECT count(*) || '|' || max(a) FROM sc_ods.pair");
  const int64_t rows = std::stoll(held.substr(0, held.find('|')));
  const int64_t top = std::stoll(held.substr(held.find('|') + 1));
  ASSERT_LT(top, 1900);
  EXPECT_EQ(rows, 3 * (top + 1)) << held;  // whole groups of a, from 0 up
  db_->Exec(
      "UPDATE sc_pair SET v = 'low' WHERE a = 1; UPDATE sc_pair SET v = 'high' WHERE a = "
      "1950; DELETE FROM sc_pair WHERE a IN (2, 1960) AND b = 1; "
      "UPDATE sc_pair SET a = 5000 WHERE a = 3 AND b = 2; "
      "UPDATE sc_pair SET a = -7 WHERE a = 1970 AND b = 0");
  std::string job = Log("job.yaml");
  job.replace(job.find("rows_per_second: 1000"), 21, "rows_per_second: 0");
  std::ofstream(dir_ / "job.yaml") << job;
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  const std::string order = " ORDER BY a, b";
  EXPECT_EQ(db_->Rows("SELECT a, b, v FROM sc_ods.pair" + order),
            db_->Rows("SELECT a, b, v FROM sc_pair" + order));
  db_->Exec("DROP TABLE sc_pair");
}

// A column added at the source between the cut and the restart: the changes before it keep
// the old shape, the target gains it, and the rest is read with it.
TEST_F(PgSnapshotChunksRunTest, AColumnAddedAfterTheCut) {
  KillOnceTheTargetHolds(3000);
  const int64_t first = TargetCount();
  db_->Exec(fmt::format("UPDATE sc_src SET v = 'before' WHERE id IN (7, {})", first + 500));
  db_->Exec("ALTER TABLE sc_src ADD COLUMN c int DEFAULT 5");
  db_->Exec(fmt::format("UPDATE sc_src SET c = 6 WHERE id IN (8, {})", first + 600));
  db_->Exec("INSERT INTO sc_src VALUES (50000, 'after', 9)");
  FullSpeed();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  const std::string rows = "SELECT id, v, c FROM {} ORDER BY id";
  EXPECT_EQ(db_->Rows(fmt::format(fmt::runtime(rows), "sc_ods.t")),
            db_->Rows(fmt::format(fmt::runtime(rows), "sc_src")));
}

// A key that is not an integer cannot be cut into ranges: the snapshot stays one transaction,
// and the log says so for a table larger than a chunk.
TEST_F(PgSnapshotChunksRunTest, ATextKeySnapshotsWholeAndSaysSo) {
  db_->Exec(
      "DROP TABLE IF EXISTS sc_text; CREATE TABLE sc_text (code text PRIMARY KEY, v int); "
      "INSERT INTO sc_text SELECT 'k' || g, g FROM generate_series(1, 500) g; ANALYZE sc_text");
  std::ofstream(dir_ / "job.yaml") << fmt::format(
      "name: {}\nmode: realtime\n"
      "source: {{type: postgres, url: \"{}\", table: public.sc_text, snapshot_chunk_rows: 100}}\n"
      "target: {{type: postgres, url: \"{}\", table: sc_ods.text_t, write_mode: upsert, key: "
      "[code]}}\n",
      job_, DbUrl(), DbUrl());
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_NE(Log("run.log.err")
                .find("public.sc_text: about 500 rows are snapshotted in one target transaction, "
                      "not in chunks: its key (code) does not start with an integer column"),
            std::string::npos)
      << Log("run.log.err");
  EXPECT_EQ(TargetCount("sc_ods.text_t"), 500);
  db_->Exec("DROP TABLE sc_text");
}

// Several tables through one slot: each commits its chunks with its own marker; a kill in the
// second table's snapshot keeps the first whole and the second's prefix, and the next run
// reads only the second's rest.
TEST_F(PgSnapshotChunksRunTest, TablesPatternResumesTheCutTable) {
  db_->Exec("CREATE TABLE sc_other (id bigint PRIMARY KEY, v text)");
  db_->Exec(
      fmt::format("INSERT INTO sc_other SELECT g, 'o' || g FROM generate_series(1, {}) g", kRows));
  db_->Exec("ANALYZE sc_other");
  WriteJob("tables: [\"public.sc_*\"]",
           "table: \"sc_ods.${table}\", write_mode: upsert, key: [id]");
  // One table read whole, the other one cut in its middle.
  const pid_t pid = Spawn({"run", "job.yaml"}, "live.log");
  EXPECT_TRUE(Eventually([&] {
    return TargetCount("sc_ods.sc_src") + TargetCount("sc_ods.sc_other") > kRows + 2000;
  })) << Log("live.log.err");
  kill(pid, SIGKILL);
  Wait(pid);
  SettleAfterKill();
  const int64_t src = TargetCount("sc_ods.sc_src"), other = TargetCount("sc_ods.sc_other");
  const int64_t first = std::min(src, other);
  EXPECT_EQ(std::max(src, other), kRows);
  EXPECT_LT(first, kRows);
  ChangeBothSides(0, "sc_src");
  ChangeBothSides(0, "sc_other");
  FullSpeed();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up", "--json"}), 0) << Log("run.log.err");
  EXPECT_EQ(Rows("sc_ods.sc_src"), Rows("sc_src"));
  EXPECT_EQ(Rows("sc_ods.sc_other"), Rows("sc_other"));
  const nlohmann::json summary = nlohmann::json::parse(Log("run.log"));
  EXPECT_LT(summary["rows_read"].get<int64_t>(), kRows - first + 100) << summary.dump();
}

}  // namespace
}  // namespace sluice::postgres::replication_stream
