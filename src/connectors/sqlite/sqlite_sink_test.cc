#include "connectors/sqlite/sqlite_sink.h"

#include <csignal>
#include <filesystem>

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "connectors/sqlite/sqlite_test_util.h"

namespace sluice::sqlite {
namespace {

using testing::ExecSql;
using testing::MakeBatch;
using testing::QueryRows;
using testing::RecordingRejects;
using testing::Request;
using testing::TempDir;
using testing::WriteRun;
using Rows = std::vector<std::string>;

class SqliteSinkTest : public ::testing::Test {
 protected:
  SqliteSink Sink(const std::string& table = "orders") {
    return SqliteSink(testing::Config(db_, table));
  }
  Rows Orders() { return QueryRows(db_, "SELECT id, amount, note FROM orders ORDER BY id"); }
  // Whether Recover finds the run's marker (failing the test on an error).
  bool Committed(SqliteSink& sink, const std::string& run_id) {
    Result<bool> r = sink.Recover(PendingRun{run_id, ""});
    EXPECT_TRUE(r.has_value()) << r.error().ToString();
    return r.value_or(false);
  }
  // The job's run row: the last run that committed.
  Rows Runs() {
    return QueryRows(db_,
                     "SELECT job, run_id FROM _sluice_positions WHERE stream = '' ORDER BY job");
  }

  TempDir dir_;
  std::string db_ = dir_.File("sub/dir/target.db");  // parent directories do not exist yet
  Schema schema_{{Field{"id", DataType::Of(TypeId::kInt64), false},
                  Field{"amount", DataType::Decimal(10, 2), true},
                  Field{"note", DataType::Of(TypeId::kString), true}}};
};

TEST_F(SqliteSinkTest, AppendCreatesTheTableAndRecordsTheRun) {
  SqliteSink sink = Sink();
  RecordingRejects rejects;
  Batch batch = MakeBatch(schema_, {{"1", "1.50", "a"}, {"2", "NULL", "NULL"}});
  Status st = WriteRun(sink, Request(schema_, WriteMode::kAppend, {"id"}), batch, rejects);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Orders(), (Rows{"1|1.50|a", "2|NULL|NULL"}));
  EXPECT_EQ(Runs(), (Rows{"test-job|run-1"}));
  EXPECT_EQ(QueryRows(db_, "SELECT sql FROM sqlite_schema WHERE name = 'orders'"),
            (Rows{"CREATE TABLE \"orders\" (\"id\" INTEGER NOT NULL, \"amount\" "
                  "DECIMAL_TEXT(10,2), \"note\" TEXT, PRIMARY KEY (\"id\"))"}));
  EXPECT_EQ(QueryRows(db_, "PRAGMA journal_mode"), (Rows{"wal"}));
  EXPECT_EQ(sink.MaxWriters(), 1);

  // A second run appends.
  batch = MakeBatch(schema_, {{"3", "3.00", "c"}});
  ASSERT_TRUE(
      WriteRun(sink, Request(schema_, WriteMode::kAppend, {}, "run-2"), batch, rejects).ok());
  EXPECT_EQ(Orders(), (Rows{"1|1.50|a", "2|NULL|NULL", "3|3.00|c"}));
  EXPECT_EQ(Runs(), (Rows{"test-job|run-2"}));  // updated in place: one row per job
}

// A change stream (a realtime job's rows): inserts, updates in place, an update that moves a
// key, deletes, and several changes of one key in one batch, applied in order.
TEST_F(SqliteSinkTest, ChangesAreAppliedByKeyInSourceOrder) {
  SqliteSink sink = Sink();
  RecordingRejects rejects;
  ASSERT_TRUE(
      WriteRun(
          sink, Request(schema_, WriteMode::kAppend, {"id"}),
          MakeBatch(schema_, {{"1", "1.00", "one"}, {"2", "2.00", "two"}, {"3", "3.00", "three"}}),
          rejects)
          .ok());
  Batch changes = MakeBatch(schema_, {{"1", "1.00", "one"},      // update 1 in place: before
                                      {"1", "10.00", "ONE"},     //   after
                                      {"2", "2.00", "two"},      // update moving key 2 -> 20
                                      {"20", "2.00", "twenty"},  //   after
                                      {"3", "3.00", "three"},    // delete 3
                                      {"4", "4.00", "four"},     // insert 4
                                      {"4", "4.00", "four"},     // update 4: before
                                      {"4", "44.00", "FOUR"},    //   after
                                      {"5", "5.00", "five"},     // insert 5
                                      {"5", "5.00", "five"}});   // delete 5
  changes.row_kinds = {RowKind::kUpdateBefore, RowKind::kUpdateAfter, RowKind::kUpdateBefore,
                       RowKind::kUpdateAfter,  RowKind::kDelete,      RowKind::kInsert,
                       RowKind::kUpdateBefore, RowKind::kUpdateAfter, RowKind::kInsert,
                       RowKind::kDelete};
  Status st = WriteRun(sink, Request(schema_, WriteMode::kUpsert, {"id"}, "r2"), changes, rejects);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Orders(), (Rows{"1|10.00|ONE", "4|44.00|FOUR", "20|2.00|twenty"}));
  EXPECT_TRUE(rejects.entries.empty());
}

