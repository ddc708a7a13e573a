// Realtime jobs follow ALTER TABLE ... ADD COLUMN / DROP COLUMN on a PostgreSQL source, end to
// end with the real binary (build/sluice, beside this test binary): the added column reaches
// PostgreSQL and MariaDB targets with its values, the dropped one stays and is NULL for the rows
// written after the drop, a DDL inside a transaction between its rows included; kill -9 just
// before or just after the target's ALTER (the hook of engine/schema_follow.h) converges on
// resume; any other change of the table stops with a one-line message naming it.
#include <gtest/gtest.h>

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testing/binary_run.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "connectors/mysql/mysql_test_util.h"
#include "connectors/postgres/pg_testing.h"
#include "connectors/postgres/replication_stream/slot_setup.h"

namespace sluice::postgres::replication_stream {
namespace {

namespace fs = std::filesystem;
using postgres::testing::DbUrl;
using postgres::testing::RawConn;

class PgSchemaChangeTest : public sluice::testing::BinaryRunTest {
 protected:
  void SetUp() override {
    BinaryRunTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    static int counter = 0;
    job_ = fmt::format("pgddl_{}_{}", getpid(), counter++);
    src_ = job_ + "_src";
    ods_ = job_ + "_ods";
    db_ = std::make_unique<RawConn>(DbUrl());
    db_->Exec(fmt::format("CREATE TABLE {} (id int PRIMARY KEY, v text, d text)", src_));
    db_->Exec(
        fmt::format("INSERT INTO {} VALUES (1, 'one', 'd1'), (2, 'two', 'd2'), "
                    "(3, 'three', 'd3')",
                    src_));
    db_->Exec(fmt::format("CREATE SCHEMA {}", ods_));
  }
  void TearDown() override {
    if (!db_) return;
    const std::string slot = DefaultSlotName(job_);
    Result<std::string> dropped = DropSlotAndPublication(DbUrl(), slot, slot);
    EXPECT_TRUE(dropped.has_value()) << dropped.error().message();
    db_->Exec(fmt::format("DROP TABLE IF EXISTS {}; DROP SCHEMA IF EXISTS {} CASCADE", src_, ods_));
    BinaryRunTest::TearDown();
  }

  void WriteJob(const std::string& target) {
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: {}\nmode: realtime\n"
        "source: {{type: postgres, url: \"{}\", table: public.{}}}\n"
        "target: {}\n"
        "settings: {{checkpoint: {{rows: 20}}}}\n",
        job_, DbUrl(), src_, target);
  }
  void WriteJobToPostgres() {
    WriteJob(
        fmt::format("{{type: postgres, url: \"{}\", table: {}.t, write_mode: upsert, "
                    "key: [id]}}",
                    DbUrl(), ods_));
  }

  // ADD COLUMN n and rows using it, then DROP COLUMN d and more rows, updates and a delete
  // across both; then a transaction that adds column m between two of its rows.
  void AddThenDrop() {
    db_->Exec(fmt::format("ALTER TABLE {} ADD COLUMN n int", src_));
    db_->Exec(fmt::format("INSERT INTO {} VALUES (4, 'four', 'd4', 40)", src_));
    db_->Exec(fmt::format(
        "BEGIN; UPDATE {0} SET n = 10 WHERE id = 1; UPDATE {0} SET v = 'two+' WHERE id = 2; "
        "COMMIT",
        src_));
    db_->Exec(fmt::format("ALTER TABLE {} DROP COLUMN d", src_));
    db_->Exec(fmt::format("INSERT INTO {} VALUES (5, 'five', 50)", src_));
    db_->Exec(fmt::format("UPDATE {} SET v = 'three+', n = 30 WHERE id = 3", src_));
    db_->Exec(fmt::format("DELETE FROM {} WHERE id = 4", src_));
    db_->Exec(fmt::format(
        "BEGIN; INSERT INTO {0} VALUES (7, 'seven', 70); ALTER TABLE {0} ADD COLUMN m text; "
        "INSERT INTO {0} VALUES (8, 'eight', 80, 'em'); COMMIT",
        src_));
  }
  // id|v|d|n|m after AddThenDrop: d as it was until the drop, NULL for rows written after it.
  static std::vector<std::string> Expected() {
    return {"1|one|d1|10|NULL",    "2|two+|d2|NULL|NULL",  "3|three+|NULL|30|NULL",
            "5|five|NULL|50|NULL", "7|seven|NULL|70|NULL", "8|eight|NULL|80|em"};
  }
  std::vector<std::string> Lines(const std::string& sql) {
    std::vector<std::string> out;
    for (const auto& row : db_->Rows(sql)) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i) line += (i ? "|" : "") + row[i];
      out.push_back(line);
    }
    return out;
  }
  std::vector<std::string> TargetColumns() {
    return Lines(
        fmt::format("SELECT column_name FROM information_schema.columns WHERE "
                    "table_schema = '{}' AND table_name = 't' ORDER BY ordinal_position",
                    ods_));
  }

  pid_t Spawn(const std::vector<std::string>& args) {
    // The last run's log must not be read as this one's (Streaming()).
    fs::remove(dir_ / "run.log");
    fs::remove(dir_ / "run.log.err");
    return BinaryRunTest::Spawn(args, "run.log");
  }
  int Run(const std::vector<std::string>& args) { return Wait(Spawn(args)); }
  // Waits (up to 30 s) until the run's log says it streams: it has read the table's shape.
  bool Streaming() {
    for (int i = 0; i < 1500; ++i) {
      if (Log().find("streaming from") != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  std::string Log() {
    std::ifstream in(dir_ / "run.log.err");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  // A live run (started before the DDL, so its Open read the old shape) meets the ADD COLUMN
  // and is killed just before or just after the target's ALTER; a catch-up then resumes it.
  void KillAtTheAlterThenResume(const char* moment, bool altered) {
    WriteJobToPostgres();
    ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
    db_->Exec(fmt::format("INSERT INTO {} VALUES (6, 'six', 'd6')", src_));
    setenv("SLUICE_TEST_KILL_AT_SCHEMA_CHANGE", moment, 1);
    const pid_t live = Spawn({"run", "job.yaml"});
    unsetenv("SLUICE_TEST_KILL_AT_SCHEMA_CHANGE");
    ASSERT_TRUE(Streaming()) << Log();
    AddThenDrop();
    ASSERT_EQ(Wait(live), 128 + SIGKILL) << Log();
    // The live run may have read the later ADD COLUMN m in the same batch: then it added both.
    const std::vector<std::string> columns = TargetColumns();
    EXPECT_EQ(std::find(columns.begin(), columns.end(), "n") != columns.end(), altered)
        << fmt::format("{}", fmt::join(columns, ", "));
    EXPECT_EQ(db_->Value(fmt::format("SELECT count(*) FROM {}.t WHERE id IN (4, 5, 7, 8)", ods_)),
              "0");

    // The resume reads the table's newest shape at Open (n and m, no d) and the changes from
    // before the ALTER with the Relations they were written with.
    ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
    EXPECT_EQ(TargetColumns(), (std::vector<std::string>{"id", "v", "d", "n", "m"}));
    std::vector<std::string> expected = Expected();
    expected.insert(expected.begin() + 4, "6|six|d6|NULL|NULL");
    EXPECT_EQ(Lines(fmt::format("SELECT id, v, d, n, m FROM {}.t ORDER BY id", ods_)), expected);
  }

  std::string job_;
  std::string src_;  // the source table (public)
  std::string ods_;  // the target schema
  std::unique_ptr<RawConn> db_;
};

TEST_F(PgSchemaChangeTest, AddAndDropColumnIntoPostgres) {
  WriteJobToPostgres();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  EXPECT_EQ(TargetColumns(), (std::vector<std::string>{"id", "v", "d"}));

  AddThenDrop();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  EXPECT_EQ(TargetColumns(), (std::vector<std::string>{"id", "v", "d", "n", "m"}));
  EXPECT_EQ(Lines(fmt::format("SELECT id, v, d, n, m FROM {}.t ORDER BY id", ods_)), Expected());
  EXPECT_EQ(Lines(fmt::format("SELECT id, v, n, m FROM {}.t ORDER BY id", ods_)),
            Lines(fmt::format("SELECT id, v, n, m FROM {} ORDER BY id", src_)));
  const std::string err = Log();
  EXPECT_NE(err.find(fmt::format("public.{}: column d was dropped at the source", src_)),
            std::string::npos)
      << err;
}

TEST_F(PgSchemaChangeTest, AddAndDropColumnIntoMysql) {
  mysql::testing::TestDatabase target;
  WriteJob(fmt::format("{{type: mysql, url: \"{}\", table: t, write_mode: upsert, key: [id]}}",
                       target.Url()));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  AddThenDrop();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  EXPECT_EQ(target.Rows("SELECT column_name FROM information_schema.columns WHERE table_schema "
                        "= DATABASE() AND table_name = 't' ORDER BY ordinal_position"),
            (std::vector<std::string>{"id", "v", "d", "n", "m"}));
  EXPECT_EQ(target.Rows("SELECT id, v, d, n, m FROM t ORDER BY id"), Expected());
}

TEST_F(PgSchemaChangeTest, AddAndDropColumnIntoSqlite) {
  WriteJob("{type: sqlite, path: out.db, table: t, write_mode: upsert, key: [id]}");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  AddThenDrop();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "out.db").c_str(), &h), SQLITE_OK);
  std::vector<std::string> rows;
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(h,
                               "SELECT id || '|' || v || '|' || coalesce(d, 'NULL') || '|' || "
                               "coalesce(n, 'NULL') || '|' || coalesce(m, 'NULL') FROM t "
                               "ORDER BY id",
                               -1, &st, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(h);
  while (sqlite3_step(st) == SQLITE_ROW) {
    rows.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  EXPECT_EQ(rows, Expected());
}

TEST_F(PgSchemaChangeTest, KilledAfterTheTargetsAlterConverges) {
  KillAtTheAlterThenResume("after_alter", /*altered=*/true);
}

TEST_F(PgSchemaChangeTest, KilledBeforeTheTargetsAlterConverges) {
  KillAtTheAlterThenResume("before_alter", /*altered=*/false);
}

TEST_F(PgSchemaChangeTest, TypeChangeStopsWithAClearMessage) {
  WriteJobToPostgres();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  // A live run, whose Open read the old type: it meets the change in the stream.
  const pid_t live = Spawn({"run", "job.yaml"});
  ASSERT_TRUE(Streaming()) << Log();
  db_->Exec(fmt::format("ALTER TABLE {} ALTER COLUMN id TYPE text", src_));
  db_->Exec(fmt::format("INSERT INTO {} VALUES ('9', 'nine', NULL)", src_));
  EXPECT_EQ(Wait(live), 2);  // stopped: the change needs the operator (kInvalidArgument)
  const std::string err = Log();
  EXPECT_NE(err.find(fmt::format("public.{}: column id changed type at the source (int32 -> "
                                 "string): only added, dropped and widened columns (longer text, "
                                 "wider integers and decimals) are followed; re-snapshot the table",
                                 src_)),
            std::string::npos)
      << err;
  EXPECT_EQ(db_->Value(fmt::format("SELECT count(*) FROM {}.t", ods_)), "3");
}

// varchar(5) to varchar(30) while a run streams: the job used to stop ("string -> string",
// then "widen the target's column and start again"). A longer text column changes no value
// the source holds: the target's column is lengthened to match before the first longer value
// is written, and the job goes on.
TEST_F(PgSchemaChangeTest, ALongerTextColumnIsFollowedIntoTheTarget) {
  db_->Exec(fmt::format("ALTER TABLE {} ALTER COLUMN d TYPE varchar(5)", src_));
  WriteJobToPostgres();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  const std::string type = fmt::format(
      "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '{}.t'::regclass "
      "AND attname = 'd'",
      ods_);
  ASSERT_EQ(db_->Value(type), "character varying(5)");
  const pid_t live = Spawn({"run", "job.yaml"});
  ASSERT_TRUE(Streaming()) << Log();
  db_->Exec(fmt::format("INSERT INTO {} VALUES (8, 'eight', 'short')", src_));
  db_->Exec(fmt::format("ALTER TABLE {} ALTER COLUMN d TYPE varchar(30)", src_));
  db_->Exec(fmt::format("INSERT INTO {} VALUES (9, 'nine', 'longer than five')", src_));
  ASSERT_TRUE(Eventually([&] {
    return db_->Value(fmt::format("SELECT count(*) FROM {}.t WHERE id = 9", ods_)) == "1";
  })) << Log();
  kill(live, SIGTERM);
  EXPECT_EQ(Wait(live), 0) << Log();
  EXPECT_NE(Log().find(fmt::format("public.{}: column d was widened at the source (string(5) "
                                   "-> string(30)); the target's column is widened to match",
                                   src_)),
            std::string::npos)
      << Log();
  EXPECT_EQ(db_->Value(type), "character varying(30)");
  EXPECT_EQ(db_->Value(fmt::format("SELECT d FROM {}.t WHERE id = 9", ods_)), "longer than five");
  EXPECT_EQ(db_->Value(fmt::format("SELECT d FROM {}.t WHERE id = 8", ods_)), "short");

  // Made while no run streams, to text: the next run's Open reads the new type, the committed
  // column types the old one; the run lengthens the target and goes on.
  db_->Exec(fmt::format("ALTER TABLE {} ALTER COLUMN d TYPE text", src_));
  db_->Exec(fmt::format("UPDATE {} SET d = repeat('x', 100) WHERE id = 8", src_));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  EXPECT_EQ(db_->Value(type), "text");
  EXPECT_EQ(db_->Value(fmt::format("SELECT length(d) FROM {}.t WHERE id = 8", ods_)), "100");

  // Shorter again: PostgreSQL may have rewritten values (USING), which the stream never shows.
  db_->Exec(fmt::format("ALTER TABLE {} ALTER COLUMN d TYPE varchar(200)", src_));
  db_->Exec(fmt::format("INSERT INTO {} VALUES (10, 'ten', NULL)", src_));
  EXPECT_EQ(Run({"run", "job.yaml", "--catch-up"}), 2) << Log();
  EXPECT_NE(Log().find(fmt::format("public.{}: column d became shorter at the source (string -> "
                                   "string(200))",
                                   src_)),
            std::string::npos)
      << Log();
  EXPECT_EQ(db_->Value(fmt::format("SELECT count(*) FROM {}.t WHERE id = 10", ods_)), "0");
}

// integer -> bigint (the key too) and numeric(10,2) -> numeric(14,4) while a run streams, and
// smallint -> integer while none does: every value stays, the target's columns are widened
// before the first wider value, and the job goes on.
TEST_F(PgSchemaChangeTest, WiderIntegersAndDecimalsAreFollowedIntoTheTarget) {
  db_->Exec(fmt::format("ALTER TABLE {} ADD COLUMN a numeric(10,2), ADD COLUMN s smallint", src_));
  db_->Exec(fmt::format("UPDATE {} SET a = 12345678.91, s = 7 WHERE id = 1", src_));
  WriteJobToPostgres();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  const std::string types = fmt::format(
      "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY "
      "attnum) FROM pg_attribute WHERE attrelid = '{}.t'::regclass AND attnum > 0 AND NOT "
      "attisdropped",
      ods_);
  ASSERT_EQ(db_->Value(types), "id integer, v text, d text, a numeric(10,2), s smallint");
  const pid_t live = Spawn({"run", "job.yaml"});
  ASSERT_TRUE(Streaming()) << Log();
  db_->Exec(fmt::format("ALTER TABLE {} ALTER COLUMN id TYPE bigint", src_));
  db_->Exec(fmt::format("INSERT INTO {} VALUES (5000000000, 'big', NULL, 1.5, 1)", src_));
  db_->Exec(fmt::format("ALTER TABLE {} ALTER COLUMN a TYPE numeric(14,4)", src_));
  db_->Exec(fmt::format("INSERT INTO {} VALUES (9, 'nine', NULL, 1234567890.1234, 2)", src_));
  ASSERT_TRUE(Eventually([&] {
    return db_->Value(fmt::format("SELECT count(*) FROM {}.t WHERE id = 9", ods_)) == "1";
  })) << Log();
  kill(live, SIGTERM);
  EXPECT_EQ(Wait(live), 0) << Log();
  EXPECT_NE(Log().find(fmt::format("public.{}: column id was widened at the source (int32 -> "
                                   "int64); the target's column is widened to match",
                                   src_)),
            std::string::npos)
      << Log();
  db_->Exec(fmt::format("ALTER TABLE {} ALTER COLUMN s TYPE integer", src_));
  db_->Exec(fmt::format("UPDATE {} SET s = 100000 WHERE id = 2", src_));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  EXPECT_EQ(db_->Value(types), "id bigint, v text, d text, a numeric(14,4), s integer");
  const std::string rows =
      "SELECT id, v, coalesce(a::text, 'NULL'), coalesce(s::text, 'NULL') FROM {} ORDER BY id";
  EXPECT_EQ(Lines(fmt::format(fmt::runtime(rows), ods_ + ".t")),
            Lines(fmt::format(fmt::runtime(rows), src_)));
}

// Into a MySQL target: a longer varchar becomes VARCHAR(n) there, the key column's too while
// an index of it holds it (768 characters); a key widened to text stops, saying why and what
// to do, with nothing after the change applied.
TEST_F(PgSchemaChangeTest, AWiderTextKeyIntoMysqlIsFollowedUpToWhatAnIndexHolds) {
  const std::string src = src_ + "_k";
  db_->Exec(fmt::format("CREATE TABLE {} (code varchar(10) PRIMARY KEY, v varchar(10))", src));
  db_->Exec(fmt::format("INSERT INTO {} VALUES ('a', 'one')", src));
  mysql::testing::TestDatabase target;
  std::ofstream(dir_ / "job.yaml") << fmt::format(
      "name: {}\nmode: realtime\nsource: {{type: postgres, url: \"{}\", table: public.{}}}\n"
      "target: {{type: mysql, url: \"{}\", table: t, write_mode: upsert, key: [code]}}\n",
      job_, DbUrl(), src, target.Url());
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  db_->Exec(fmt::format("ALTER TABLE {} ALTER COLUMN code TYPE varchar(300)", src));
  db_->Exec(fmt::format("ALTER TABLE {} ALTER COLUMN v TYPE varchar(400)", src));
  db_->Exec(fmt::format("INSERT INTO {} VALUES (repeat('k', 300), repeat('v', 400))", src));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  EXPECT_EQ(target.Rows("SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE "
                        "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' ORDER BY "
                        "ORDINAL_POSITION"),
            (std::vector<std::string>{"code|varchar(300)", "v|varchar(400)"}));
  EXPECT_EQ(target.Rows("SELECT length(code), length(v) FROM t ORDER BY code"),
            (std::vector<std::string>{"1|3", "300|400"}));

  db_->Exec(fmt::format("ALTER TABLE {} ALTER COLUMN code TYPE text", src));
  db_->Exec(fmt::format("INSERT INTO {} VALUES ('b', 'two')", src));
  EXPECT_EQ(Run({"run", "job.yaml", "--catch-up"}), 2) << Log();
  EXPECT_NE(Log().find("column code of the target's key was widened at the source to a text "
                       "without a length, more than an index of it can hold (768 characters)"),
            std::string::npos)
      << Log();
  EXPECT_EQ(target.Value("SELECT count(*) FROM t"), "2");
  db_->Exec(fmt::format("DROP TABLE {}", src));
}

// A type change made while no run streams, and no change of the table before it in the
// stream: the next run's Open reads the new type, and so does the stream's Relation; only the
// column types committed with the position tell. It stops as a live run does, before writing
// a row of the new type (numeric(10,2) -> numeric(10,1) rounded every value, without a change
// in the stream).
TEST_F(PgSchemaChangeTest, TypeChangeWhileNoRunStreamsStopsWithTheSameMessage) {
  db_->Exec(fmt::format("ALTER TABLE {} ADD COLUMN a numeric(10,2)", src_));
  WriteJobToPostgres();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  db_->Exec(fmt::format("ALTER TABLE {} ALTER COLUMN a TYPE numeric(10,1)", src_));
  db_->Exec(fmt::format("INSERT INTO {} VALUES (9, 'nine', NULL, 2.3)", src_));
  EXPECT_EQ(Run({"run", "job.yaml", "--catch-up"}), 2) << Log();
  const std::string err = Log();
  EXPECT_NE(err.find(fmt::format("public.{}: column a changed type at the source (decimal(10,2) "
                                 "-> decimal(10,1))",
                                 src_)),
            std::string::npos)
      << err;
  EXPECT_EQ(db_->Value(fmt::format("SELECT count(*) FROM {}.t", ods_)), "3");
  // Again: the position did not move, the message is the same.
  EXPECT_EQ(Run({"run", "job.yaml", "--catch-up"}), 2) << Log();
  EXPECT_NE(Log().find("changed type at the source (decimal(10,2) -> decimal(10,1))"),
            std::string::npos);
}

// A column renamed while no run streams (cron --catch-up runs): the next run's Open reads the
// new name from the catalog, and the stream's Relation has it too; only the names committed
// with the position show that d went and e came. It stops as a live run does, before writing
// the update (which would leave e NULL in the rows the stream does not change again).
TEST_F(PgSchemaChangeTest, RenameWhileNoRunStreamsStopsAsALiveRunDoes) {
  WriteJobToPostgres();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  const std::string rows = fmt::format("SELECT id, v, d FROM {}.t ORDER BY id", ods_);
  ASSERT_EQ(Lines(rows), (std::vector<std::string>{"1|one|d1", "2|two|d2", "3|three|d3"}));
  db_->Exec(fmt::format("ALTER TABLE {} RENAME COLUMN d TO e", src_));
  db_->Exec(fmt::format("UPDATE {} SET v = 'two+' WHERE id = 2", src_));
  EXPECT_EQ(Run({"run", "job.yaml", "--catch-up"}), 2) << Log();
  EXPECT_NE(Log().find(fmt::format("public.{}: column d went and e came at the source since the "
                                   "last change of the table this job read",
                                   src_)),
            std::string::npos)
      << Log();
  EXPECT_EQ(Lines(rows), (std::vector<std::string>{"1|one|d1", "2|two|d2", "3|three|d3"}));
  EXPECT_EQ(Run({"run", "job.yaml", "--catch-up"}), 2) << Log();
  EXPECT_NE(Log().find("column d went and e came"), std::string::npos) << Log();
}

// Column names a quoted PostgreSQL identifier allows: a newline, a backslash, a double quote,
// and two names that differ only by case. One with a newline is dropped while no run streams:
// the next run learns it from the names committed with the position (escaped there), and the
// row updated after the drop takes NULL in it; the other columns arrive as they are.
TEST_F(PgSchemaChangeTest, OddColumnNamesSurviveAndOneDroppedWhileNoRunStreamsTakesNull) {
  db_->Exec(
      fmt::format("ALTER TABLE {} ADD COLUMN \"line\nbreak\" int DEFAULT 7, ADD COLUMN "
                  "\"back\\slash \"\"q\"\"\" "
                  "text DEFAULT 'b', ADD COLUMN \"V\" text DEFAULT 'upper'",
                  src_));
  WriteJobToPostgres();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  const std::string columns =
      "id, v, \"V\", coalesce(\"line\nbreak\"::text, 'NULL'), \"back\\slash \"\"q\"\"\"";
  EXPECT_EQ(Lines(fmt::format("SELECT {} FROM {}.t ORDER BY id", columns, ods_)),
            (std::vector<std::string>{"1|one|upper|7|b", "2|two|upper|7|b", "3|three|upper|7|b"}));

  db_->Exec(fmt::format("ALTER TABLE {} DROP COLUMN \"line\nbreak\"", src_));
  db_->Exec(fmt::format("UPDATE {} SET v = 'two+', \"V\" = 'V2' WHERE id = 2", src_));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log();
  EXPECT_EQ(Lines(fmt::format("SELECT {} FROM {}.t ORDER BY id", columns, ods_)),
            (std::vector<std::string>{"1|one|upper|7|b", "2|two+|V2|NULL|b", "3|three|upper|7|b"}))
      << Log();
}

}  // namespace
}  // namespace sluice::postgres::replication_stream
