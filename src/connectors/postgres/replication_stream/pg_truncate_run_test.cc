// TRUNCATE of a streamed PostgreSQL table, through the real binary. pgoutput sends it as a
// message of its own inside the transaction, between that transaction's rows. The source's
// `truncate` option decides: stop (the default: the job stops naming the table), apply (the
// target's table is emptied at the same point, in the checkpoint's transaction) or ignore.
#include <sqlite3.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "connectors/postgres/replication_stream/pg_run_fixture.h"

namespace sluice::postgres::replication_stream {
namespace {

using postgres::testing::DbUrl;
namespace fs = std::filesystem;
using testing::PgRunTest;

// The rows of a query on SQLite database `path`, each as its two columns.
std::vector<std::vector<std::string>> SqliteRows(const fs::path& path, const char* sql) {
  std::vector<std::vector<std::string>> out;
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(path.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(h, sql, -1, &st, nullptr) == SQLITE_OK) {
      while (sqlite3_step(st) == SQLITE_ROW) {
        out.push_back({reinterpret_cast<const char*>(sqlite3_column_text(st, 0)),
                       reinterpret_cast<const char*>(sqlite3_column_text(st, 1))});
      }
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(h);
  return out;
}

class PgTruncateRunTest : public PgRunTest {
 protected:
  void SetUp() override {
    PgRunTest::SetUp();
    if (IsSkipped()) return;
    schema_ = "tr_" + job_;
    src_ = "tr_src_" + job_;  // tests of this file run at once (ctest)
    db_->Exec(fmt::format("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}", schema_));
    Exec("DROP TABLE IF EXISTS {0}; CREATE TABLE {0} (id int PRIMARY KEY, v text)");
    Exec("INSERT INTO {0} SELECT g, 'v' || g FROM generate_series(1, 5) g");
  }
  void TearDown() override {
    if (db_) {
      db_->Exec(fmt::format("DROP SCHEMA IF EXISTS {} CASCADE", schema_));
      Exec("DROP TABLE IF EXISTS {0}; DROP TABLE IF EXISTS {0}_b");
    }
    PgRunTest::TearDown();
  }
  // `sql` with {0} as the source table.
  void Exec(const std::string& sql) { db_->Exec(fmt::format(fmt::runtime(sql), src_)); }
  // Into `target` (a YAML flow mapping); `source_extra` and `settings` go into their sections.
  void WriteJob(const std::string& source_extra, const std::string& target,
                const std::string& settings = "{}") {
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: {}\nmode: realtime\n"
        "source: {{type: postgres, url: \"{}\", table: public.{}{}}}\n"
        "target: {}\nsettings: {}\n",
        job_, DbUrl(), src_, source_extra, target, settings);
  }
  std::string PgTarget() const {
    return fmt::format("{{type: postgres, url: \"{}\", table: {}.t}}", DbUrl(), schema_);
  }
  std::vector<std::vector<std::string>> Target() {
    return db_->Rows(fmt::format("SELECT id, v FROM {}.t ORDER BY id", schema_));
  }
  std::vector<std::vector<std::string>> Source() {
    return db_->Rows(fmt::format("SELECT id, v FROM {} ORDER BY id", src_));
  }
  std::string schema_;
  std::string src_;
};

TEST_F(PgTruncateRunTest, StopsByDefaultAndAppliesWhenToldTo) {
  WriteJob("", PgTarget());
  ASSERT_EQ(Run({"check", "job.yaml"}), 0) << Log("run.log.err");
  EXPECT_NE(Log("run.log").find("  truncate stop (a TRUNCATE at the source stops the job"),
            std::string::npos)
      << Log("run.log");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  Exec("INSERT INTO {0} VALUES (6, 'before')");
  Exec("TRUNCATE {0}; INSERT INTO {0} VALUES (7, 'after')");
  EXPECT_NE(Run({"run", "job.yaml", "--catch-up"}), 0);
  const std::string err = Log("run.log.err");
  EXPECT_NE(err.find(fmt::format("public.{} was truncated at the source: the job stops", src_)),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("truncate: apply"), std::string::npos) << err;
  // Nothing after the last checkpoint moved: the row before the TRUNCATE is there, or not, as
  // the run committed it, and the row after it is not.
  EXPECT_GE(Target().size(), 5u);
  EXPECT_EQ(db_->Value(fmt::format("SELECT count(*) FROM {}.t WHERE id = 7", schema_)), "0");

  WriteJob(", truncate: apply", PgTarget());
  ASSERT_EQ(Run({"check", "job.yaml"}), 0) << Log("run.log.err");
  EXPECT_NE(Log("run.log").find("  truncate apply (a TRUNCATE at the source empties"),
            std::string::npos)
      << Log("run.log");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_NE(Log("run.log.err").find(fmt::format("public.{} was truncated at the source", src_)),
            std::string::npos)
      << Log("run.log.err");
  EXPECT_NE(Log("run.log").find(" deletes, 1 truncates; lag"), std::string::npos) << Log("run.log");
  EXPECT_EQ(Target(), Source());
  EXPECT_EQ(Target(), (std::vector<std::vector<std::string>>{{"7", "after"}}));
}

// A TRUNCATE between rows of one transaction, with batches of two rows so that rows before it
// share a batch: only what follows it is in the target. Into PostgreSQL and into SQLite.
TEST_F(PgTruncateRunTest, ATruncateBetweenRowsOfATransactionAppliesInOrder) {
  for (const std::string& target :
       {PgTarget(), std::string("{type: sqlite, path: out.db, table: t}")}) {
    SCOPED_TRACE(target);
    const bool sqlite = target.find("sqlite") != std::string::npos;
    const auto target_rows = [&]() {
      return sqlite ? SqliteRows(dir_ / "out.db", "SELECT id, v FROM t ORDER BY id") : Target();
    };
    WriteJob(", truncate: apply", target, "{batch_rows: 2}");
    ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
    Exec(
        "BEGIN; INSERT INTO {0} SELECT g, 'gone' || g FROM generate_series(6, 9) g; UPDATE {0} "
        "SET v = 'gone' WHERE id = 2; TRUNCATE {0}; INSERT INTO {0} VALUES (1, 'n1'), (2, 'n2'), "
        "(3, 'n3'); UPDATE {0} SET v = 'n1+' WHERE id = 1; DELETE FROM {0} WHERE id = 2; COMMIT");
    Exec("INSERT INTO {0} VALUES (10, 'ten')");
    ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
    EXPECT_EQ(target_rows(), Source());
    EXPECT_EQ(target_rows().size(), 3u);
    // A TRUNCATE alone, then one as the last change of a run: each checkpoint holds it.
    Exec("TRUNCATE {0}");
    Exec("INSERT INTO {0} VALUES (11, 'eleven'), (12, 'twelve')");
    Exec("UPDATE {0} SET v = 'x' WHERE id = 11; TRUNCATE {0}");
    ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
    EXPECT_TRUE(target_rows().empty()) << target_rows().size();
    Exec("INSERT INTO {0} VALUES (13, 'thirteen')");
    ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
    EXPECT_EQ(target_rows(), Source());
    EXPECT_EQ(target_rows().size(), 1u);
    // The next target starts from the same source: the source again as it was at the start.
    Exec("TRUNCATE {0}; INSERT INTO {0} SELECT g, 'v' || g FROM generate_series(1, 5) g");
    const std::string slot = DefaultSlotName(job_);
    ASSERT_TRUE(DropSlotAndPublication(DbUrl(), slot, slot).has_value());
    fs::remove(dir_ / "state.db");
  }
}

// A transaction larger than logical_decoding_work_mem is streamed before it commits, its
// TRUNCATE held with its rows; a TRUNCATE in a subtransaction rolled back never happened.
TEST_F(PgTruncateRunTest, StreamedTransactionsHoldTheirTruncate) {
  const std::string dbname = db_->Value("SELECT current_database()");
  db_->Exec("ALTER DATABASE " + dbname + " SET logical_decoding_work_mem = '64kB'");
  WriteJob(", truncate: apply", PgTarget(), "{batch_rows: 500}");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  Exec(
      "BEGIN; INSERT INTO {0} SELECT g, repeat('x', 200) FROM generate_series(100, 3000) g; "
      "SAVEPOINT a; TRUNCATE {0}; INSERT INTO {0} VALUES (1, 'gone'); ROLLBACK TO a; "
      "INSERT INTO {0} SELECT g, 'kept' FROM generate_series(4000, 4100) g; COMMIT");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(Target(), Source());
  EXPECT_EQ(Target().size(), 5u + 2901u + 101u);
  Exec(
      "BEGIN; INSERT INTO {0} SELECT g, repeat('y', 200) FROM generate_series(5000, 8000) g; "
      "TRUNCATE {0}; INSERT INTO {0} SELECT g, 'after' FROM generate_series(1, 3) g; COMMIT");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(Target(), Source());
  EXPECT_EQ(Target().size(), 3u);
  // The TRUNCATE as the last change of a streamed transaction: the transaction ends with it.
  Exec(
      "BEGIN; INSERT INTO {0} SELECT g, repeat('z', 200) FROM generate_series(9000, 12000) g; "
      "TRUNCATE {0}; COMMIT");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db_->Exec("ALTER DATABASE " + dbname + " RESET logical_decoding_work_mem");
  EXPECT_TRUE(Target().empty()) << Target().size();
  // The server did stream them (slot statistics reach the view a little later).
  std::string streamed;
  for (int i = 0; i < 50 && (streamed.empty() || streamed == "0"); ++i) {
    streamed = db_->Value(fmt::format(
        "SELECT coalesce(max(stream_txns), 0) FROM pg_stat_replication_slots WHERE slot_name = "
        "'{}'",
        DefaultSlotName(job_)));
    if (streamed == "0") std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_NE(streamed, "0") << "the server did not stream the transactions";
}

// A job over two tables: one TRUNCATE of both (a single message), then rows of each; and
// truncate: ignore keeps the target's rows.
TEST_F(PgTruncateRunTest, OneTruncateOfTwoTablesOfATablesJob) {
  Exec("CREATE TABLE {0}_b (id int PRIMARY KEY, v text); INSERT INTO {0}_b VALUES (1, 'b1')");
  const auto write = [&](const std::string& policy) {
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: {}\nmode: realtime\n"
        "source: {{type: postgres, url: \"{}\", tables: [\"public.{}*\"], truncate: {}}}\n"
        "target: {{type: postgres, url: \"{}\", table: \"{}.${{table}}\"}}\n"
        "settings: {{batch_rows: 2}}\n",
        job_, DbUrl(), src_, policy, DbUrl(), schema_);
  };
  const auto rows = [&](const std::string& table) {
    return db_->Rows(fmt::format("SELECT id, v FROM {}.{} ORDER BY id", schema_, table));
  };
  write("apply");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  ASSERT_EQ(rows(src_).size(), 5u);
  Exec(
      "BEGIN; INSERT INTO {0} VALUES (6, 'gone'); INSERT INTO {0}_b VALUES (2, 'gone'); "
      "TRUNCATE {0}, {0}_b; INSERT INTO {0}_b VALUES (3, 'b3'); INSERT INTO {0} VALUES (1, "
      "'a1'); COMMIT");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(rows(src_), (std::vector<std::vector<std::string>>{{"1", "a1"}}));
  EXPECT_EQ(rows(src_ + "_b"), (std::vector<std::vector<std::string>>{{"3", "b3"}}));

  write("ignore");
  Exec("TRUNCATE {0}_b; INSERT INTO {0} VALUES (2, 'a2')");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_NE(Log("run.log.err").find("ignored (truncate: ignore)"), std::string::npos)
      << Log("run.log.err");
  EXPECT_EQ(rows(src_ + "_b"), (std::vector<std::vector<std::string>>{{"3", "b3"}}));
  EXPECT_EQ(rows(src_), Source());
}

// Updates that leave a TOASTed value unchanged are staged and filled from the target apart
// from the other rows; a TRUNCATE after them in the same transaction drops them too.
TEST_F(PgTruncateRunTest, StagedUnchangedValuesBeforeATruncateAreDropped) {
  Exec(
      "ALTER TABLE {0} ADD COLUMN big text; UPDATE {0} SET big = (SELECT string_agg(md5(random()"
      "::text || g), '') FROM generate_series(1, 300) g)");
  WriteJob(", truncate: apply", PgTarget());
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  Exec(
      "BEGIN; UPDATE {0} SET v = 'gone' WHERE id IN (1, 2); TRUNCATE {0}; INSERT INTO {0} "
      "VALUES (9, 'nine', 'small'); COMMIT");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(db_->Rows(fmt::format("SELECT id, v, length(big) FROM {}.t ORDER BY id", schema_)),
            (std::vector<std::vector<std::string>>{{"9", "nine", "5"}}));
}

// kill -9 while transactions with TRUNCATEs between their rows stream: each restart reads on
// from the last checkpoint, and the target ends equal to the source.
TEST_F(PgTruncateRunTest, TruncatesUnderKillNineConverge) {
  WriteJob(", truncate: apply", PgTarget(), "{batch_rows: 7, checkpoint: {rows: 20}}");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  constexpr int kTxns = 240;
  std::thread load([&] {
    postgres::testing::RawConn w(DbUrl());
    for (int t = 0; t < kTxns; ++t) {
      const int a = 100 + 3 * t;
      w.Exec(fmt::format(
          fmt::runtime("BEGIN; INSERT INTO {0} VALUES ({1}, 'new'), ({2}, 'new'); UPDATE "
                       "{0} SET v = 'updated' WHERE id = {1}; DELETE FROM {0} WHERE id = "
                       "{2}; {3}INSERT INTO {0} VALUES ({4}, 'late'); COMMIT"),
          src_, a, a + 1, t % 40 == 39 ? fmt::format("TRUNCATE {}; ", src_) : "", a + 2));
      // Spread over the three live runs and their kills.
      if (t % 5 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(30));
    }
  });
  for (int round = 0; round < 3; ++round) {
    const pid_t pid = Spawn({"run", "job.yaml"}, "live.log");
    std::this_thread::sleep_for(std::chrono::milliseconds(600 + 300 * round));
    kill(pid, SIGKILL);
    Wait(pid);
  }
  load.join();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  // After the last TRUNCATE (transaction 239): its late row only.
  EXPECT_EQ(Source().size(), 1u);
  EXPECT_EQ(Target(), Source());
}

// A change-event target writes the TRUNCATE as an event of its own, op "t", in its place.
TEST_F(PgTruncateRunTest, ChangeEventsSayTruncateInPlace) {
  WriteJob(", truncate: apply", "{type: jsonl, path: events.jsonl}");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  Exec("INSERT INTO {0} VALUES (6, 'six'); TRUNCATE {0}; INSERT INTO {0} VALUES (7, 'seven')");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  std::vector<std::string> ops;
  std::ifstream in(dir_ / "events.jsonl");
  for (std::string line; std::getline(in, line);) {
    const size_t at = line.find("\"op\":\"");
    ASSERT_NE(at, std::string::npos) << line;
    ops.push_back(line.substr(at + 6, 1));
    if (ops.back() == "t") {
      EXPECT_NE(line.find("\"before\":null,\"after\":null"), std::string::npos) << line;
      EXPECT_NE(line.find(fmt::format("\"table\":\"{}\"", src_)), std::string::npos) << line;
      EXPECT_EQ(line.find("\"ts_ms\":null"), std::string::npos) << line;
    }
  }
  EXPECT_EQ(ops, (std::vector<std::string>{"r", "r", "r", "r", "r", "c", "t", "c"}));
}

}  // namespace
}  // namespace sluice::postgres::replication_stream
