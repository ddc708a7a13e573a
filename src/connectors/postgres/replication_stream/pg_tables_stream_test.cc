// Against the test PostgreSQL: one PgReplicationStream over several tables (OpenTables /
// StartTables), as the realtime runner over `source.tables` reads it. A crash between the
// tables' first checkpoints leaves one table with a position and one without: the next start
// reads the second inside a temporary slot's snapshot and streams both from the oldest
// position, each table getting every change exactly once.
#include <gtest/gtest.h>

#include <chrono>
#include <map>

#include "connectors/postgres/pg_testing.h"
#include "connectors/postgres/replication_stream/pg_replication_stream.h"
#include "connectors/postgres/replication_stream/slot_setup.h"
#include "core/value_text.h"

namespace sluice::postgres::replication_stream {
namespace {

using postgres::testing::CollectingRejects;
using postgres::testing::DbUrl;
using postgres::testing::MakeOptions;
using postgres::testing::RawConn;

class PgTablesStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    job_ = fmt::format("pgts_{}", getpid());
    db_ = std::make_unique<RawConn>(DbUrl());
    db_->Exec("DROP SCHEMA IF EXISTS pgts CASCADE; CREATE SCHEMA pgts");
    db_->Exec("CREATE TABLE pgts.\"A\" (id int PRIMARY KEY, v text)");
    db_->Exec("CREATE TABLE pgts.a (id int PRIMARY KEY)");
    db_->Exec("INSERT INTO pgts.\"A\" VALUES (1, 'x'), (2, 'y'); INSERT INTO pgts.a VALUES (5)");
  }
  void TearDown() override {
    const std::string slot = DefaultSlotName(job_);
    Result<std::string> dropped = DropSlotAndPublication(DbUrl(), slot, slot);
    EXPECT_TRUE(dropped.has_value()) << dropped.error().message();
  }

  std::unique_ptr<StreamSource> OpenBoth() {
    std::vector<Options> sections;
    for (const char* t : {"pgts.\"A\"", "pgts.a"}) {
      sections.push_back(MakeOptions({{"url", DbUrl()}, {"table", t}}));
    }
    ConnectorContext context;
    context.job_name = job_;
    Result<std::unique_ptr<StreamSource>> made = PgReplicationStream::Make(sections[0], context);
    EXPECT_TRUE(made.has_value()) << made.error().message();
    if (!made) return nullptr;
    Status st = (*made)->OpenTables(sections, ReadRequest{});
    EXPECT_TRUE(st.ok()) << st.message();
    return st.ok() ? std::move(*made) : nullptr;
  }

  // Rows by table label ("I|1|x"), to the catch-up end.
  static std::map<std::string, std::vector<std::string>> ReadAll(StreamSource& s) {
    std::map<std::string, std::vector<std::string>> out;
    CollectingRejects rejects;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < give_up) {
      Batch batch(s.schema());
      Result<bool> more = s.Next(batch, rejects);
      EXPECT_TRUE(more.has_value()) << more.error().message();
      if (!more) break;
      for (size_t r = 0; r < batch.num_rows(); ++r) {
        std::string line(1, batch.kind(r) == RowKind::kInsert ? 'I' : '?');
        for (const Column& c : batch.columns) {
          line += '|';
          FormatValue(c, r, line);
        }
        out[batch.source_table].push_back(line);
      }
      if (!*more) break;
    }
    return out;
  }

  std::string job_;
  std::unique_ptr<RawConn> db_;
};

TEST_F(PgTablesStreamTest, ATableWithoutAPositionIsSnapshottedAgainAlone) {
  std::vector<StreamPosition> first_positions;
  {
    std::unique_ptr<StreamSource> s = OpenBoth();
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->StartTables({{}, {}}, /*catch_up=*/true).ok());
    auto rows = ReadAll(*s);
    EXPECT_EQ(rows["pgts.A"], (std::vector<std::string>{"I|1|x", "I|2|y"}));
    EXPECT_EQ(rows["pgts.a"], (std::vector<std::string>{"I|5"}));
    first_positions = s->TablePositions(0);
    // The LSN, the table's oid and its columns (core/schema_change.h).
    ASSERT_EQ(first_positions.size(), 3u);
    EXPECT_EQ(first_positions[0].stream, "pgoutput");
    EXPECT_EQ(first_positions[1].stream, kSourceTableStream);
    EXPECT_EQ(first_positions[1].position.rfind("oid ", 0), 0u) << first_positions[1].position;
    EXPECT_EQ(first_positions[2].stream, StreamSchemaTracker::kKnownColumnsStream);
    EXPECT_EQ(first_positions[2].position, "int32 id\nstring(0) v");
    ASSERT_TRUE(s->Acknowledge(first_positions).ok());
  }
  // Table A committed its snapshot with first_positions; table a's commit was lost.
  db_->Exec("INSERT INTO pgts.\"A\" VALUES (3, 'z'); INSERT INTO pgts.a VALUES (6)");
  std::unique_ptr<StreamSource> s = OpenBoth();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->StartTables({first_positions, {}}, /*catch_up=*/true).ok());
  db_->Exec("INSERT INTO pgts.a VALUES (7)");  // after the catch-up end: not read
  auto rows = ReadAll(*s);
  // A: only the change after its position. a: its snapshot (with 6), nothing twice.
  EXPECT_EQ(rows["pgts.A"], (std::vector<std::string>{"I|3|z"}));
  EXPECT_EQ(rows["pgts.a"], (std::vector<std::string>{"I|5", "I|6"}));
}

// ADD COLUMN on one table changes that table's schema and version alone; its Relation, met
// while the batch holds the other table's rows, leaves that batch's shape alone.
TEST_F(PgTablesStreamTest, SchemaChangeOfOneTableIsThatTablesAlone) {
  std::vector<std::vector<StreamPosition>> positions;
  {
    std::unique_ptr<StreamSource> s = OpenBoth();
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->StartTables({{}, {}}, /*catch_up=*/true).ok());
    ReadAll(*s);
    positions = {s->TablePositions(0), s->TablePositions(1)};
    ASSERT_TRUE(s->Acknowledge(positions[0]).ok());
  }
  // The stream reads the tables' columns, then one of them changes (inside a transaction that
  // also writes the other table before and after the change).
  std::unique_ptr<StreamSource> s = OpenBoth();
  ASSERT_TRUE(s);
  db_->Exec(
      "BEGIN; INSERT INTO pgts.\"A\" VALUES (3, 'z'); ALTER TABLE pgts.a ADD COLUMN c int; "
      "INSERT INTO pgts.a VALUES (6, 1); INSERT INTO pgts.\"A\" VALUES (4, 'w'); COMMIT");
  ASSERT_TRUE(s->StartTables(positions, /*catch_up=*/true).ok());
  auto rows = ReadAll(*s);
  EXPECT_EQ(rows["pgts.A"], (std::vector<std::string>{"I|3|z", "I|4|w"}));
  EXPECT_EQ(rows["pgts.a"], (std::vector<std::string>{"I|6|1"}));
  EXPECT_EQ(s->TableSchemaVersion(0), 0u);
  EXPECT_EQ(s->TableSchemaVersion(1), 1u);
  EXPECT_EQ(s->TableSchema(0).size(), 2u);
  EXPECT_EQ(s->TableSchema(1).size(), 2u);
}

}  // namespace
}  // namespace sluice::postgres::replication_stream