TEST_F(SqliteSinkTest, ChangesIntoAnAppendTargetAreRefusedWithWhatToChange) {
  SqliteSink sink = Sink();
  RecordingRejects rejects;
  Batch changes = MakeBatch(schema_, {{"1", "1.00", "one"}});
  changes.row_kinds = {RowKind::kDelete};
  Status st = WriteRun(sink, Request(schema_, WriteMode::kAppend, {"id"}), changes, rejects);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("needs write_mode upsert (or replace) and target.key"),
            std::string::npos)
      << st.ToString();
}

TEST_F(SqliteSinkTest, ConstraintViolationsAreRejectedAndTheRestWritten) {
  ExecSql(db_ = dir_.File("c.db"),
          "CREATE TABLE orders (id INTEGER PRIMARY KEY, amount DECIMAL(10,2) NOT NULL, "
          "note TEXT CHECK (note <> 'bad'));"
          "INSERT INTO orders VALUES (1, 1, 'old');");
  SqliteSink sink = Sink();
  RecordingRejects rejects;
  Batch batch = MakeBatch(schema_, {{"1", "9.00", "dup"},
                                    {"2", "2.00", "ok"},
                                    {"3", "NULL", "null amount"},
                                    {"4", "4.00", "bad"},
                                    {"5", "5.00", "fine"}});
  Status st = WriteRun(sink, Request(schema_), batch, rejects);
  ASSERT_TRUE(st.ok()) << st.ToString();
  // Existing DECIMAL (NUMERIC affinity) column: SQLite's own affinity turns '2.00' into 2.
  EXPECT_EQ(Orders(), (Rows{"1|1|old", "2|2|ok", "5|5|fine"}));
  ASSERT_EQ(rejects.entries.size(), 3u);
  EXPECT_EQ(rejects.entries[0].stage, "target");
  EXPECT_EQ(rejects.entries[0].reason, "sqlite target orders: UNIQUE constraint failed: orders.id");
  EXPECT_EQ(rejects.entries[0].row, "1|9.00|dup");
  EXPECT_EQ(rejects.entries[1].reason,
            "sqlite target orders: NOT NULL constraint failed: orders.amount");
  EXPECT_NE(rejects.entries[2].reason.find("CHECK constraint failed"), std::string::npos);
}

TEST_F(SqliteSinkTest, IncompatibleTableIsReportedBeforeAnythingIsWritten) {
  ExecSql(db_ = dir_.File("c.db"),
          "CREATE TABLE orders (id TEXT, note BLOB);"
          "INSERT INTO orders VALUES ('x', NULL);");
  SqliteSink sink = Sink();
  RecordingRejects rejects;
  Batch batch = MakeBatch(schema_, {{"1", "1.00", "a"}});
  Status st = WriteRun(sink, Request(schema_), batch, rejects);
  EXPECT_EQ(st.code(), StatusCode::kConflict);
  EXPECT_EQ(st.message(), "sqlite target: target table orders in " + db_ +
                              ": column 'id' is TEXT but incoming is int64; column 'amount' "
                              "missing; column 'note' is BLOB but incoming is string");
  EXPECT_EQ(QueryRows(db_, "SELECT id FROM orders"), (Rows{"x"}));
  EXPECT_TRUE(
      QueryRows(db_, "SELECT name FROM sqlite_schema WHERE name = '_sluice_positions'").empty());

  auto plan = sink.Plan(Request(schema_));
  EXPECT_FALSE(plan.has_value());
}

TEST_F(SqliteSinkTest, OverwriteIsAtomic) {
  SqliteSink sink = Sink();
  RecordingRejects rejects;
  ASSERT_TRUE(
      WriteRun(sink, Request(schema_), MakeBatch(schema_, {{"1", "1.00", "old"}}), rejects).ok());
  // An aborted overwrite leaves the old rows.
  ASSERT_TRUE(sink.Prepare(Request(schema_, WriteMode::kOverwrite, {}, "run-2")).has_value());
  auto writer = sink.OpenWriter();
  ASSERT_TRUE(writer.has_value());
  ASSERT_TRUE((*writer)->Write(MakeBatch(schema_, {{"2", "2.00", "new"}}), rejects).ok());
  // Readers do not see the half-done run, not even the DELETE.
  EXPECT_EQ(Orders(), (Rows{"1|1.00|old"}));
  ASSERT_TRUE(sink.Abort().ok());
  EXPECT_EQ(Orders(), (Rows{"1|1.00|old"}));
  EXPECT_EQ(Runs(), (Rows{"test-job|run-1"}));
  // A committed one replaces them.
  ASSERT_TRUE(WriteRun(sink, Request(schema_, WriteMode::kOverwrite, {}, "run-3"),
                       MakeBatch(schema_, {{"2", "2.00", "new"}, {"3", "3.00", "new"}}), rejects)
                  .ok());
  EXPECT_EQ(Orders(), (Rows{"2|2.00|new", "3|3.00|new"}));
}

TEST_F(SqliteSinkTest, UpsertReplaceAndIgnoreByKey) {
  SqliteSink sink = Sink();
  RecordingRejects rejects;
  ASSERT_TRUE(WriteRun(sink, Request(schema_, WriteMode::kAppend, {"id"}),
                       MakeBatch(schema_, {{"1", "1.00", "one"}, {"2", "2.00", "two"}}), rejects)
                  .ok());
  ASSERT_TRUE(WriteRun(sink, Request(schema_, WriteMode::kUpsert, {"id"}, "r2"),
                       MakeBatch(schema_, {{"2", "20.00", "TWO"}, {"3", "3.00", "three"}}), rejects)
                  .ok());
  EXPECT_EQ(Orders(), (Rows{"1|1.00|one", "2|20.00|TWO", "3|3.00|three"}));

  ASSERT_TRUE(WriteRun(sink, Request(schema_, WriteMode::kIgnore, {"id"}, "r3"),
                       MakeBatch(schema_, {{"3", "99.00", "ignored"}, {"4", "4.00", "four"}}),
                       rejects)
                  .ok());
  EXPECT_EQ(Orders(), (Rows{"1|1.00|one", "2|20.00|TWO", "3|3.00|three", "4|4.00|four"}));

  // Replace deletes the old row and inserts the new one: columns not written become NULL.
  Schema partial{{schema_.fields[0], schema_.fields[2]}};
  ASSERT_TRUE(WriteRun(sink, Request(partial, WriteMode::kReplace, {"id"}, "r4"),
                       MakeBatch(partial, {{"1", "uno"}}), rejects)
                  .ok());
  EXPECT_EQ(Orders(), (Rows{"1|NULL|uno", "2|20.00|TWO", "3|3.00|three", "4|4.00|four"}));
  EXPECT_TRUE(rejects.entries.empty());
}

TEST_F(SqliteSinkTest, KeyedModesNeedAKeyTheTableEnforces) {
  SqliteSink sink = Sink();
  Result<std::string> st = sink.Prepare(Request(schema_, WriteMode::kUpsert));
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().message(), "sqlite target: write_mode upsert needs target.key");

  ExecSql(db_ = dir_.File("k.db"), "CREATE TABLE orders (id INTEGER, amount TEXT, note TEXT)");
  SqliteSink keyless = Sink();
  st = keyless.Prepare(Request(schema_, WriteMode::kReplace, {"id"}));
  ASSERT_FALSE(st.has_value());
  EXPECT_NE(st.error().message().find("no PRIMARY KEY or UNIQUE index on (id)"), std::string::npos)
      << st.error().message();
  ExecSql(db_, "CREATE UNIQUE INDEX orders_id ON orders (id)");
  RecordingRejects rejects;
  Status ok = WriteRun(keyless, Request(schema_, WriteMode::kUpsert, {"ID"}),
                       MakeBatch(schema_, {{"1", "1.00", "a"}, {"1", "2.00", "b"}}), rejects);
  ASSERT_TRUE(ok.ok()) << ok.ToString();
  EXPECT_EQ(Orders(), (Rows{"1|2.00|b"}));
}

TEST_F(SqliteSinkTest, RecoverTellsWhetherTheRunCommitted) {
  SqliteSink sink = Sink();
  EXPECT_FALSE(Committed(sink, "run-1"));  // no file yet
  RecordingRejects rejects;
  ASSERT_TRUE(
      WriteRun(sink, Request(schema_), MakeBatch(schema_, {{"1", "1.00", "a"}}), rejects).ok());
  EXPECT_TRUE(Committed(sink, "run-1"));
  EXPECT_FALSE(Committed(sink, "run-2"));

  // A run that never commits (as after kill -9: the transaction is simply gone) is not there.
  ASSERT_TRUE(sink.Prepare(Request(schema_, WriteMode::kAppend, {}, "run-2")).has_value());
  auto writer = sink.OpenWriter();
  ASSERT_TRUE((*writer)->Write(MakeBatch(schema_, {{"2", "2.00", "b"}}), rejects).ok());
  SqliteSink other = Sink();
  EXPECT_FALSE(Committed(other, "run-2"));
  ASSERT_TRUE(sink.Abort().ok());
  EXPECT_EQ(Orders(), (Rows{"1|1.00|a"}));
}

// The real thing: a process killed with SIGKILL before or after COMMIT. The marker tells the
// two apart, and a killed run leaves no rows behind even after its pages spilled to the WAL.
TEST_F(SqliteSinkTest, KillNineBeforeAndAfterCommit) {
  auto run_and_kill = [&](const std::string& run_id, bool commit) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      SqliteConfig config = testing::Config(db_, "orders");
      config.pre_sql = {"PRAGMA cache_size = 5"};  // spill uncommitted pages to the WAL
      SqliteSink sink(config);
      RecordingRejects rejects;
      std::vector<std::vector<std::string>> rows;
      for (int i = 0; i < 20000; ++i) {
        rows.push_back({std::to_string(i) + run_id, "1.00", std::string(100, 'x')});
      }
      Batch batch = MakeBatch(schema_, rows);
      if (!sink.Prepare(Request(schema_, WriteMode::kAppend, {}, "run-" + run_id))) _exit(2);
      auto writer = sink.OpenWriter();
      if (!writer || !(*writer)->Write(batch, rejects).ok()) _exit(3);
      if (commit && !sink.Commit().ok()) _exit(4);
      raise(SIGKILL);
      _exit(5);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  };
  run_and_kill("1", /*commit=*/true);
  run_and_kill("2", /*commit=*/false);
  SqliteSink sink = Sink();
  EXPECT_TRUE(Committed(sink, "run-1"));
  EXPECT_FALSE(Committed(sink, "run-2"));
  EXPECT_EQ(QueryRows(db_, "SELECT count(*), min(id), max(id) FROM orders"),
            (Rows{"20000|1|199991"}));
}

TEST_F(SqliteSinkTest, PlanChangesNothing) {
  SqliteSink sink = Sink();
  SqliteConfig config = testing::Config(db_, "orders");
  config.pre_sql = {"DELETE FROM orders WHERE id < 0"};
  SqliteSink with_sql(config);
  auto plan = with_sql.Plan(Request(schema_, WriteMode::kOverwrite, {"id"}));
  ASSERT_TRUE(plan.has_value()) << plan.error().ToString();
  EXPECT_FALSE(std::filesystem::exists(db_));
  ASSERT_GE(plan->size(), 6u);
  EXPECT_EQ((*plan)[0], "create database file " + db_);
  EXPECT_NE((*plan)[2].find("CREATE TABLE IF NOT EXISTS \"_sluice_positions\""), std::string::npos);
  EXPECT_NE((*plan)[5].find("CREATE TABLE \"orders\""), std::string::npos);
  EXPECT_EQ((*plan)[6], "DELETE FROM orders WHERE id < 0");
  EXPECT_EQ((*plan)[7], "DELETE FROM \"orders\"");

  RecordingRejects rejects;
  ASSERT_TRUE(WriteRun(sink, Request(schema_, WriteMode::kAppend, {"id"}),
                       MakeBatch(schema_, {{"1", "1.00", "a"}}), rejects)
                  .ok());
  plan = sink.Plan(Request(schema_, WriteMode::kUpsert, {"id"}));
  ASSERT_TRUE(plan.has_value()) << plan.error().ToString();
  EXPECT_EQ((*plan)[4], "table orders exists; columns match");
  EXPECT_EQ(
      (*plan)[5],
      "INSERT INTO \"orders\" (\"id\", \"amount\", \"note\") VALUES (?1, ?2, ?3) ON CONFLICT "
      "(\"id\") DO UPDATE SET \"amount\" = excluded.\"amount\", \"note\" = excluded.\"note\"");
}

TEST_F(SqliteSinkTest, PreAndPostSqlRunInTheTransaction) {
  SqliteConfig config = testing::Config(db_, "orders");
  config.pre_sql = {"CREATE TABLE IF NOT EXISTS audit (n INTEGER)", "INSERT INTO audit VALUES (1)"};
  config.post_sql = {"INSERT INTO audit SELECT count(*) FROM orders"};
  SqliteSink sink(config);
  RecordingRejects rejects;
  ASSERT_TRUE(WriteRun(sink, Request(schema_),
                       MakeBatch(schema_, {{"1", "1", "a"}, {"2", "2", "b"}}), rejects)
                  .ok());
  EXPECT_EQ(QueryRows(db_, "SELECT n FROM audit ORDER BY rowid"), (Rows{"1", "2"}));

  config.post_sql = {"INSERT INTO no_such_table VALUES (1)"};
  SqliteSink failing(config);
  Status st = WriteRun(failing, Request(schema_, WriteMode::kAppend, {}, "run-2"),
                       MakeBatch(schema_, {{"3", "3", "c"}}), rejects);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("post_sql"), std::string::npos) << st.message();
  ASSERT_TRUE(failing.Abort().ok());
  EXPECT_EQ(QueryRows(db_, "SELECT count(*) FROM orders"), (Rows{"2"}));
  EXPECT_EQ(QueryRows(db_, "SELECT n FROM audit ORDER BY rowid"), (Rows{"1", "2"}));
}

TEST_F(SqliteSinkTest, CreateTableNeverAndValuesTheTargetCannotHold) {
  SqliteConfig config = testing::Config(db_, "orders");
  config.create_table = CreateTable::kNever;
  SqliteSink never(config);
  Result<std::string> st = never.Prepare(Request(schema_));
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().message(),
            "sqlite target: table 'orders' not found in " + db_ + " and create_table is never");

  // uint64 above INT64_MAX into an existing INTEGER column: rejected, not rounded to a REAL.
  ExecSql(db_, "CREATE TABLE big (u INTEGER)");
  Schema schema{{Field{"u", DataType::Of(TypeId::kUInt64), true}}};
  SqliteSink sink = Sink("big");
  RecordingRejects rejects;
  ASSERT_TRUE(WriteRun(sink, Request(schema),
                       MakeBatch(schema, {{"18446744073709551615"}, {"9223372036854775807"}}),
                       rejects)
                  .ok());
  EXPECT_EQ(QueryRows(db_, "SELECT typeof(u), u FROM big"), (Rows{"integer|9223372036854775807"}));
  ASSERT_EQ(rejects.entries.size(), 1u);
  EXPECT_NE(
      rejects.entries[0].reason.find("sqlite target big.u: 18446744073709551615 does not fit"),
      std::string::npos)
      << rejects.entries[0].reason;
}

}  // namespace
}  // namespace sluice::sqlite
