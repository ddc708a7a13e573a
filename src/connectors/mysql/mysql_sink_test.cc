// Writing into a real MariaDB: every write mode, refused rows, partitions, run markers and
// Recover, target checks.
#include "connectors/mysql/mysql_sink.h"

#include <limits>

#include <gtest/gtest.h>

#include "connectors/mysql/mysql_test_util.h"

namespace sluice::mysql {
namespace {

using testing::MakeOptions;
using testing::MakeSink;
using testing::RecordingRejects;
using testing::Request;
using testing::TestDatabase;
using testing::WriteAll;

Schema People() {
  Schema s;
  s.fields = {Field{"id", DataType::Of(TypeId::kInt64), false},
              Field{"name", DataType::Of(TypeId::kString), true}};
  return s;
}

// (id, name) rows; a name of "NULL" is NULL.
Batch PeopleBatch(const std::vector<std::pair<int64_t, std::string>>& rows) {
  Batch b(People());
  for (const auto& [id, name] : rows) {
    b.columns[0].AppendInt(id);
    if (name == "NULL") {
      b.columns[1].AppendNull();
    } else {
      b.columns[1].AppendBytes(name);
    }
  }
  return b;
}

std::unique_ptr<sluice::Sink> PeopleSink(TestDatabase& db,
                                         std::map<std::string, std::string> options = {}) {
  options["url"] = db.Url();
  if (!options.count("table")) options["table"] = "people";
  return MakeSink(MakeOptions(options));
}

TEST(MysqlSinkTest, AppendCreatesTheTableAndWritesEveryRowOnce) {
  TestDatabase db;
  auto sink = PeopleSink(db);
  Batch b1 = PeopleBatch({{1, "a\tb"}, {2, "line\nbreak"}, {3, "back\\slash"}});
  Batch b2 = PeopleBatch({{4, "NULL"}, {5, ""}, {6, "\\N"}});
  RecordingRejects rejects;
  Status st = WriteAll(*sink, Request(People(), WriteMode::kAppend, {"id"}), {&b1, &b2}, rejects);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_TRUE(rejects.reasons.empty());
  EXPECT_EQ(db.Rows("SELECT id, name, name IS NULL FROM people ORDER BY id"),
            (std::vector<std::string>{"1|a\tb|0", "2|line\nbreak|0", "3|back\\slash|0", "4|NULL|1",
                                      "5||0", "6|\\N|0"}));
  EXPECT_EQ(db.Value("SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
                     "DATABASE() AND TABLE_NAME = 'people' AND COLUMN_NAME = 'name'"),
            "longtext");
  EXPECT_EQ(db.Value("SELECT GROUP_CONCAT(COLUMN_NAME) FROM information_schema.STATISTICS WHERE "
                     "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'people' AND INDEX_NAME = "
                     "'PRIMARY'"),
            "id");
  EXPECT_EQ(db.Value("SELECT job, run_id FROM _sluice_positions WHERE stream = ''"), "test|r1");
}

TEST(MysqlSinkTest, RefusedRowsGoToRejectsWithTheServersReason) {
  TestDatabase db;
  db.Exec("CREATE TABLE people (id BIGINT PRIMARY KEY, name VARCHAR(5) NOT NULL)");
  db.Exec("INSERT INTO people VALUES (1, 'old')");
  auto sink = PeopleSink(db);
  std::vector<std::pair<int64_t, std::string>> rows;
  for (int i = 2; i < 300; ++i) rows.emplace_back(i, "ok");
  rows[10] = {1, "dup"};         // duplicate key
  rows[100] = {102, "toolong"};  // longer than VARCHAR(5)
  rows[200] = {202, "NULL"};     // NULL into NOT NULL
  Batch b = PeopleBatch(rows);
  RecordingRejects rejects;
  Status st = WriteAll(*sink, Request(People(), WriteMode::kAppend), {&b}, rejects);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(rejects.rows.size(), 3u);
  EXPECT_EQ(rejects.rows, (std::vector<std::string>{"1|dup", "102|toolong", "202|NULL"}));
  EXPECT_NE(rejects.reasons[0].find("Duplicate entry '1'"), std::string::npos)
      << rejects.reasons[0];
  EXPECT_NE(rejects.reasons[1].find("for column 'name'"), std::string::npos) << rejects.reasons[1];
  EXPECT_NE(rejects.reasons[2].find("'name'"), std::string::npos) << rejects.reasons[2];
  EXPECT_EQ(rejects.reasons[1].find(" at row "), std::string::npos);
  EXPECT_EQ(db.Value("SELECT COUNT(*), SUM(name = 'ok') FROM people"), "296|295");
  EXPECT_EQ(db.Value("SELECT name FROM people WHERE id = 1"), "old");
}

TEST(MysqlSinkTest, ValuesTheTargetCannotHoldAreRejectedBeforeLoading) {
  TestDatabase db;
  Schema s;
  s.fields = {Field{"id", DataType::Of(TypeId::kInt32), false},
              Field{"x", DataType::Of(TypeId::kFloat64), true}};
  Batch b(s);
  for (double x : {1.5, std::numeric_limits<double>::quiet_NaN(),
                   -std::numeric_limits<double>::infinity(), 2.5}) {
    b.columns[0].AppendInt(static_cast<int64_t>(b.num_rows()));
    b.columns[1].AppendDouble(x);
  }
  auto sink = PeopleSink(db, {{"table", "nums"}});
  RecordingRejects rejects;
  ASSERT_TRUE(WriteAll(*sink, Request(s, WriteMode::kAppend, {"id"}), {&b}, rejects).ok());
  ASSERT_EQ(rejects.reasons.size(), 2u);
  EXPECT_NE(rejects.reasons[0].find(".nums.x: nan cannot be stored"), std::string::npos)
      << rejects.reasons[0];
  EXPECT_EQ(db.Rows("SELECT id, x FROM nums ORDER BY id"),
            (std::vector<std::string>{"0|1.5", "3|2.5"}));
}

TEST(MysqlSinkTest, ReplaceIgnoreAndUpsertByKey) {
  TestDatabase db;
  db.Exec(
      "CREATE TABLE people (id BIGINT PRIMARY KEY, name VARCHAR(10), note VARCHAR(10) "
      "DEFAULT 'keep')");
  auto reset = [&] {
    db.Exec("DELETE FROM people");
    db.Exec("INSERT INTO people VALUES (1, 'one', 'n1'), (2, 'two', 'n2')");
  };
  Batch b = PeopleBatch({{2, "TWO"}, {3, "three"}, {3, "THREE"}, {4, "waytoolongname"}});
  struct Case {
    WriteMode mode;
    std::vector<std::string> want;
  };
  const std::vector<Case> cases = {
      // REPLACE deletes the old row: `note` falls back to its default.
      {WriteMode::kReplace, {"1|one|n1", "2|TWO|keep", "3|THREE|keep"}},
      {WriteMode::kIgnore, {"1|one|n1", "2|two|n2", "3|three|keep"}},
      // Upsert updates only the incoming columns; the later of two rows with a key wins.
      {WriteMode::kUpsert, {"1|one|n1", "2|TWO|n2", "3|THREE|keep"}},
  };
  int run = 0;
  for (const Case& c : cases) {
    reset();
    auto sink = PeopleSink(db);
    RecordingRejects rejects;
    Status st = WriteAll(*sink, Request(People(), c.mode, {"id"}, fmt::format("r{}", run++)), {&b},
                         rejects);
    ASSERT_TRUE(st.ok()) << WriteModeName(c.mode) << ": " << st.message();
    EXPECT_EQ(db.Rows("SELECT id, name, note FROM people ORDER BY id"), c.want)
        << WriteModeName(c.mode);
    ASSERT_EQ(rejects.rows.size(), 1u) << WriteModeName(c.mode);
    EXPECT_EQ(rejects.rows[0], "4|waytoolongname");
  }
}

// A table of key columns only (a link table): an upsert has no other column to update, and a
// row already there is kept as it is (the merge once failed: "Column 'id' in UPDATE is
// ambiguous").
TEST(MysqlSinkTest, UpsertIntoATableOfKeyColumnsOnly) {
  TestDatabase db;
  db.Exec("CREATE TABLE links (id BIGINT, name VARCHAR(10), PRIMARY KEY (id, name))");
  db.Exec("INSERT INTO links VALUES (1, 'one')");
  Batch b = PeopleBatch({{1, "one"}, {2, "two"}, {2, "two"}});
  auto sink = PeopleSink(db, {{"table", "links"}});
  RecordingRejects rejects;
  Status st = WriteAll(*sink, Request(People(), WriteMode::kUpsert, {"id", "name"}, "links"), {&b},
                       rejects);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(db.Rows("SELECT id, name FROM links ORDER BY id"),
            (std::vector<std::string>{"1|one", "2|two"}));
  EXPECT_TRUE(rejects.rows.empty());
}

TEST(MysqlSinkTest, UpsertMergeRefusalsAreNarrowedToTheRow) {
  TestDatabase db;
  // The staging table has no CHECK, so the merge is where this row is refused.
  db.Exec(
      "CREATE TABLE people (id BIGINT PRIMARY KEY, name VARCHAR(10), "
      "CONSTRAINT no_bad CHECK (name <> 'bad'))");
  db.Exec("INSERT INTO people VALUES (1, 'one')");
  std::vector<std::pair<int64_t, std::string>> rows;
  for (int i = 1; i <= 50; ++i) rows.emplace_back(i, i == 17 ? "bad" : fmt::format("v{}", i));
  Batch b = PeopleBatch(rows);
  auto sink = PeopleSink(db);
  RecordingRejects rejects;
  ASSERT_TRUE(WriteAll(*sink, Request(People(), WriteMode::kUpsert, {"id"}), {&b}, rejects).ok());
  EXPECT_EQ(rejects.rows, std::vector<std::string>{"17|bad"});
  EXPECT_EQ(db.Value("SELECT COUNT(*), MIN(name), MAX(id) FROM people"), "49|v1|50");
}

TEST(MysqlSinkTest, OverwriteReplacesAtomically) {
  TestDatabase db;
  db.Exec("CREATE TABLE people (id BIGINT PRIMARY KEY, name TEXT)");
  db.Exec("INSERT INTO people VALUES (100, 'old')");
  Batch b = PeopleBatch({{1, "new"}});
  {
    // A run that fails half-way leaves the old rows.
    auto sink = PeopleSink(db);
    ASSERT_TRUE(sink->Prepare(Request(People(), WriteMode::kOverwrite, {}, "fail")).has_value());
    auto writer = sink->OpenWriter();
    RecordingRejects rejects;
    ASSERT_TRUE((*writer)->Write(b, rejects).ok());
    EXPECT_EQ(db.Value("SELECT COUNT(*) FROM people"), "1");  // not visible before commit
    ASSERT_TRUE(sink->Abort().ok());
  }
  EXPECT_EQ(db.Rows("SELECT id, name FROM people"), std::vector<std::string>{"100|old"});
  auto sink = PeopleSink(db);
  RecordingRejects rejects;
  ASSERT_TRUE(WriteAll(*sink, Request(People(), WriteMode::kOverwrite), {&b}, rejects).ok());
  EXPECT_EQ(db.Rows("SELECT id, name FROM people"), std::vector<std::string>{"1|new"});
}

TEST(MysqlSinkTest, PartitionOverwriteReplacesOnlyThatValue) {
  TestDatabase db;
  auto run = [&](const std::string& ds, const Batch& b, const std::string& run_id) {
    auto sink = PeopleSink(db);
    OptionValue partition;
    partition.kind = OptionKind::kObject;
    partition.object["column"] = testing::Scalar("ds");
    partition.object["value"] = testing::Scalar(ds);
    Options options = MakeOptions({{"url", db.Url()}, {"table", "daily"}});
    options.Set("partition", partition);
    auto s = MakeSink(options);
    RecordingRejects rejects;
    return WriteAll(*s, Request(People(), WriteMode::kOverwrite, {"id"}, run_id), {&b}, rejects);
  };
  Batch day1 = PeopleBatch({{1, "a"}, {2, "b"}});
  Batch day2 = PeopleBatch({{1, "x"}});
  Batch day1_again = PeopleBatch({{3, "c"}});
  ASSERT_TRUE(run("20240301", day1, "r1").ok());
  ASSERT_TRUE(run("20240302", day2, "r2").ok());
  ASSERT_TRUE(run("20240301", day1_again, "r3").ok());
  EXPECT_EQ(db.Rows("SELECT ds, id, name FROM daily ORDER BY ds, id"),
            (std::vector<std::string>{"20240301|3|c", "20240302|1|x"}));
  // The created table keys each day separately.
  EXPECT_EQ(db.Value("SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) FROM "
                     "information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND "
                     "TABLE_NAME = 'daily' AND INDEX_NAME = 'PRIMARY'"),
            "id,ds");
}

TEST(MysqlSinkTest, RecoverTellsCommittedRunsFromKilledOnes) {
  TestDatabase db;
  Batch b = PeopleBatch({{1, "a"}});
  {
    auto sink = PeopleSink(db);
    // No positions table yet.
    EXPECT_FALSE(sink->Recover(PendingRun{"r1", ""}).value());
    RecordingRejects rejects;
    ASSERT_TRUE(
        WriteAll(*sink, Request(People(), WriteMode::kAppend, {}, "r1"), {&b}, rejects).ok());
  }
  {
    // A run killed after writing: its connection goes away without COMMIT.
    auto sink = PeopleSink(db);
    ASSERT_TRUE(sink->Prepare(Request(People(), WriteMode::kAppend, {}, "r2")).has_value());
    RecordingRejects rejects;
    ASSERT_TRUE((*sink->OpenWriter())->Write(b, rejects).ok());
  }
  auto sink = PeopleSink(db);
  EXPECT_TRUE(sink->Recover(PendingRun{"r1", ""}).value());
  EXPECT_FALSE(sink->Recover(PendingRun{"r2", ""}).value());
  EXPECT_EQ(db.Value("SELECT COUNT(*) FROM people"), "1");
}

TEST(MysqlSinkTest, IncompatibleTargetListsEveryProblemBeforeWriting) {
  TestDatabase db;
  db.Exec(
      "CREATE TABLE people (id VARCHAR(10) PRIMARY KEY, other INT NOT NULL, "
      "at DATE) ENGINE=MyISAM");
  Schema s = People();
  s.fields.push_back(Field{"at", DataType::Of(TypeId::kTimestampTz), true});
  s.fields.push_back(Field{"extra", DataType::Of(TypeId::kBytes), true});
  auto sink = PeopleSink(db);
  Result<std::string> prepared = sink->Prepare(Request(s, WriteMode::kUpsert, {"name"}));
  ASSERT_FALSE(prepared.has_value());
  EXPECT_EQ(prepared.error().code(), StatusCode::kConflict);
  EXPECT_EQ(prepared.error().message(),
            fmt::format("mysql target: table {}.people does not fit the incoming rows: column "
                        "'name' missing; column 'at' is date but incoming is timestamptz; column "
                        "'extra' missing; column 'other' is NOT NULL without a default and no "
                        "incoming column fills it; its engine MyISAM cannot roll back; "
                        "exactly-once writes need InnoDB; no PRIMARY KEY or UNIQUE index on "
                        "(name), which write_mode upsert needs to find existing rows",
                        db.name()));
  EXPECT_EQ(db.Value("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                     "DATABASE() AND TABLE_NAME = '_sluice_positions'"),
            "0");
}

TEST(MysqlSinkTest, PrePostSqlRunInTheTransactionAndPlanChangesNothing) {
  TestDatabase db;
  db.Exec("CREATE TABLE log (msg VARCHAR(20))");
  Options options = MakeOptions({{"url", db.Url()}, {"table", "people"}});
  OptionValue pre;
  pre.kind = OptionKind::kStringList;
  pre.list = {"INSERT INTO log VALUES ('pre')"};
  OptionValue post = pre;
  post.list = {"INSERT INTO log SELECT CONCAT('post ', COUNT(*)) FROM people"};
  options.Set("pre_sql", pre);
  options.Set("post_sql", post);
  auto with_sql = MakeSink(options);
  Result<std::vector<std::string>> plan = with_sql->Plan(Request(People(), WriteMode::kAppend));
  ASSERT_TRUE(plan.has_value()) << plan.error().message();
  EXPECT_NE((*plan)[0].find("CREATE TABLE IF NOT EXISTS"), std::string::npos);  // positions
  EXPECT_NE((*plan)[2].find("CREATE TABLE `"), std::string::npos);
  EXPECT_EQ(db.Value("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                     "DATABASE() AND TABLE_NAME = 'people'"),
            "0");
  Batch b = PeopleBatch({{1, "a"}, {2, "b"}});
  RecordingRejects rejects;
  ASSERT_TRUE(WriteAll(*with_sql, Request(People(), WriteMode::kAppend), {&b}, rejects).ok());
  EXPECT_EQ(db.Rows("SELECT msg FROM log ORDER BY msg"),
            (std::vector<std::string>{"post 2", "pre"}));
  // Aborted: pre_sql's row goes with the rest.
  auto aborted = MakeSink(options);
  ASSERT_TRUE(aborted->Prepare(Request(People(), WriteMode::kAppend, {}, "r2")).has_value());
  ASSERT_TRUE(aborted->Abort().ok());
  EXPECT_EQ(db.Value("SELECT COUNT(*) FROM log"), "2");
}

TEST(MysqlSinkTest, TimeZoneRuleOnWrite) {
  TestDatabase db;
  db.Exec(
      "CREATE TABLE tz (id INT PRIMARY KEY, ts TIMESTAMP(6) NULL, dt DATETIME(6), "
      "wall_ts TIMESTAMP(6) NULL, wall_dt DATETIME(6))");
  Schema s;
  s.fields = {Field{"id", DataType::Of(TypeId::kInt32), false},
              Field{"ts", DataType::Of(TypeId::kTimestampTz), true},
              Field{"dt", DataType::Of(TypeId::kTimestampTz), true},
              Field{"wall_ts", DataType::Of(TypeId::kTimestamp), true},
              Field{"wall_dt", DataType::Of(TypeId::kTimestamp), true}};
  Batch b(s);
  const int64_t instant = 1709251200LL * 1000000 + 250000;  // 2024-03-01T00:00:00.25Z
  b.columns[0].AppendInt(1);
  for (size_t c = 1; c < 5; ++c) b.columns[c].AppendInt(instant);
  auto sink = PeopleSink(db, {{"table", "tz"}, {"time_zone", "+08:00"}});
  RecordingRejects rejects;
  ASSERT_TRUE(WriteAll(*sink, Request(s, WriteMode::kAppend), {&b}, rejects).ok());
  db.Exec("SET time_zone = '+00:00'");
  // Instants: TIMESTAMP holds the instant, DATETIME its wall-clock time in +08:00. Wall-clock
  // values: TIMESTAMP reads them in +08:00, DATETIME keeps them.
  EXPECT_EQ(db.Value("SELECT ts, dt, wall_ts, wall_dt FROM tz"),
            "2024-03-01 00:00:00.250000|2024-03-01 08:00:00.250000|2024-02-29 16:00:00.250000|"
            "2024-03-01 00:00:00.250000");
}

TEST(MysqlSinkTest, PartitionWithUpsertFillsTheColumn) {
  TestDatabase db;
  Options options = MakeOptions({{"url", db.Url()}, {"table", "daily"}});
  OptionValue partition;
  partition.kind = OptionKind::kObject;
  partition.object["column"] = testing::Scalar("ds");
  partition.object["value"] = testing::Scalar("20240301");
  options.Set("partition", partition);
  Batch first = PeopleBatch({{1, "a"}, {2, "b"}});
  Batch second = PeopleBatch({{2, "B"}, {3, "c"}});
  RecordingRejects rejects;
  ASSERT_TRUE(WriteAll(*MakeSink(options), Request(People(), WriteMode::kUpsert, {"id"}, "r1"),
                       {&first}, rejects)
                  .ok());
  Status st = WriteAll(*MakeSink(options), Request(People(), WriteMode::kUpsert, {"id"}, "r2"),
                       {&second}, rejects);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(db.Rows("SELECT id, name, ds FROM daily ORDER BY id"),
            (std::vector<std::string>{"1|a|20240301", "2|B|20240301", "3|c|20240301"}));
}

TEST(MysqlSinkTest, RequestErrors) {
  TestDatabase db;
  auto never = PeopleSink(db, {{"create_table", "never"}});
  Result<std::string> missing = never->Prepare(Request(People(), WriteMode::kAppend));
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.error().message().find("table 'people' not found"), std::string::npos);
  EXPECT_NE(missing.error().message().find("create_table is never"), std::string::npos);
  auto sink = PeopleSink(db);
  Result<std::string> no_key = sink->Prepare(Request(People(), WriteMode::kUpsert));
  ASSERT_FALSE(no_key.has_value());
  EXPECT_EQ(no_key.error().message(), "mysql target: write_mode upsert needs target.key");
}

}  // namespace
}  // namespace sluice::mysql
