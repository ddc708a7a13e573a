// Against the test MariaDB: one BinlogStream over several tables (OpenTables/StartTables), as
// the realtime runner over `source.tables` reads it: batches of one table each, and per-table
// positions: a table whose target holds a later position than the others drops what it holds.
#include <gtest/gtest.h>

#include <map>

#include "connectors/mysql/binlog/binlog_test_util.h"
#include "connectors/mysql/binlog_stream/binlog_stream.h"
#include "connectors/mysql/binlog_stream/binlog_stream_test_util.h"
#include "connectors/mysql/mysql_test_util.h"

namespace sluice::mysql::binlog_stream {
namespace {

using mysql::testing::MakeOptions;
using mysql::testing::RecordingRejects;
using mysql::testing::TestDatabase;
using stream_testing::At;
using stream_testing::EndNow;

// A stream over `tables` of `db` (startup: latest unless given).
std::unique_ptr<StreamSource> OpenTables(TestDatabase& db, const std::vector<std::string>& tables,
                                         const std::string& startup = "latest") {
  std::vector<Options> sections;
  for (const std::string& t : tables) {
    Options o = MakeOptions({{"url", db.Url()}, {"startup", startup}});
    o.SetString("table", db.name() + ".`" + t + "`");
    sections.push_back(std::move(o));
  }
  ConnectorContext context;
  context.job_name = "binlog_tables_test_" + db.name();
  Result<std::unique_ptr<StreamSource>> made = BinlogStream::Make(sections[0], context);
  EXPECT_TRUE(made.has_value()) << made.error().message();
  if (!made) return nullptr;
  ReadRequest request;
  Status st = (*made)->OpenTables(sections, request);
  EXPECT_TRUE(st.ok()) << st.message();
  return st.ok() ? std::move(*made) : nullptr;
}

// Rows by source table ("I|1|a"), read to the catch-up end; every batch holds one table.
std::map<std::string, std::vector<std::string>> ReadByTable(StreamSource& s) {
  std::map<std::string, std::vector<std::string>> out;
  RecordingRejects rejects;
  for (int i = 0; i < 600; ++i) {
    Batch batch(s.schema());
    Result<bool> more = s.Next(batch, rejects);
    EXPECT_TRUE(more.has_value()) << more.error().message();
    if (!more) break;
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      out[batch.source_table].push_back(binlog::testing::RowLine(batch, r));
    }
    if (!*more) break;
  }
  return out;
}

TEST(BinlogTablesTest, OneReaderRoutesByTableAndKeepsEachTablesPosition) {
  TestDatabase db;
  db.Exec("CREATE TABLE `T` (id INT PRIMARY KEY, v VARCHAR(10))");
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY, n INT, w VARCHAR(10))");
  db.Exec("CREATE TABLE other (id INT PRIMARY KEY)");
  const std::string p1 = EndNow(db, "t");
  db.Exec("BEGIN");
  db.Exec("INSERT INTO `T` VALUES (1, 'a')");
  db.Exec("INSERT INTO t VALUES (1, 10, 'x')");
  db.Exec("INSERT INTO other VALUES (1)");
  db.Exec("INSERT INTO `T` VALUES (2, 'b')");
  db.Exec("COMMIT");
  const std::string p2 = EndNow(db, "t");
  db.Exec("UPDATE t SET n = 11 WHERE id = 1");
  db.Exec("DELETE FROM `T` WHERE id = 1");

  const std::string label_upper = db.name() + ".T";
  const std::string label_lower = db.name() + ".t";
  {
    // Both tables from p1: everything, each table's rows in batches of its own.
    std::unique_ptr<StreamSource> s = OpenTables(db, {"T", "t"});
    ASSERT_TRUE(s);
    ASSERT_EQ(s->TableCount(), 2u);
    EXPECT_EQ(s->TableLabel(0), label_upper);
    EXPECT_EQ(s->TableLabel(1), label_lower);
    ASSERT_TRUE(s->StartTables({At(p1), At(p1)}, true).ok());
    auto rows = ReadByTable(*s);
    EXPECT_EQ(rows[label_upper], (std::vector<std::string>{"I|1|a", "I|2|b", "D|1|a"}));
    EXPECT_EQ(rows[label_lower], (std::vector<std::string>{"I|1|10|x", "B|1|10|x", "A|1|11|x"}));
    EXPECT_EQ(rows.size(), 2u);  // `other` never
  }
  {
    // `T` holds p2 already, t only p1: the stream reads from p1; `T` drops what it holds.
    std::unique_ptr<StreamSource> s = OpenTables(db, {"T", "t"});
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->StartTables({At(p2), At(p1)}, true).ok());
    EXPECT_EQ(s->TablePositions(0).at(0).position, p2);  // ahead of the stream
    EXPECT_EQ(s->Positions().at(0).position, p1);
    auto rows = ReadByTable(*s);
    EXPECT_EQ(rows[label_upper], (std::vector<std::string>{"D|1|a"}));
    EXPECT_EQ(rows[label_lower], (std::vector<std::string>{"I|1|10|x", "B|1|10|x", "A|1|11|x"}));
    EXPECT_EQ(s->TablePositions(0).at(0).position,
              s->Positions().at(0).position);  // the stream passed it
  }
}

