// The snapshot of a `tables:` job commits each table as soon as it is read whole
// (StreamSource::TakeSnapshotTableDone), end to end with the real binary: kill -9 while the
// snapshot reads the later tables leaves the first ones committed whole, and the next run
// snapshots only the others, then every table converges to its source, changes made
// meanwhile included. Into an append target too: no row is ever read twice.
#include <nlohmann/json.hpp>

#include "connectors/mysql/binlog_stream/binlog_run_fixture.h"
#include "connectors/postgres/pg_testing.h"

namespace sluice::mysql::binlog_stream {
namespace {

using testing::TestDatabase;

constexpr int kRows = 3000;
const std::vector<std::string> kTables = {"ta", "tb", "tc"};

class TablesSnapshotRunTest : public testing::RunFixture {
 protected:
  void SetUp() override {
    RunFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    db_ = std::make_unique<TestDatabase>();
    pg_ = std::make_unique<postgres::testing::RawConn>(postgres::testing::DbUrl());
    schema_ = "ts_" + db_->name();
    pg_->Exec(fmt::format("CREATE SCHEMA \"{}\"", schema_));
    for (const std::string& t : kTables) {
      db_->Exec(fmt::format("CREATE TABLE {} (id INT PRIMARY KEY, v VARCHAR(30))", t));
      for (int from = 1; from <= kRows; from += 1000) {
        std::string sql = fmt::format("INSERT INTO {} VALUES ", t);
        for (int id = from; id < from + 1000; ++id) {
          sql += fmt::format("{}({}, '{}{}')", id == from ? "" : ",", id, t, id);
        }
        db_->Exec(sql);
      }
      db_->Exec(fmt::format("ANALYZE TABLE {}", t));  // the estimate chunks are sized by
    }
  }

  // 500 rows a batch at 2,000 rows a second (after a first second's burst): the snapshot of
  // the three tables takes seconds.
  void TearDown() override {
    if (pg_) pg_->Exec(fmt::format("DROP SCHEMA IF EXISTS \"{}\" CASCADE", schema_));
    RunFixture::TearDown();
  }

  // `source_extra`: more keys of the source section (", key: value").
  void WriteJob(const std::string& write_mode, int rows_per_second,
                const std::string& source_extra = "") {
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: tsnap_{}\nmode: realtime\n"
        "source: {{type: mysql, url: \"{}\", tables: [\"{}.t*\"]{}}}\n"
        "target: {{type: postgres, url: \"{}\", table: \"{}.${{table}}\", {}}}\n"
        "settings: {{batch_rows: 500, checkpoint: {{rows: 500}}, "
        "rate_limit: {{rows_per_second: {}}}}}\n",
        db_->name(), db_->Url(), db_->name(), source_extra, postgres::testing::DbUrl(), schema_,
        write_mode, rows_per_second);
  }

  // Rows of target table `t` as "id|v" by id; empty while the table is missing.
  std::vector<std::string> TargetRows(const std::string& t) {
    std::vector<std::string> out;
    const std::string name = fmt::format("\"{}\".\"{}\"", schema_, t);
    if (pg_->Value(fmt::format("SELECT to_regclass('{}') IS NOT NULL", name)) != "t") return out;
    for (const auto& row : pg_->Rows(fmt::format("SELECT id, v FROM {} ORDER BY id", name))) {
      out.push_back(row[0] + "|" + row[1]);
    }
    return out;
  }
  std::vector<std::string> SourceRows(const std::string& t) {
    return db_->Rows(fmt::format("SELECT id, v FROM {} ORDER BY id", t));
  }

  // A live run killed with -9 once it committed the snapshot of one table; the tables it
  // committed (each whole, as the source had it then) and those it did not (empty).
  std::vector<std::string> KillAfterTheFirstTable() {
    const pid_t pid = Spawn({"run", "job.yaml"}, "live.log");
    EXPECT_TRUE(WaitForLog("live.log.err", "snapshotted and committed")) << Log("live.log.err");
    kill(pid, SIGKILL);
    Wait(pid);
    std::vector<std::string> committed;
    for (const std::string& t : kTables) {
      const std::vector<std::string> rows = TargetRows(t);
      if (Log("live.log.err").find("table " + db_->name() + "." + t + " snapshotted") !=
          std::string::npos) {
        EXPECT_EQ(rows, SourceRows(t)) << t;
        committed.push_back(t);
      } else {
        EXPECT_TRUE(rows.empty()) << t << ": " << rows.size() << " rows";
      }
    }
    return committed;
  }

  void ChangeEveryTable() {
    for (const std::string& t : kTables) {
      db_->Exec(fmt::format("UPDATE {} SET v = 'changed' WHERE id IN (5, 2500)", t));
      db_->Exec(fmt::format("DELETE FROM {} WHERE id IN (6, 2600)", t));
      db_->Exec(fmt::format("INSERT INTO {} VALUES (9000, 'new')", t));
    }
  }

  void CatchUpAndCompare(size_t committed_tables) {
    ASSERT_EQ(Run({"run", "job.yaml", "--catch-up", "--json"}), 0) << Log("run.log.err");
    for (const std::string& t : kTables) EXPECT_EQ(TargetRows(t), SourceRows(t)) << t;
    // The tables committed before the kill were not read again.
    const nlohmann::json summary = nlohmann::json::parse(Log("run.log"));
    EXPECT_LE(summary["rows_read"].get<int64_t>(),
              static_cast<int64_t>((kTables.size() - committed_tables) * kRows + 20))
        << summary.dump();
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<postgres::testing::RawConn> pg_;
  std::string schema_;
};

TEST_F(TablesSnapshotRunTest, KilledMidSnapshotKeepsTheTablesReadWholeIntoUpsert) {
  WriteJob("write_mode: upsert, key: [id]", 2000);
  const std::vector<std::string> committed = KillAfterTheFirstTable();
  ASSERT_FALSE(committed.empty());
  ASSERT_LT(committed.size(), kTables.size());
  ChangeEveryTable();
  WriteJob("write_mode: upsert, key: [id]", 0);
  CatchUpAndCompare(committed.size());
}

TEST_F(TablesSnapshotRunTest, KilledMidSnapshotKeepsTheTablesReadWholeIntoAppend) {
  WriteJob("write_mode: append", 2000);
  const std::vector<std::string> committed = KillAfterTheFirstTable();
  ASSERT_FALSE(committed.empty());
  ASSERT_LT(committed.size(), kTables.size());
  // Inserts only: an append target takes the changes as rows.
  for (const std::string& t : kTables) {
    db_->Exec(fmt::format("INSERT INTO {} VALUES (9000, 'new'), (9001, 'new')", t));
  }
  WriteJob("write_mode: append", 0);
  CatchUpAndCompare(committed.size());
}

// Chunks too (snapshot_chunks.h): killed in the middle of a table, that table holds a prefix
// of its keys, the tables before it whole, the ones after it nothing; the next run reads on
// from the first key not written in that table and snapshots the others.
TEST_F(TablesSnapshotRunTest, KilledInATablesChunksReadsOnFromTheLastOne) {
  WriteJob("write_mode: upsert, key: [id]", 2000, ", snapshot_chunk_rows: 500");
  const pid_t pid = Spawn({"run", "job.yaml"}, "live.log");
  // Once the first table is whole and the second holds a chunk or more.
  std::string partial;
  EXPECT_TRUE(Eventually([&] {
    for (const std::string& t : kTables) {
      const size_t n = TargetRows(t).size();
      if (n > 0 && n < static_cast<size_t>(kRows)) partial = t;
    }
    return !partial.empty() && partial != kTables.front();
  })) << Log("live.log.err");
  kill(pid, SIGKILL);
  Wait(pid);
  size_t done_rows = 0;
  for (const std::string& t : kTables) {
    const std::vector<std::string> rows = TargetRows(t);
    done_rows += rows.size();
    if (rows.empty() || rows.size() == static_cast<size_t>(kRows)) continue;
    // A key prefix: ids 1..n.
    EXPECT_EQ(rows.front(), fmt::format("1|{}1", t));
    EXPECT_EQ(rows.back(), fmt::format("{}|{}{}", rows.size(), t, rows.size())) << t;
  }
  ChangeEveryTable();
  WriteJob("write_mode: upsert, key: [id]", 0, ", snapshot_chunk_rows: 500");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up", "--json"}), 0) << Log("run.log.err");
  for (const std::string& t : kTables) EXPECT_EQ(TargetRows(t), SourceRows(t)) << t;
  EXPECT_NE(Log("run.log.err").find("the snapshot was cut short after committing the keys below"),
            std::string::npos)
      << Log("run.log.err");
  const nlohmann::json summary = nlohmann::json::parse(Log("run.log"));
  EXPECT_LE(summary["rows_read"].get<int64_t>(),
            static_cast<int64_t>(kTables.size() * kRows - done_rows + 20))
      << summary.dump();
  for (const std::string& t : kTables) {
    // Every table was read in chunks, so each committed a marker; each says done now.
    const std::string marker = pg_->Value(
        fmt::format("SELECT coalesce(max(position), 'none') FROM \"{}\"._sluice_positions "
                    "WHERE job LIKE '%{}' AND stream = 'snapshot'",
                    schema_, t));
    EXPECT_EQ(marker, "") << t;
  }
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream
