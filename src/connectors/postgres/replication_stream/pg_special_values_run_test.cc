// NaN and ±infinity (numeric, float, date, timestamp, timestamptz) through a realtime run of
// the real binary. Into PostgreSQL they are values like any other, in the snapshot and in the
// changes alike; into a target whose types cannot hold them the run stops, saying how to read
// them as NULL, and with `special_values: null` it does.
#include <sqlite3.h>

#include "connectors/postgres/replication_stream/pg_run_fixture.h"

namespace sluice::postgres::replication_stream {
namespace {

using postgres::testing::DbUrl;
using testing::PgRunTest;

class SpecialValuesRunTest : public PgRunTest {
 protected:
  void CreateSource() {
    db_->Exec("DROP TABLE IF EXISTS sv_src; DROP TABLE IF EXISTS sv_copy");
    db_->Exec(
        "CREATE TABLE sv_src (id int PRIMARY KEY, ts timestamp, tz timestamptz, d date, "
        "n numeric, f float8, r real)");
    db_->Exec(
        "INSERT INTO sv_src VALUES (1, 'infinity', '-infinity', 'infinity', 'NaN', "
        "'Infinity', '-Infinity'), (2, '2026-01-01', '2026-01-01 00:00+00', '2026-01-01', "
        "1.5, 2.5, 3.5)");
  }
  void WriteJob(const std::string& target, const std::string& source_extra = "") {
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: {}\nmode: realtime\n"
        "source: {{type: postgres, url: \"{}\", table: public.sv_src{}}}\n"
        "target: {}\n",
        job_, DbUrl(), source_extra, target);
  }
  std::vector<std::string> SqliteRows(const std::string& query) {
    std::vector<std::string> out;
    sqlite3* h = nullptr;
    if (sqlite3_open((dir_ / "out.db").c_str(), &h) == SQLITE_OK) {
      sqlite3_stmt* st = nullptr;
      if (sqlite3_prepare_v2(h, query.c_str(), -1, &st, nullptr) == SQLITE_OK) {
        const int n = sqlite3_column_count(st);
        while (sqlite3_step(st) == SQLITE_ROW) {
          std::string row;
          for (int c = 0; c < n; ++c) {
            const unsigned char* v = sqlite3_column_text(st, c);
            row += (c ? "|" : "") + std::string(v ? reinterpret_cast<const char*>(v) : "");
          }
          out.push_back(row);
        }
      }
      sqlite3_finalize(st);
    }
    sqlite3_close(h);
    return out;
  }
  void Change() {
    db_->Exec(
        "INSERT INTO sv_src VALUES (3, '-infinity', 'infinity', '-infinity', "
        "'-Infinity', 'NaN', 'NaN')");
    db_->Exec("UPDATE sv_src SET ts = 'infinity', n = 'Infinity', f = '-Infinity' WHERE id = 2");
    db_->Exec("UPDATE sv_src SET ts = '2000-01-01', d = '2000-01-01' WHERE id = 1");
  }
};

TEST_F(SpecialValuesRunTest, IntoPostgresTheyAreValuesInTheSnapshotAndTheChanges) {
  CreateSource();
  WriteJob(
      fmt::format("{{type: postgres, url: \"{}\", table: public.sv_copy, write_mode: upsert, "
                  "key: [id]}}",
                  DbUrl()));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  Change();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  auto all = [](const char* t) {
    return fmt::format("SELECT id, ts, tz, d, n, f, r FROM {} ORDER BY id", t);
  };
  EXPECT_EQ(db_->Rows(all("sv_copy")), db_->Rows(all("sv_src")));
  EXPECT_EQ(db_->Value("SELECT count(*) FROM sv_copy WHERE ts = 'infinity' AND n = 'Infinity'"),
            "1");
}

TEST_F(SpecialValuesRunTest, ElsewhereTheRunStopsOrReadsThemAsNull) {
  CreateSource();
  db_->Exec("DELETE FROM sv_src WHERE id = 1");  // a snapshot the target can hold
  WriteJob("{type: sqlite, path: out.db, table: t, write_mode: upsert, key: [id]}");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  Change();
  EXPECT_NE(Run({"run", "job.yaml", "--catch-up"}), 0);
  EXPECT_NE(Log("run.log.err").find("set the source's special_values: \"null\""), std::string::npos)
      << Log("run.log.err");
  WriteJob("{type: sqlite, path: out.db, table: t, write_mode: upsert, key: [id]}",
           ", special_values: null");
  EXPECT_NE(Run({"run", "job.yaml", "--catch-up"}), 0);  // YAML's null is nothing
  EXPECT_NE(Log("run.log.err").find("write \"null\" in quotes"), std::string::npos)
      << Log("run.log.err");
  WriteJob("{type: sqlite, path: out.db, table: t, write_mode: upsert, key: [id]}",
           ", special_values: \"null\"");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(SqliteRows("SELECT id, coalesce(ts, 'NULL'), coalesce(n, 'NULL') FROM t ORDER BY id"),
            (std::vector<std::string>{"2|NULL|NULL", "3|NULL|NULL"}));
}

}  // namespace
}  // namespace sluice::postgres::replication_stream
