// A source table with a generated column (GENERATED ALWAYS AS ... STORED) through realtime runs
// of the real binary. pgoutput never sends such a column: the snapshot copied its values, and
// every row a change wrote used to hold NULL in it, silently. Now the job must drop it or
// compute it (`set`), and an expression may not read it; either way the target equals the
// source as the job shapes it.
#include "connectors/postgres/replication_stream/pg_run_fixture.h"

namespace sluice::postgres::replication_stream {
namespace {

using postgres::testing::DbUrl;
using testing::PgRunTest;

class GeneratedColumnsRunTest : public PgRunTest {
 protected:
  void SetUp() override {
    PgRunTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    db_->Exec("DROP TABLE IF EXISTS gc_src; DROP TABLE IF EXISTS gc_copy");
    db_->Exec(
        "CREATE TABLE gc_src (id int PRIMARY KEY, a int, label text, "
        "g int GENERATED ALWAYS AS (a * 10) STORED)");
    db_->Exec(
        "INSERT INTO gc_src (id, a, label) SELECT i, i, 'x' || i FROM "
        "generate_series(1, 20) i");
  }
  void WriteJob(const std::string& transforms, const std::string& source = "table: public.gc_src") {
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: {}\nmode: realtime\n"
        "source: {{type: postgres, url: \"{}\", {}}}\n"
        "target: {{type: postgres, url: \"{}\", table: public.gc_copy}}\n{}",
        job_, DbUrl(), source, DbUrl(), transforms);
  }
  void Change() {
    db_->Exec("INSERT INTO gc_src (id, a, label) VALUES (21, 21, 'new')");
    db_->Exec("UPDATE gc_src SET a = a + 100 WHERE id IN (2, 3)");
    db_->Exec("UPDATE gc_src SET label = 'relabelled' WHERE id = 4");
    db_->Exec("DELETE FROM gc_src WHERE id = 5");
  }
  bool TargetExists() {
    return db_->Value("SELECT count(*) FROM pg_class WHERE relname = 'gc_copy'") == "1";
  }
};

TEST_F(GeneratedColumnsRunTest, AJobThatWouldCopyItStopsBeforeWritingSayingWhatToDo) {
  WriteJob("");
  EXPECT_NE(Run({"run", "job.yaml", "--catch-up"}), 0);
  const std::string err = Log("run.log.err");
  EXPECT_NE(err.find("column 'g' would be NULL in every row a change writes: public.gc_src.g is "
                     "GENERATED ALWAYS AS (a * 10) STORED"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("{drop: [g]}"), std::string::npos) << err;
  EXPECT_NE(err.find("generated_columns: leave_out"), std::string::npos) << err;
  EXPECT_FALSE(TargetExists());
  EXPECT_NE(Run({"check", "job.yaml"}), 0);  // check says so too
  EXPECT_NE(Log("run.log.err").find("would be NULL in every row"), std::string::npos)
      << Log("run.log.err");
}

TEST_F(GeneratedColumnsRunTest, AnExpressionMayNotReadIt) {
  WriteJob("transforms:\n  - filter: \"g > 50\"\n");
  EXPECT_NE(Run({"run", "job.yaml", "--catch-up"}), 0);
  const std::string err = Log("run.log.err");
  EXPECT_NE(err.find("transforms[0] (filter): at position 1: column 'g' cannot be read: the "
                     "change stream never carries its value"),
            std::string::npos)
      << err;
  EXPECT_FALSE(TargetExists());
}

TEST_F(GeneratedColumnsRunTest, ComputedByTheJobItMatchesTheSourceAfterChanges) {
  WriteJob("transforms:\n  - set: { g: \"a * 10\" }\n");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  Change();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  constexpr const char* all = "SELECT id, a, label, g FROM {} ORDER BY id";
  EXPECT_EQ(db_->Rows(fmt::format(all, "gc_copy")), db_->Rows(fmt::format(all, "gc_src")));
  EXPECT_EQ(db_->Value("SELECT g FROM gc_copy WHERE id = 2"), "1020");
}

TEST_F(GeneratedColumnsRunTest, DroppedByTheJobTheRestMatches) {
  WriteJob("transforms:\n  - drop: [g]\n");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  Change();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(db_->Value("SELECT count(*) FROM information_schema.columns WHERE table_name = "
                       "'gc_copy' AND column_name = 'g'"),
            "0");
  constexpr const char* all = "SELECT id, a, label FROM {} ORDER BY id";
  EXPECT_EQ(db_->Rows(fmt::format(all, "gc_copy")), db_->Rows(fmt::format(all, "gc_src")));
}

// A job over many tables cannot drop a column some of its tables lack: the source leaves every
// generated column out.
TEST_F(GeneratedColumnsRunTest, ManyTablesLeaveThemOutWhenTheSourceSaysSo) {
  db_->Exec("DROP TABLE IF EXISTS gc_other; CREATE TABLE gc_other (id int PRIMARY KEY, v text)");
  db_->Exec("INSERT INTO gc_other VALUES (1, 'one')");
  db_->Exec("DROP TABLE IF EXISTS gc_src_copy; DROP TABLE IF EXISTS gc_other_copy");
  auto write_job = [&](const std::string& source_extra) {
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: {}\nmode: realtime\n"
        "source: {{type: postgres, url: \"{}\", tables: [public.gc_src, public.gc_other]{}}}\n"
        "target: {{type: postgres, url: \"{}\", table: \"public.${{table}}_copy\"}}\n",
        job_, DbUrl(), source_extra, DbUrl());
  };
  // `check` plans with the run's change reader too: it says what the run would refuse.
  write_job("");
  EXPECT_NE(Run({"check", "job.yaml"}), 0);
  EXPECT_NE(Log("run.log").find("ERROR: the change stream: job.yaml: column 'g' would be NULL"),
            std::string::npos)
      << Log("run.log") << Log("run.log.err");
  write_job(", generated_columns: leave_out");
  ASSERT_EQ(Run({"check", "job.yaml"}), 0) << Log("run.log") << Log("run.log.err");
  EXPECT_NE(Log("run.log").find("columns id int32, a int32, label string\n"), std::string::npos)
      << Log("run.log");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_NE(Log("run.log.err").find("public.gc_src: leaving out generated column g"),
            std::string::npos)
      << Log("run.log.err");
  Change();
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(db_->Value("SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM "
                       "information_schema.columns WHERE table_name = 'gc_src_copy'"),
            "id,a,label");
  constexpr const char* all = "SELECT id, a, label FROM {} ORDER BY id";
  EXPECT_EQ(db_->Rows(fmt::format(all, "gc_src_copy")), db_->Rows(fmt::format(all, "gc_src")));
  EXPECT_EQ(db_->Value("SELECT v FROM gc_other_copy"), "one");
  db_->Exec("DROP TABLE gc_other; DROP TABLE gc_src_copy; DROP TABLE gc_other_copy");
}

}  // namespace
}  // namespace sluice::postgres::replication_stream
