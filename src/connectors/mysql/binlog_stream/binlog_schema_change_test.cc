// BinlogStream against the test MariaDB (binlog_row_metadata=FULL): a stream opened after
// ADD COLUMN and DROP COLUMN (so its schema is the table's newest shape) and started before
// them decodes every row by the names of its own TABLE_MAP, as a restart from a position before
// the DDL does.
#include <gtest/gtest.h>

#include "connectors/mysql/binlog_stream/binlog_stream_test_util.h"

namespace sluice::mysql::binlog_stream {
namespace {

using stream_testing::At;
using stream_testing::EndNow;
using stream_testing::OpenStream;
using stream_testing::ReadResult;
using stream_testing::ReadToEnd;
using stream_testing::TestDatabase;

TEST(BinlogSchemaChangeStreamTest, RowsDecodeByTheirTableMapNames) {
  TestDatabase db;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY, d VARCHAR(5))");
  const std::string before = EndNow(db, "t");
  db.Exec("INSERT INTO t VALUES (1, 'a')");
  db.Exec("ALTER TABLE t ADD COLUMN n INT");
  db.Exec("INSERT INTO t VALUES (2, 'b', 20)");
  db.Exec("ALTER TABLE t DROP COLUMN d");
  db.Exec("INSERT INTO t VALUES (3, 30)");
  db.Exec("UPDATE t SET n = 21 WHERE id = 2");

  std::unique_ptr<StreamSource> s = OpenStream(db, "t");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->schema().Names(), (std::vector<std::string>{"id", "n"}));
  ASSERT_TRUE(s->Start(At(before), /*catch_up=*/true).ok());
  const ReadResult r = ReadToEnd(*s);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  // d came back with the first TABLE_MAP (the target keeps it), NULL once it was dropped.
  EXPECT_EQ(s->schema().Names(), (std::vector<std::string>{"id", "n", "d"}));
  // Two changes: d added, d dropped by the statement. n, absent from the first TABLE_MAP, was
  // not added yet then (no change: row 1 takes n's default, NULL).
  EXPECT_EQ(s->schema_version(), 2u);
  EXPECT_EQ(r.rows, (std::vector<std::string>{"I|1|NULL|a", "I|2|20|b", "I|3|30|NULL",
                                              "B|2|20|NULL", "A|2|21|NULL"}));
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream
