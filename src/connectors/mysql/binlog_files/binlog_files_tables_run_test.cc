// `tables:` patterns with `binlog_files` (the real binary, into PostgreSQL): the tables are the
// ones the files hold rows of, selected by the same patterns as a server's; one reader for all,
// each table into its own target table with its own position. A table outside the pattern never
// reaches the target; a run with more files continues every table after its own position.
#include <gtest/gtest.h>

#include "connectors/mysql/binlog_files/binlog_files_run_fixture.h"
#include "connectors/postgres/pg_testing.h"

namespace sluice::mysql::binlog_files {
namespace {

using testing::BinlogWindow;
using testing::TestDatabase;

const std::vector<std::string> kTables = {"items", "orders"};

class BinlogFilesTablesRunTest : public testing::FilesRunFixture {
 protected:
  // Transactions [from, to), each changing both tables and the one outside the pattern.
  static void Load(TestDatabase& db, int from, int to) {
    for (int t = from; t < to; ++t) {
      const int a = 1 + 3 * t;
      db.Exec("BEGIN");
      for (const std::string& table : kTables) {
        db.Exec(fmt::format("INSERT INTO {} VALUES ({}, 'new'), ({}, 'new')", table, a, a + 1));
        db.Exec(fmt::format("UPDATE {} SET v = 'upd {}' WHERE id = {}", table, t, a));
        db.Exec(fmt::format("UPDATE {} SET id = {} WHERE id = {}", table, a + 2, a + 1));
        if (t % 4 == 3) db.Exec(fmt::format("DELETE FROM {} WHERE id = {}", table, a - 9));
      }
      db.Exec(fmt::format("INSERT INTO skip_me VALUES ({}, 'never')", a));
      db.Exec("COMMIT");
      if (t == (from + to) / 2) db.Exec("FLUSH BINARY LOGS");
    }
  }
};

TEST_F(BinlogFilesTablesRunTest, PatternsSelectTablesOfTheFilesIntoPostgres) {
  TestDatabase db;
  for (const std::string& t : kTables) {
    db.Exec(fmt::format("CREATE TABLE {} (id INT PRIMARY KEY, v VARCHAR(30))", t));
  }
  db.Exec("CREATE TABLE skip_me (id INT PRIMARY KEY, v VARCHAR(30))");
  std::vector<std::string> first;
  {
    BinlogWindow window(db);
    Load(db, 0, 40);
    first = Copy(window.Close());
  }
  postgres::testing::RawConn pg(postgres::testing::DbUrl());
  const std::string schema = "bf_" + db.name();
  pg.Exec(fmt::format("CREATE SCHEMA \"{}\"", schema));
  auto write_job = [&](const std::vector<std::string>& files) {
    std::string list;
    for (const std::string& f : files) list += (list.empty() ? "" : ", ") + f;
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: binlog_files_tables\nmode: realtime\n"
        "source: {{type: mysql, binlog_files: [{}], tables: [\"{}.*\", \"!{}.skip_*\"]}}\n"
        "target: {{type: postgres, url: \"{}\", table: \"{}.${{table}}\", write_mode: upsert, "
        "key: [id]}}\nsettings: {{checkpoint: {{rows: 20}}}}\n",
        list, db.name(), db.name(), postgres::testing::DbUrl(), schema);
  };
  auto expect_equal = [&](const std::string& when) {
    for (const std::string& table : kTables) {
      std::vector<std::string> target;
      for (const auto& row :
           pg.Rows(fmt::format("SELECT id, v FROM \"{}\".\"{}\" ORDER BY id", schema, table))) {
        target.push_back(row[0] + "|" + row[1]);
      }
      EXPECT_EQ(target, db.Rows(fmt::format("SELECT id, v FROM {} ORDER BY id", table)))
          << table << " " << when;
    }
    EXPECT_EQ(pg.Value(fmt::format("SELECT count(*) FROM information_schema.tables WHERE "
                                   "table_schema = '{}'",
                                   schema)),
              "3")  // the two tables and _sluice_positions
        << when;
  };
  write_job(first);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  expect_equal("after the first files");

  std::vector<std::string> second;
  {
    BinlogWindow window(db);
    Load(db, 40, 70);
    second = Copy(window.Close());
  }
  std::vector<std::string> all = first;
  all.insert(all.end(), second.begin(), second.end());
  write_job(all);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  expect_equal("after more files");
}

}  // namespace
}  // namespace sluice::mysql::binlog_files
