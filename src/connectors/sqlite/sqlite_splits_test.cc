#include "connectors/sqlite/sqlite_splits.h"

#include <algorithm>
#include <set>

#include <gtest/gtest.h>

#include "connectors/sqlite/sqlite_test_util.h"

namespace sluice::sqlite {
namespace {

using testing::ExecSql;
using testing::RecordingRejects;
using testing::TempDir;

class SqliteSplitsTest : public ::testing::Test {
 protected:
  // Plans `max_splits` splits of `table` and reads them all; checks that every row was read
  // exactly once and returns the rows per split.
  std::vector<size_t> ReadSplit(const std::string& table, int max_splits, int64_t expected_rows,
                                const std::string& split_key = "",
                                std::vector<Split>* out_splits = nullptr) {
    SqliteSource source(testing::Config(db_, table), TimeZone::Utc());
    ReadRequest request;
    request.max_splits = max_splits;
    request.split_key = split_key;
    Status st = source.Open(request);
    EXPECT_TRUE(st.ok()) << st.ToString();
    auto splits = source.PlanSplits();
    EXPECT_TRUE(splits.has_value()) << splits.error().ToString();
    if (!splits) return {};
    RecordingRejects rejects;
    std::vector<size_t> counts;
    std::vector<std::string> rows = testing::ReadSplits(source, *splits, rejects, &counts);
    EXPECT_EQ(static_cast<int64_t>(rows.size()), expected_rows);
    std::set<std::string> unique(rows.begin(), rows.end());
    EXPECT_EQ(unique.size(), rows.size()) << "a row was read twice";
    int64_t estimated = 0;
    for (const Split& s : *splits) estimated += s.estimated_rows.value_or(0);
    EXPECT_EQ(estimated, expected_rows);
    if (out_splits) *out_splits = *splits;
    return counts;
  }

  TempDir dir_;
  std::string db_ = dir_.File("split.db");
};

TEST_F(SqliteSplitsTest, BalancedOnASkewedKeyDistribution) {
  // Keys 1..1000 plus 10^9..10^9+10: splitting the key *range* evenly would put almost
  // every row in the first split.
  ExecSql(db_,
          "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) "
          "INSERT INTO t SELECT i, 'v' || i FROM n;"
          "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 10) "
          "INSERT INTO t SELECT 1000000000 + i, 'big' FROM n;");
  std::vector<Split> splits;
  std::vector<size_t> counts = ReadSplit("t", 4, 1011, "", &splits);
  ASSERT_EQ(counts.size(), 4u);
  for (size_t c : counts) {
    EXPECT_GE(c, 250u);
    EXPECT_LE(c, 255u);
  }
  EXPECT_EQ(splits[0].description, "id in [1, 253)");
  EXPECT_EQ(splits[1].description, "id in [253, 506)");
  EXPECT_EQ(splits[3].description, "id >= 759");
}

TEST_F(SqliteSplitsTest, NullKeysGoToTheFirstSplit) {
  ExecSql(db_,
          "CREATE TABLE t (k INTEGER, v TEXT);"
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) "
          "INSERT INTO t SELECT CASE WHEN i % 10 = 0 THEN NULL ELSE i END, 'v' || i FROM n;");
  std::vector<Split> splits;
  std::vector<size_t> counts = ReadSplit("t", 3, 100, "k", &splits);
  ASSERT_EQ(counts.size(), 3u);
  EXPECT_EQ(counts[0], 30u + 10u);  // a third of the 90 keys, plus the 10 NULL keys
  EXPECT_NE(splits[0].description.find("or k is null"), std::string::npos);
}

TEST_F(SqliteSplitsTest, TextKeysAndWithoutRowidTables) {
  ExecSql(db_,
          "CREATE TABLE w (code TEXT PRIMARY KEY, v INTEGER) WITHOUT ROWID;"
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) "
          "INSERT INTO w SELECT printf('c%05d', i), i FROM n;");
  std::vector<size_t> counts = ReadSplit("w", 4, 200);  // picks the primary key
  ASSERT_EQ(counts.size(), 4u);
  for (size_t c : counts) EXPECT_EQ(c, 50u);
}

TEST_F(SqliteSplitsTest, OneSplitWhenAskedOrWithoutKey) {
  ExecSql(db_,
          "CREATE TABLE t (id INTEGER PRIMARY KEY);"
          "INSERT INTO t VALUES (1), (2), (3);"
          "CREATE TABLE few (id INTEGER PRIMARY KEY);"
          "INSERT INTO few VALUES (1);");
  EXPECT_EQ(ReadSplit("t", 1, 3).size(), 1u);
  EXPECT_EQ(ReadSplit("few", 8, 1).size(), 1u);  // fewer rows than splits
  EXPECT_EQ(ReadSplit("t", 8, 3).size(), 3u);
  EXPECT_EQ(ReadSplit("t", 2, 3, "").size(), 2u);  // the rowid when no key is named
}

TEST_F(SqliteSplitsTest, DuplicateKeysNeverSplitAcrossRanges) {
  ExecSql(db_,
          "CREATE TABLE t (k INTEGER, v INTEGER);"
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) "
          "INSERT INTO t SELECT CASE WHEN i <= 90 THEN 7 ELSE i END, i FROM n;");
  std::vector<size_t> counts = ReadSplit("t", 4, 100, "k");
  EXPECT_LE(counts.size(), 4u);
}

TEST_F(SqliteSplitsTest, PayloadRoundTrips) {
  KeyRange r;
  r.low = SqlValue::Int(-5);
  r.high = SqlValue::Text("a;b:c|\n");
  r.with_nulls = true;
  EXPECT_EQ(*KeyRange::Decode(r.Encode()), r);
  KeyRange blob;
  blob.low = SqlValue::Blob(std::string("\0\xff", 2));
  blob.high = SqlValue::Real(-0.0);
  KeyRange back = *KeyRange::Decode(blob.Encode());
  EXPECT_EQ(back.low, blob.low);
  EXPECT_TRUE(std::signbit(back.high->r));
  EXPECT_FALSE(back.with_nulls);
  EXPECT_TRUE(KeyRange::Decode("").value().with_nulls);
  EXPECT_FALSE(KeyRange::Decode("r1;i5:12").has_value());
  EXPECT_FALSE(KeyRange::Decode("garbage").has_value());
}

}  // namespace
}  // namespace sluice::sqlite
