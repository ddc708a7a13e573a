// The initial snapshot of a large table committed in chunks of its key (snapshot_chunks.h),
// end to end with the real binary: kill -9 in the middle of the snapshot leaves a key prefix
// of the table committed, changes made before and after that prefix meanwhile, and the next
// runs read on from the first key not written, apply the changes since the snapshot's
// position over those rows, and end equal to the source, without reading the table whole
// again.
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "connectors/mysql/binlog_stream/binlog_run_fixture.h"

namespace sluice::mysql::binlog_stream {
namespace {

using testing::TestDatabase;

constexpr int kRows = 20000;

class SnapshotChunksRunTest : public testing::RunFixture {
 protected:
  void SetUp() override {
    RunFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    db_ = std::make_unique<TestDatabase>();
    db_->Exec("CREATE TABLE t (id BIGINT PRIMARY KEY, v VARCHAR(40))");
    for (int from = 1; from <= kRows; from += 1000) {
      std::string sql = "INSERT INTO t VALUES ";
      for (int id = from; id < from + 1000; ++id) {
        sql += fmt::format("{}({}, 'v{}')", id == from ? "" : ",", id, id);
      }
      db_->Exec(sql);
    }
    db_->Exec("ANALYZE TABLE t");  // the row estimate the chunks are sized by
    // About 1,000 rows a chunk, read 500 at a time at 2,000 rows a second (after a first
    // second's burst): the snapshot takes seconds, time to kill it in the middle.
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: chunks_{}\nmode: realtime\n"
        "source: {{type: mysql, url: \"{}\", table: {}.t, snapshot_chunk_rows: 1000}}\n"
        "target: {{type: sqlite, path: out.db, table: t, write_mode: upsert, key: [id]}}\n"
        "settings: {{batch_rows: 500, checkpoint: {{rows: 500}}, rate_limit: {{rows_per_second: "
        "2000}}}}\n",
        db_->name(), db_->Url(), db_->name());
  }

  // The target's answer to `sql` (one row), fields joined by '|'; "" while it cannot be read.
  std::string TargetValue(const std::string& sql) {
    sqlite3* h = nullptr;
    std::string out;
    if (sqlite3_open_v2((dir_ / "out.db").c_str(), &h, SQLITE_OPEN_READONLY, nullptr) ==
        SQLITE_OK) {
      sqlite3_busy_timeout(h, 2000);
      sqlite3_stmt* st = nullptr;
      if (sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
          sqlite3_step(st) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(st); ++i) {
          const unsigned char* text = sqlite3_column_text(st, i);
          out += (i ? "|" : "") + std::string(text ? reinterpret_cast<const char*>(text) : "NULL");
        }
      }
      sqlite3_finalize(st);
    }
    sqlite3_close(h);
    return out;
  }
  int64_t TargetCount() {
    const std::string n = TargetValue("SELECT count(*) FROM t");
    return n.empty() ? 0 : std::stoll(n);
  }
  std::vector<std::string> TargetRows() { return SqliteTargetRows(); }

  // The job without its rate limit: the runs that finish the snapshot take no longer than
  // they must.
  void FullSpeed() {
    std::string job = Log("job.yaml");
    job.replace(job.find("rows_per_second: 2000"), 21, "rows_per_second: 0");
    std::ofstream(dir_ / "job.yaml") << job;
  }

  // A live run killed with -9 once the target holds more than `rows` rows.
  void KillOnceTheTargetHolds(int64_t rows) {
    const pid_t pid = Spawn({"run", "job.yaml"}, "live.log");
    EXPECT_TRUE(Eventually([&] { return TargetCount() > rows; })) << Log("live.log.err");
    kill(pid, SIGKILL);
    Wait(pid);
  }

  // Changes on both sides of any committed prefix: updates, deletes, an insert past the
  // table's end and a key move from the end to the start.
  void ChangeBothSides(int round) {
    db_->Exec(fmt::format("UPDATE t SET v = 'low{}' WHERE id = {}", round, 10 + round));
    db_->Exec(fmt::format("UPDATE t SET v = 'high{}' WHERE id = {}", round, 15000 + round));
    db_->Exec(fmt::format("DELETE FROM t WHERE id IN ({}, {})", 20 + round, 16000 + round));
    db_->Exec(fmt::format("INSERT INTO t VALUES ({}, 'new')", 30000 + round));
    db_->Exec(fmt::format("UPDATE t SET id = {} WHERE id = {}", -1 - round, 17000 + round));
    db_->Exec(fmt::format("UPDATE t SET id = {}, v = 'moved up' WHERE id = {}", 40000 + round,
                          100 + round));
  }

  std::unique_ptr<TestDatabase> db_;
};

TEST_F(SnapshotChunksRunTest, KilledMidSnapshotReadsOnFromTheLastChunkAndConverges) {
  KillOnceTheTargetHolds(3000);
  // Committed in chunks in key order: the target holds the keys 1..n and nothing past them.
  const int64_t first = TargetCount();
  EXPECT_LT(first, kRows);
  EXPECT_EQ(TargetValue("SELECT min(id), max(id) FROM t"), fmt::format("1|{}", first));
  ChangeBothSides(0);

  // Cut again while reading on: the snapshot reads from the marker, not from the start.
  KillOnceTheTargetHolds(first + 2000);
  EXPECT_NE(Log("live.log.err")
                .find("the snapshot was cut short after committing the keys below "
                      "id " +
                      std::to_string(first + 1)),
            std::string::npos)
      << Log("live.log.err");
  EXPECT_LT(TargetCount(), kRows - 3000);  // cut in the middle again
  ChangeBothSides(1);

  FullSpeed();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up", "--json"}), 0) << Log("run.log.err");
  EXPECT_EQ(TargetRows(), db_->Rows("SELECT id, v FROM t ORDER BY id"));
  const nlohmann::json summary = nlohmann::json::parse(Log("run.log"));
  EXPECT_LT(summary["rows_read"].get<int64_t>(), kRows - first) << summary.dump();
  // The marker says the snapshot is done; a run after it reads only changes.
  EXPECT_EQ(TargetValue("SELECT position FROM _sluice_positions WHERE stream = 'snapshot'"), "");
  ChangeBothSides(2);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up", "--json"}), 0) << Log("run.log.err");
  EXPECT_EQ(TargetRows(), db_->Rows("SELECT id, v FROM t ORDER BY id"));
  EXPECT_LT(nlohmann::json::parse(Log("run.log"))["rows_read"].get<int64_t>(), 20);
}

// A column added at the source between the cut and the restart: the rest is read with it,
// the changes before it keep the old shape, and the target gains it.
TEST_F(SnapshotChunksRunTest, AColumnAddedAfterTheCut) {
  KillOnceTheTargetHolds(3000);
  const int64_t first = TargetCount();
  db_->Exec(fmt::format("UPDATE t SET v = 'before' WHERE id IN (7, {})", first + 500));
  db_->Exec("ALTER TABLE t ADD COLUMN c INT DEFAULT 5");
  db_->Exec(fmt::format("UPDATE t SET c = 6 WHERE id IN (8, {})", first + 600));
  db_->Exec("INSERT INTO t VALUES (50000, 'after', 9)");
  FullSpeed();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  const std::string target = TargetValue(
      "SELECT group_concat(id || '|' || v || '|' || coalesce(c, 'NULL'), ',') FROM (SELECT * "
      "FROM t ORDER BY id)");
  EXPECT_EQ(target, db_->Value("SELECT GROUP_CONCAT(CONCAT(id, '|', v, '|', COALESCE(c, 'NULL')) "
                               "ORDER BY id SEPARATOR ',') FROM t"));
  EXPECT_NE(target.find("|6,"), std::string::npos);  // the column's values arrived
}

// A key that is not an integer cannot be cut into ranges: the snapshot stays one transaction,
// and the log says so for a table larger than a chunk.
TEST_F(SnapshotChunksRunTest, ATextKeySnapshotsWholeAndSaysSo) {
  db_->Exec("CREATE TABLE txt (code VARCHAR(20) PRIMARY KEY, v INT)");
  db_->Exec("INSERT INTO txt SELECT CONCAT('k', seq), seq FROM seq_1_to_5000");
  db_->Exec("ANALYZE TABLE txt");
  std::string job = Log("job.yaml");
  job.replace(job.find(".t, "), 4, ".txt, ");
  job.replace(job.find("key: [id]"), 9, "key: [code]");
  job.replace(job.find("rows_per_second: 2000"), 21, "rows_per_second: 0");
  std::ofstream(dir_ / "job.yaml") << job;
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_NE(Log("run.log.err").find(".txt: about 5" /* InnoDB's estimate: near 5000 */),
            std::string::npos)
      << Log("run.log.err");
  EXPECT_NE(Log("run.log.err")
                .find("rows are snapshotted in one target transaction, not in chunks: its key "
                      "(code) does not start with an integer column"),
            std::string::npos)
      << Log("run.log.err");
  EXPECT_EQ(TargetCount(), 5000);
}

// SIGTERM in the middle of a chunk: the rows since the last chunk's end are rolled back, the
// chunks before it stay, the run exits 0, and the next run reads on from there.
TEST_F(SnapshotChunksRunTest, SigtermMidSnapshotKeepsTheChunksCommittedAndExitsZero) {
  const pid_t pid = Spawn({"run", "job.yaml"}, "live.log");
  EXPECT_TRUE(Eventually([&] { return TargetCount() > 3000; })) << Log("live.log.err");
  kill(pid, SIGTERM);
  EXPECT_EQ(Wait(pid, std::chrono::seconds(10)), 0) << Log("live.log.err");
  const int64_t kept = TargetCount();
  EXPECT_LT(kept, kRows);
  EXPECT_EQ(TargetValue("SELECT min(id), max(id) FROM t"), fmt::format("1|{}", kept));
  ChangeBothSides(0);
  FullSpeed();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(TargetRows(), db_->Rows("SELECT id, v FROM t ORDER BY id"));
}

// An append target cannot take rows twice: the snapshot stays one transaction there, and a kill
// in it leaves nothing.
TEST_F(SnapshotChunksRunTest, AnAppendTargetKeepsTheSnapshotInOneTransaction) {
  std::string job = Log("job.yaml");
  job.replace(job.find("write_mode: upsert, key: [id]"), 29, "write_mode: append");
  std::ofstream(dir_ / "job.yaml") << job;
  const pid_t pid = Spawn({"run", "job.yaml"}, "live.log");
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  EXPECT_EQ(TargetCount(), 0);
  kill(pid, SIGKILL);
  Wait(pid);
  std::ofstream(dir_ / "job.yaml") << job;
  FullSpeed();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(TargetCount(), kRows);
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream
