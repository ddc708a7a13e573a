// MariaDB's system-versioned tables (WITH SYSTEM VERSIONING) through the real binary. A SELECT
// reads their current rows, but the binlog carries their history: a DELETE is logged as an
// UPDATE of row_end and an UPDATE also inserts the old row. A realtime run used to take those
// for current rows and exit 0 (a deleted row stayed, an updated one went back to its old value,
// row_start/row_end appeared as new columns); now it stops before reading, saying what to do.
// And a `tables:` pattern used to leave such tables out without a word, in batch jobs too: now
// they are copied like any other table (their current rows).
#include "connectors/mysql/binlog_stream/binlog_run_fixture.h"

namespace sluice::mysql::binlog_stream {
namespace {

using testing::TestDatabase;

class SystemVersionedRunTest : public testing::RunFixture {
 protected:
  void CreateTable(TestDatabase& db) {
    db.Exec("CREATE TABLE sv (id INT PRIMARY KEY, v TEXT) WITH SYSTEM VERSIONING");
    db.Exec("INSERT INTO sv VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    db.Exec("UPDATE sv SET v = 'a2' WHERE id = 1");
    db.Exec("DELETE FROM sv WHERE id = 2");
  }
};

TEST_F(SystemVersionedRunTest, ARealtimeJobStopsBeforeReadingSayingWhatToDo) {
  TestDatabase db;
  TestDatabase target;
  CreateTable(db);
  std::ofstream(dir_ / "job.yaml") << fmt::format(
      "name: sv_rt_{}\nmode: realtime\n"
      "source: {{type: mysql, url: \"{}\", table: sv}}\n"
      "target: {{type: mysql, url: \"{}\", table: sv}}\n",
      db.name(), db.Url(), target.Url());
  EXPECT_NE(Run({"run", "job.yaml", "--catch-up"}), 0);
  const std::string err = Log("run.log.err");
  EXPECT_NE(err.find(db.name() + ".sv: a system-versioned table (WITH SYSTEM VERSIONING) is not "
                                 "streamed yet"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("\"!" + db.name() + ".sv\""), std::string::npos) << err;
  EXPECT_EQ(target.Value("SELECT count(*) FROM information_schema.tables WHERE table_schema = "
                         "DATABASE() AND table_name = 'sv'"),
            "0");
}

TEST_F(SystemVersionedRunTest, ABatchJobOverManyTablesCopiesItsCurrentRows) {
  TestDatabase db;
  TestDatabase target;
  CreateTable(db);
  db.Exec("CREATE TABLE plain (id INT PRIMARY KEY)");
  db.Exec("INSERT INTO plain VALUES (7)");
  std::ofstream(dir_ / "job.yaml") << fmt::format(
      "name: sv_batch_{}\n"
      "source: {{type: mysql, url: \"{}\", tables: [\"{}.*\"]}}\n"
      "target: {{type: mysql, url: \"{}\", table: \"${{table}}\"}}\n",
      db.name(), db.Url(), db.name(), target.Url());
  ASSERT_EQ(Run({"run", "job.yaml"}), 0) << Log("run.log.err");
  EXPECT_EQ(target.Rows("SELECT id, v FROM sv ORDER BY id"),
            (std::vector<std::string>{"1|a2", "3|c"}));
  EXPECT_EQ(target.Value("SELECT id FROM plain"), "7");
}

// A view named by a realtime job: the binlog logs its base table's rows under the base
// table's name. Found by a probe: with a target.key the job copied the view, then every change
// passed it by, exit 0. Now it stops before reading, saying what to stream instead.
TEST_F(SystemVersionedRunTest, ARealtimeJobOfAViewStopsBeforeReading) {
  TestDatabase db;
  TestDatabase target;
  db.Exec("CREATE TABLE base (id INT PRIMARY KEY, v TEXT)");
  db.Exec("INSERT INTO base VALUES (1, 'a')");
  db.Exec("CREATE VIEW vw AS SELECT id, v FROM base");
  std::ofstream(dir_ / "job.yaml") << fmt::format(
      "name: vw_rt_{}\nmode: realtime\n"
      "source: {{type: mysql, url: \"{}\", table: vw}}\n"
      "target: {{type: mysql, url: \"{}\", table: vw_copy, key: [id]}}\n",
      db.name(), db.Url(), target.Url());
  EXPECT_EQ(Run({"run", "job.yaml", "--catch-up"}), 2);
  EXPECT_NE(Log("run.log.err")
                .find(db.name() + ".vw: a view, whose rows change through its base tables: the "
                                  "binlog logs their changes under their own names"),
            std::string::npos)
      << Log("run.log.err");
  EXPECT_EQ(target.Value("SELECT count(*) FROM information_schema.tables WHERE table_schema = '" +
                         target.name() + "' AND table_name = 'vw_copy'"),
            "0");
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream
