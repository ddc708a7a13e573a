// The snapshot of a PostgreSQL `tables:` job commits each table as soon as it is read whole
// (StreamSource::TakeSnapshotTableDone), end to end with the real binary: kill -9 while the
// snapshot reads the later tables leaves the first ones committed whole at the slot's
// consistent point, and the next run snapshots only the others (inside a temporary slot's
// snapshot), then every table converges to its source, changes made meanwhile included.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "connectors/postgres/pg_testing.h"
#include "connectors/postgres/replication_stream/slot_setup.h"
#include "testing/binary_run.h"

namespace sluice::postgres::replication_stream {
namespace {

using postgres::testing::DbUrl;
using postgres::testing::RawConn;

constexpr int kRows = 3000;
const std::vector<std::string> kTables = {"ta", "tb", "tc"};

class PgTablesSnapshotRunTest : public sluice::testing::BinaryRunTest {
 protected:
  void SetUp() override {
    BinaryRunTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    static int counter = 0;
    job_ = fmt::format("pgtsnap_{}_{}", getpid(), counter++);
    src_ = "src_" + job_;
    dst_ = "dst_" + job_;
    db_ = std::make_unique<RawConn>(DbUrl());
    db_->Exec(fmt::format("CREATE SCHEMA {}; CREATE SCHEMA {}", src_, dst_));
    for (const std::string& t : kTables) {
      db_->Exec(fmt::format("CREATE TABLE {}.{} (id int PRIMARY KEY, v text)", src_, t));
      db_->Exec(
          fmt::format("INSERT INTO {0}.{1} SELECT g, '{1}' || g FROM generate_series(1, {2}) g",
                      src_, t, kRows));
    }
  }
  void TearDown() override {
    if (db_) {
      const std::string slot = DefaultSlotName(job_);
      Result<std::string> dropped = DropSlotAndPublication(DbUrl(), slot, slot);
      EXPECT_TRUE(dropped.has_value()) << dropped.error().message();
      db_->Exec(fmt::format("DROP SCHEMA {} CASCADE; DROP SCHEMA {} CASCADE", src_, dst_));
    }
    BinaryRunTest::TearDown();
  }

  // 500 rows a batch at 2,000 rows a second (after a first second's burst): the snapshot of
  // the three tables takes seconds.
  void WriteJob(const std::string& write_mode, int rows_per_second) {
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: {}\nmode: realtime\n"
        "source: {{type: postgres, url: \"{}\", tables: [\"{}.*\"]}}\n"
        "target: {{type: postgres, url: \"{}\", table: \"{}.${{table}}\", {}}}\n"
        "settings: {{batch_rows: 500, checkpoint: {{rows: 500}}, "
        "rate_limit: {{rows_per_second: {}}}}}\n",
        job_, DbUrl(), src_, DbUrl(), dst_, write_mode, rows_per_second);
  }

  std::vector<std::string> Rows(const std::string& schema, const std::string& t) {
    std::vector<std::string> out;
    const std::string name = schema + "." + t;
    if (db_->Value(fmt::format("SELECT to_regclass('{}') IS NOT NULL", name)) != "t") return out;
    for (const auto& row : db_->Rows(fmt::format("SELECT id, v FROM {} ORDER BY id", name))) {
      out.push_back(row[0] + "|" + row[1]);
    }
    return out;
  }

  // A live run killed with -9 once it committed the snapshot of one table: the tables it
  // committed hold their source rows, the others nothing.
  size_t KillAfterTheFirstTable() {
    const pid_t pid = Spawn({"run", "job.yaml"}, "live.log");
    EXPECT_TRUE(WaitForLog("live.log.err", "snapshotted and committed")) << Log("live.log.err");
    kill(pid, SIGKILL);
    Wait(pid);
    size_t committed = 0;
    for (const std::string& t : kTables) {
      const std::vector<std::string> rows = Rows(dst_, t);
      if (Log("live.log.err").find("table " + src_ + "." + t + " snapshotted") !=
          std::string::npos) {
        EXPECT_EQ(rows, Rows(src_, t)) << t;
        ++committed;
      } else {
        EXPECT_TRUE(rows.empty()) << t << ": " << rows.size() << " rows";
      }
    }
    return committed;
  }

  std::string job_, src_, dst_;
  std::unique_ptr<RawConn> db_;
};

TEST_F(PgTablesSnapshotRunTest, KilledMidSnapshotKeepsTheTablesReadWholeAndConverges) {
  WriteJob("write_mode: upsert, key: [id]", 2000);
  const size_t committed = KillAfterTheFirstTable();
  ASSERT_GT(committed, 0u);
  ASSERT_LT(committed, kTables.size());
  for (const std::string& t : kTables) {
    db_->Exec(fmt::format("UPDATE {}.{} SET v = 'changed' WHERE id IN (5, 2500)", src_, t));
    db_->Exec(fmt::format("DELETE FROM {}.{} WHERE id IN (6, 2600)", src_, t));
    db_->Exec(fmt::format("INSERT INTO {}.{} VALUES (9000, 'new')", src_, t));
  }
  WriteJob("write_mode: upsert, key: [id]", 0);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up", "--json"}), 0) << Log("run.log.err");
  for (const std::string& t : kTables) EXPECT_EQ(Rows(dst_, t), Rows(src_, t)) << t;
  // The tables committed before the kill were not read again.
  const nlohmann::json summary = nlohmann::json::parse(Log("run.log"));
  EXPECT_LE(summary["rows_read"].get<int64_t>(),
            static_cast<int64_t>((kTables.size() - committed) * kRows + 20))
      << summary.dump();
}

}  // namespace
}  // namespace sluice::postgres::replication_stream