TEST(BinlogTablesTest, InitialSnapshotReadsEveryTableAtOnePosition) {
  TestDatabase db;
  db.Exec("CREATE TABLE a (id INT PRIMARY KEY)");
  db.Exec("CREATE TABLE b (id INT PRIMARY KEY, s VARCHAR(5))");
  db.Exec("INSERT INTO a VALUES (1), (2)");
  db.Exec("INSERT INTO b VALUES (7, 'x')");
  std::unique_ptr<StreamSource> s = OpenTables(db, {"a", "b"}, "initial");
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->StartTables({{}, {}}, true).ok());
  db.Exec("INSERT INTO a VALUES (3)");  // after the snapshot: a change
  db.Exec("INSERT INTO b VALUES (8, 'y')");
  auto rows = ReadByTable(*s);
  // The snapshot's rows, then the changes after its position; nothing twice. (The catch-up end
  // was read at Start, so the two inserts after it may or may not be read; none twice.)
  std::vector<std::string> a = rows[db.name() + ".a"];
  std::vector<std::string> b = rows[db.name() + ".b"];
  ASSERT_GE(a.size(), 2u);
  EXPECT_EQ(std::vector<std::string>(a.begin(), a.begin() + 2),
            (std::vector<std::string>{"I|1", "I|2"}));
  EXPECT_LE(a.size(), 3u);
  ASSERT_GE(b.size(), 1u);
  EXPECT_EQ(b[0], "I|7|x");
  EXPECT_LE(b.size(), 2u);
}

// Reads to the catch-up end or the first error; the error's message ("" when none).
std::string ReadToError(StreamSource& s) {
  RecordingRejects rejects;
  for (int i = 0; i < 600; ++i) {
    Batch batch(s.schema());
    Result<bool> more = s.Next(batch, rejects);
    if (!more) return more.error().message();
    if (!*more) break;
  }
  return "";
}

// ADD COLUMN on one table changes that table's schema and version alone; its TABLE_MAP, met
// while the batch holds another table's rows, leaves that batch's shape alone. Any other DDL
// of one table stops the stream naming it.
TEST(BinlogTablesTest, SchemaChangeOfOneTableIsThatTablesAlone) {
  TestDatabase db;
  db.Exec("CREATE TABLE a (id INT PRIMARY KEY)");
  db.Exec("CREATE TABLE b (id INT PRIMARY KEY, s VARCHAR(5))");
  {
    const std::string p1 = EndNow(db, "a");
    db.Exec("INSERT INTO a VALUES (1)");
    db.Exec("ALTER TABLE b ADD COLUMN c INT");
    db.Exec("BEGIN");
    db.Exec("INSERT INTO a VALUES (2)");
    db.Exec("INSERT INTO b VALUES (1, 'x', 2)");
    db.Exec("INSERT INTO a VALUES (3)");
    db.Exec("COMMIT");
    std::unique_ptr<StreamSource> s = OpenTables(db, {"a", "b"});
    ASSERT_TRUE(s);
    // Open read b's current shape; the stream from p1 meets the old one first.
    ASSERT_TRUE(s->StartTables({At(p1), At(p1)}, true).ok());
    auto rows = ReadByTable(*s);
    EXPECT_EQ(rows[db.name() + ".a"], (std::vector<std::string>{"I|1", "I|2", "I|3"}));
    EXPECT_EQ(rows[db.name() + ".b"], (std::vector<std::string>{"I|1|x|2"}));
    EXPECT_EQ(s->TableSchemaVersion(0), 0u);
    EXPECT_EQ(s->TableSchema(0).size(), 1u);
    EXPECT_EQ(s->TableSchema(1).size(), 3u);
  }
  {
    // A live stream whose Open read b without c meets the ADD: b's version moves, a's not.
    db.Exec("ALTER TABLE b DROP COLUMN c");
    std::unique_ptr<StreamSource> s = OpenTables(db, {"a", "b"});
    ASSERT_TRUE(s);
    const std::string p2 = EndNow(db, "a");
    db.Exec("ALTER TABLE b ADD COLUMN c INT");
    db.Exec("INSERT INTO b VALUES (2, 'y', 3)");
    db.Exec("INSERT INTO a VALUES (4)");
    ASSERT_TRUE(s->StartTables({At(p2), At(p2)}, true).ok());
    EXPECT_EQ(s->TableSchemaVersion(1), 0u);
    auto rows = ReadByTable(*s);
    EXPECT_EQ(rows[db.name() + ".b"], (std::vector<std::string>{"I|2|y|3"}));
    EXPECT_EQ(rows[db.name() + ".a"], (std::vector<std::string>{"I|4"}));
    EXPECT_EQ(s->TableSchemaVersion(0), 0u);
    EXPECT_EQ(s->TableSchemaVersion(1), 1u);
  }
  {
    // Any other change stops the stream, naming the table and the statement.
    std::unique_ptr<StreamSource> s = OpenTables(db, {"a", "b"});
    ASSERT_TRUE(s);
    const std::string p3 = EndNow(db, "a");
    db.Exec("ALTER TABLE b CHANGE s t VARCHAR(9)");
    db.Exec("INSERT INTO b VALUES (3, 'z', 4)");
    ASSERT_TRUE(s->StartTables({At(p3), At(p3)}, true).ok());
    const std::string error = ReadToError(*s);
    EXPECT_NE(error.find(db.name() + ".b: the table's definition changed in the binlog (ALTER "
                                     "TABLE b CHANGE s t VARCHAR(9))"),
              std::string::npos)
        << error;
  }
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream
