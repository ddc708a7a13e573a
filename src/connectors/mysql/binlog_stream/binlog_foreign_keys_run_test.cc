// Foreign keys that cascade, through the real binary. InnoDB carries out ON DELETE CASCADE
// (and ON UPDATE CASCADE, SET NULL) inside the storage engine, and MariaDB writes only the
// statement's own rows to the binlog. A realtime job on the child table used to exit 0 with
// the cascaded deletes and updates missing from the target (seen: a child row deleted by its
// parent's delete stayed, a parent key change left the old key). Such a table is now refused
// before the run, naming the foreign key, unless the job says foreign_key_actions: ignore.
#include "connectors/mysql/binlog_stream/binlog_run_fixture.h"

namespace sluice::mysql::binlog_stream {
namespace {

using testing::TestDatabase;

class ForeignKeysRunTest : public testing::RunFixture {
 protected:
  void CreateTables(TestDatabase& db, const std::string& rule) {
    db.Exec("CREATE TABLE pa (id INT PRIMARY KEY) ENGINE=InnoDB");
    db.Exec(
        "CREATE TABLE ch (id INT PRIMARY KEY, pid INT, FOREIGN KEY fk_pa (pid) REFERENCES "
        "pa (id) " +
        rule + ") ENGINE=InnoDB");
    db.Exec("INSERT INTO pa VALUES (1), (2)");
    db.Exec("INSERT INTO ch VALUES (10, 1), (20, 2)");
  }
  // Into `target`: one table (source_extra names it with table: ch) or each under its name.
  void WriteJob(TestDatabase& db, TestDatabase& target, const std::string& source_extra) {
    const bool many = source_extra.find("tables:") != std::string::npos;
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: fk_{}\nmode: realtime\n"
        "source: {{type: mysql, url: \"{}\"{}}}\n"
        "target: {{type: mysql, url: \"{}\", table: \"{}\"}}\n",
        db.name(), db.Url(), source_extra, target.Url(), many ? "${table}" : "ch");
  }
};

TEST_F(ForeignKeysRunTest, ACascadingChildTableIsRefusedNamingTheForeignKey) {
  TestDatabase db;
  TestDatabase target;
  CreateTables(db, "ON DELETE CASCADE");
  WriteJob(db, target, ", table: ch");
  EXPECT_NE(Run({"run", "job.yaml", "--catch-up"}), 0);
  const std::string err = Log("run.log.err");
  EXPECT_NE(err.find(fmt::format("{0}.ch: its foreign key fk_pa (ON DELETE CASCADE) changes its "
                                 "rows when {0}.pa changes, and the binlog never shows the rows "
                                 "a cascade changes",
                                 db.name())),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("foreign_key_actions: ignore"), std::string::npos) << err;
  // `check` says the same before any run.
  EXPECT_NE(Run({"check", "job.yaml"}), 0);
  EXPECT_NE(Log("run.log.err").find("its foreign key fk_pa"), std::string::npos)
      << Log("run.log.err");
  // Told to, the job streams it, and the cascade's delete is what the target lacks.
  WriteJob(db, target, ", table: ch, foreign_key_actions: ignore");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db.Exec("DELETE FROM pa WHERE id = 1");
  db.Exec("INSERT INTO ch VALUES (30, 2)");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(db.Rows("SELECT id FROM ch ORDER BY id"), (std::vector<std::string>{"20", "30"}));
  EXPECT_EQ(target.Rows("SELECT id FROM ch ORDER BY id"),
            (std::vector<std::string>{"10", "20", "30"}));
}

TEST_F(ForeignKeysRunTest, ManyTablesNameTheChildAndRunWithoutIt) {
  TestDatabase db;
  TestDatabase target;
  CreateTables(db, "ON UPDATE SET NULL");
  WriteJob(db, target, fmt::format(", tables: [\"{}.*\"]", db.name()));
  EXPECT_NE(Run({"run", "job.yaml", "--catch-up"}), 0);
  EXPECT_NE(Log("run.log.err")
                .find(fmt::format("{}.ch: its foreign key fk_pa (ON UPDATE SET NULL)", db.name())),
            std::string::npos)
      << Log("run.log.err");
  WriteJob(db, target, fmt::format(", tables: [\"{0}.*\", \"!{0}.ch\"]", db.name()));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db.Exec("INSERT INTO pa VALUES (3)");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(target.Rows("SELECT id FROM pa ORDER BY id"),
            (std::vector<std::string>{"1", "2", "3"}));
}

// A foreign key that only refuses (RESTRICT, NO ACTION) changes nothing unseen.
TEST_F(ForeignKeysRunTest, ARestrictingForeignKeyStreams) {
  TestDatabase db;
  TestDatabase target;
  CreateTables(db, "ON DELETE RESTRICT ON UPDATE NO ACTION");
  WriteJob(db, target, ", table: ch");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  db.Exec("DELETE FROM ch WHERE id = 10");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(target.Rows("SELECT id, pid FROM ch ORDER BY id"), (std::vector<std::string>{"20|2"}));
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream
