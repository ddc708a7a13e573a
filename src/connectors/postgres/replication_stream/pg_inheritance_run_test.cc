// A table other tables INHERIT from (PostgreSQL table inheritance, the partitioning of old
// schemas), through the real binary. Reading the parent returns the children's rows too, and a
// publication of it publishes them, but their changes arrive under the children's own names.
// Found by a probe: the snapshot copied the children's rows, and their updates, deletes and
// inserts never reached the target, with exit 0. Now such a table stops the start naming the
// children, and `inherited_rows: leave_out` streams the parent's own rows (FROM ONLY).
#include "connectors/postgres/replication_stream/pg_run_fixture.h"

namespace sluice::postgres::replication_stream {
namespace {

using postgres::testing::DbUrl;
using testing::PgRunTest;

class InheritanceRunTest : public PgRunTest {
 protected:
  void SetUp() override {
    PgRunTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    parent_ = "ih_" + job_;
    child_ = parent_ + "_child";
    Drop();
    db_->Exec(fmt::format("CREATE TABLE {} (id int PRIMARY KEY, v text)", parent_));
    db_->Exec(fmt::format("CREATE TABLE {} (extra int) INHERITS ({})", child_, parent_));
    db_->Exec(fmt::format("ALTER TABLE {} ADD PRIMARY KEY (id)", child_));
    db_->Exec(
        fmt::format("INSERT INTO {} SELECT g, 'p' || g FROM generate_series(1, 5) g", parent_));
    db_->Exec(fmt::format("INSERT INTO {} VALUES (10, 'c10', 1), (11, 'c11', 2)", child_));
  }
  void TearDown() override {
    if (db_) Drop();
    PgRunTest::TearDown();
  }
  void Drop() {
    db_->Exec(
        fmt::format("DROP TABLE IF EXISTS {}_copy, {}, {} CASCADE", parent_, child_, parent_));
  }
  void WriteJob(const std::string& source_extra) {
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: {}\nmode: realtime\n"
        "source: {{type: postgres, url: \"{}\", table: public.{}, snapshot_chunk_rows: 2{}}}\n"
        "target: {{type: postgres, url: \"{}\", table: public.{}_copy}}\n",
        job_, DbUrl(), parent_, source_extra, DbUrl(), parent_);
  }
  std::string Copy() {
    return db_->Value(
        fmt::format("SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM {}_copy", parent_));
  }
  std::string Own() {
    return db_->Value(
        fmt::format("SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM ONLY {}", parent_));
  }
  std::string parent_;
  std::string child_;
};

TEST_F(InheritanceRunTest, AParentStopsTheStartOrStreamsItsOwnRowsOnly) {
  WriteJob("");
  EXPECT_EQ(Run({"run", "job.yaml", "--catch-up"}), 2);
  EXPECT_NE(Log("run.log.err")
                .find(fmt::format("public.{}: tables INHERIT from it ({}): reading it returns "
                                  "their rows too, but their changes arrive under their own "
                                  "names",
                                  parent_, child_)),
            std::string::npos)
      << Log("run.log.err");
  EXPECT_EQ(db_->Value(fmt::format("SELECT to_regclass('{}_copy') IS NULL", parent_)), "t");

  // The snapshot in chunks of 2 rows reads ONLY the parent, and its changes follow; the
  // child's changes are not the job's.
  WriteJob(", inherited_rows: leave_out");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(Copy(), "1:p1,2:p2,3:p3,4:p4,5:p5");
  db_->Exec(fmt::format("UPDATE {} SET v = v || '+' WHERE id IN (2, 10)", parent_));
  db_->Exec(fmt::format("DELETE FROM {} WHERE id IN (3, 11)", parent_));
  db_->Exec(fmt::format("INSERT INTO {} VALUES (6, 'p6')", parent_));
  db_->Exec(fmt::format("INSERT INTO {} VALUES (12, 'c12', 3)", child_));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(Copy(), Own());
  EXPECT_EQ(Copy(), "1:p1,2:p2+,4:p4,5:p5,6:p6");
}

// A view or materialized view named by a realtime job: logical replication publishes tables
// only. The start used to stop with "REPLICA IDENTITY NOTHING", which points at the wrong fix.
TEST_F(InheritanceRunTest, AViewStopsTheStartSayingWhatToStreamInstead) {
  db_->Exec(
      fmt::format("CREATE VIEW {0}_v AS SELECT * FROM {0}; CREATE MATERIALIZED VIEW {0}_m "
                  "AS SELECT * FROM {0}",
                  parent_));
  for (const std::string& kind : {std::string("v"), std::string("m")}) {
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: {}\nmode: realtime\n"
        "source: {{type: postgres, url: \"{}\", table: public.{}_{}}}\n"
        "target: {{type: postgres, url: \"{}\", table: public.{}_copy, key: [id]}}\n",
        job_, DbUrl(), parent_, kind, DbUrl(), parent_);
    EXPECT_EQ(Run({"run", "job.yaml", "--catch-up"}), 2) << kind;
    EXPECT_NE(Log("run.log.err")
                  .find(fmt::format("public.{}_{}: a {}", parent_, kind,
                                    kind == "v" ? "view, whose rows change through its base "
                                                  "tables, which logical replication does not "
                                                  "publish"
                                                : "materialized view, whose rows change at "
                                                  "REFRESH")),
              std::string::npos)
        << Log("run.log.err");
  }
  db_->Exec(fmt::format("DROP VIEW {0}_v; DROP MATERIALIZED VIEW {0}_m", parent_));
}

}  // namespace
}  // namespace sluice::postgres::replication_stream
