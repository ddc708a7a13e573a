// Large values an update did not touch, through the real binary. PostgreSQL stores values over
// ~2 KB out of line (TOAST) and, under REPLICA IDENTITY DEFAULT, an update that leaves them
// alone does not send them: they arrive as "unchanged" cells (core/column.h), and the target
// must keep what it holds. Covered: updates of other columns (alone, repeated in separate
// transactions, after an insert of the same row in the same transaction), a NOT NULL large
// column, deletes next to them; PostgreSQL and MariaDB targets equal to the source after it;
// SQLite keeps them; JSON-lines change events carry Debezium's placeholder, and plain JSON-lines
// rows (which cannot say "unchanged") make the job stop with the fix; an update
// that moves a row to a new key and leaves its large value behind stops with the fix.
#include <sqlite3.h>

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "connectors/mysql/mysql_test_util.h"
#include "connectors/postgres/replication_stream/pg_run_fixture.h"

namespace sluice::postgres::replication_stream {
namespace {

using postgres::testing::DbUrl;
using testing::PgRunTest;

class PgUnchangedToastTest : public PgRunTest {
 protected:
  void SetUp() override {
    PgRunTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    src_ = job_ + "_toast";
    ods_ = job_ + "_ods";
    // STORAGE EXTERNAL: out of line without compression, so md5 text is stored in TOAST.
    db_->Exec(fmt::format(
        "DROP TABLE IF EXISTS {0}; CREATE TABLE {0} (id int PRIMARY KEY, n int NOT NULL, "
        "big text NOT NULL, doc bytea, note text); ALTER TABLE {0} ALTER COLUMN big SET "
        "STORAGE EXTERNAL, ALTER COLUMN doc SET STORAGE EXTERNAL; "
        "INSERT INTO {0} SELECT g, g, repeat(md5(g::text), 200), "
        "decode(repeat(md5((g * 7)::text), 100), 'hex'), 'note' || g "
        "FROM generate_series(1, 40) g; "
        "DROP SCHEMA IF EXISTS {1} CASCADE; CREATE SCHEMA {1}",
        src_, ods_));
  }
  void TearDown() override {
    if (db_)
      db_->Exec(
          fmt::format("DROP TABLE IF EXISTS {}; DROP SCHEMA IF EXISTS {} CASCADE", src_, ods_));
    PgRunTest::TearDown();
  }
  void WriteJob(const std::string& target) {
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: {}\nmode: realtime\nsource: {{type: postgres, url: \"{}\", table: {}}}\n"
        "target: {}\n",
        job_, DbUrl(), src_, target);
  }
  // Updates that leave big and doc unchanged, in several shapes.
  void UpdateAroundLargeValues() {
    db_->Exec(fmt::format("UPDATE {} SET n = n + 1000 WHERE id <= 10", src_));
    db_->Exec(fmt::format("UPDATE {} SET n = n + 1 WHERE id = 5", src_));
    db_->Exec(fmt::format("UPDATE {} SET note = NULL WHERE id = 5", src_));
    db_->Exec(fmt::format(
        "BEGIN; INSERT INTO {0} VALUES (100, 100, repeat('x', 5000), decode(repeat('ab', "
        "3000), 'hex'), 'new'); UPDATE {0} SET n = 101 WHERE id = 100; UPDATE {0} SET note = "
        "'twice' WHERE id = 100; COMMIT",
        src_));
    db_->Exec(fmt::format(
        "BEGIN; UPDATE {0} SET big = 'short now' WHERE id = 3; UPDATE {0} SET n = 33 WHERE id "
        "= 3; UPDATE {0} SET n = 34 WHERE id = 4; DELETE FROM {0} WHERE id = 6; COMMIT",
        src_));
    db_->Exec(fmt::format("UPDATE {} SET doc = NULL WHERE id = 7", src_));
    db_->Exec(fmt::format("UPDATE {} SET n = -n WHERE id BETWEEN 7 AND 12", src_));
  }
  std::string SourceRowsSql() const {
    return fmt::format("SELECT id, n, md5(big), md5(doc), note FROM {} ORDER BY id", src_);
  }

  std::string src_;
  std::string ods_;
};

TEST_F(PgUnchangedToastTest, PostgresTargetKeepsTheValuesUpdatesLeftUnchanged) {
  WriteJob(fmt::format("{{type: postgres, url: \"{}\", table: {}.t}}", DbUrl(), ods_));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  UpdateAroundLargeValues();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(
      db_->Rows(fmt::format("SELECT id, n, md5(big), md5(doc), note FROM {}.t ORDER BY id", ods_)),
      db_->Rows(SourceRowsSql()));
  EXPECT_EQ(db_->Value(fmt::format("SELECT count(*) FROM {}.t WHERE length(big) = 6400", ods_)),
            "38");
  // Again, with the target's values filled a second time over.
  db_->Exec(fmt::format("UPDATE {} SET n = n + 1 WHERE id % 2 = 0", src_));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(
      db_->Rows(fmt::format("SELECT id, n, md5(big), md5(doc), note FROM {}.t ORDER BY id", ods_)),
      db_->Rows(SourceRowsSql()));
}

TEST_F(PgUnchangedToastTest, MariadbTargetKeepsTheValuesUpdatesLeftUnchanged) {
  mysql::testing::TestDatabase target;
  WriteJob(fmt::format("{{type: mysql, url: \"{}\", table: t}}", target.Url()));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  UpdateAroundLargeValues();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  std::vector<std::string> want;
  for (const auto& row : db_->Rows(SourceRowsSql())) {
    std::string line;
    for (const std::string& cell : row) line += (line.empty() ? "" : "|") + cell;
    want.push_back(line);
  }
  EXPECT_EQ(target.Rows("SELECT CONCAT_WS('|', id, n, md5(big), COALESCE(md5(doc), 'NULL'), "
                        "COALESCE(note, 'NULL')) FROM t ORDER BY id"),
            want);
}

TEST_F(PgUnchangedToastTest, SqliteTargetKeepsTheValuesUpdatesLeftUnchanged) {
  WriteJob("{type: sqlite, path: out.db, table: t}");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  UpdateAroundLargeValues();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  std::vector<std::string> want;
  for (const auto& row : db_->Rows(fmt::format(
           "SELECT id || '|' || n || '|' || length(big) || '|' || coalesce(length(doc)::text, "
           "'NULL') || '|' || coalesce(note, 'NULL') FROM {} ORDER BY id",
           src_))) {
    want.push_back(row[0]);
  }
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "out.db").c_str(), &h), SQLITE_OK);
  std::vector<std::string> got;
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(h,
                               "SELECT id || '|' || n || '|' || length(big) || '|' || "
                               "coalesce(length(doc), 'NULL') || '|' || coalesce(note, 'NULL') "
                               "FROM t ORDER BY id",
                               -1, &st, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(h);
  while (sqlite3_step(st) == SQLITE_ROW) {
    got.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  EXPECT_EQ(got, want);
}

TEST_F(PgUnchangedToastTest, ChangeEventsMarkTheValueAsUnavailableAndPlainRowsRefuse) {
  WriteJob("{type: jsonl, path: events.jsonl}");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db_->Exec(fmt::format("UPDATE {} SET n = 0 WHERE id = 2", src_));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  const std::string events = Log("events.jsonl");
  const size_t update = events.find("\"op\":\"u\"");
  ASSERT_NE(update, std::string::npos) << events;
  const std::string line = events.substr(update, events.find('\n', update) - update);
  EXPECT_NE(line.find("\"big\":\"__debezium_unavailable_value\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"n\":0"), std::string::npos) << line;
  // The event's source position is the LSN alone (not the columns committed beside it).
  EXPECT_TRUE(std::regex_search(line, std::regex(R"("position":"[0-9A-F]+/[0-9A-F]+")"))) << line;

  // Plain rows cannot say "unchanged": the job stops rather than write null there.
  std::filesystem::remove(dir_ / "events.jsonl");
  std::ofstream(dir_ / "job.yaml") << fmt::format(
      "name: {}\nmode: realtime\nsource: {{type: postgres, url: \"{}\", table: {}}}\n"
      "target: {{type: jsonl, path: rows.jsonl, format: rows}}\n",
      job_ + "_rows", DbUrl(), src_);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db_->Exec(fmt::format("UPDATE {} SET n = 1 WHERE id = 2", src_));
  EXPECT_NE(Run({"run", "job.yaml", "--catch-up"}), 0);
  const std::string err = Log("run.log.err");
  EXPECT_NE(err.find("did not send the value of column 'big'"), std::string::npos) << err;
  EXPECT_NE(err.find("REPLICA IDENTITY FULL"), std::string::npos) << err;
  Result<std::string> dropped = DropSlotAndPublication(DbUrl(), DefaultSlotName(job_ + "_rows"),
                                                       DefaultSlotName(job_ + "_rows"));
  EXPECT_TRUE(dropped.has_value()) << dropped.error().message();
}

TEST_F(PgUnchangedToastTest, AnUpdateThatMovesTheKeyAndLeavesAValueStopsWithTheFix) {
  WriteJob(fmt::format("{{type: postgres, url: \"{}\", table: {}.t}}", DbUrl(), ods_));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db_->Exec(fmt::format("UPDATE {} SET id = 500 WHERE id = 9", src_));
  EXPECT_NE(Run({"run", "job.yaml", "--catch-up"}), 0);
  const std::string err = Log("run.log.err");
  EXPECT_NE(err.find("moved a row to a new key"), std::string::npos) << err;
  EXPECT_EQ(db_->Value(fmt::format("SELECT count(*) FROM {}.t WHERE id = 500", ods_)), "0");
}

}  // namespace
}  // namespace sluice::postgres::replication_stream
