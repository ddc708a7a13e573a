// Parallel reads on a real MariaDB: ranges balanced on skewed keys, string keys, NULL keys,
// the consistent snapshot.
#include "connectors/mysql/mysql_splits.h"

#include <algorithm>
#include <set>

#include <gtest/gtest.h>

#include "connectors/mysql/mysql_test_util.h"

namespace sluice::mysql {
namespace {

using testing::MakeOptions;
using testing::MakeSource;
using testing::ReadAllRows;
using testing::RecordingRejects;
using testing::TestDatabase;

struct SplitRead {
  std::vector<Split> splits;
  std::vector<std::vector<std::string>> rows;  // per split
  std::vector<std::string> all;
};

SplitRead ReadSplits(TestDatabase& db, const std::string& table, int max_splits,
                     const std::string& split_key = "", bool snapshot = false,
                     const std::function<void()>& after_plan = {}) {
  SplitRead out;
  std::unique_ptr<Source> source = MakeSource(MakeOptions(
      {{"url", db.Url()}, {"table", table}, {"snapshot", snapshot ? "true" : "false"}}));
  ReadRequest request;
  request.max_splits = max_splits;
  request.split_key = split_key;
  request.batch_rows = 97;  // several batches per split
  Status st = source->Open(request);
  EXPECT_TRUE(st.ok()) << st.message();
  Result<std::vector<Split>> splits = source->PlanSplits();
  EXPECT_TRUE(splits.has_value()) << splits.error().message();
  if (!splits) return out;
  out.splits = *splits;
  if (after_plan) after_plan();
  RecordingRejects rejects;
  for (const Split& split : out.splits) {
    Result<std::unique_ptr<SplitReader>> reader = source->OpenSplit(split);
    EXPECT_TRUE(reader.has_value()) << reader.error().message();
    std::vector<std::string> rows;
    Batch batch(source->schema());
    while (true) {
      batch.Clear();
      Result<bool> more = (*reader)->Next(batch, rejects);
      EXPECT_TRUE(more.has_value()) << more.error().message();
      testing::AppendRows(batch, rows);
      if (!more || !*more) break;
    }
    out.all.insert(out.all.end(), rows.begin(), rows.end());
    out.rows.push_back(std::move(rows));
  }
  EXPECT_TRUE(rejects.reasons.empty());
  return out;
}

void ExpectEachRowOnce(std::vector<std::string> got, std::vector<std::string> want) {
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
}

TEST(MysqlSplitsTest, SkewedIntegerKeysGiveBalancedRanges) {
  TestDatabase db;
  db.Exec("CREATE TABLE skew (id BIGINT PRIMARY KEY, v INT)");
  std::string values;
  std::vector<std::string> want;
  auto add = [&](int64_t id) {
    values += fmt::format("{}({}, {})", values.empty() ? "" : ",", id, id % 7);
    want.push_back(fmt::format("{}|{}", id, id % 7));
  };
  for (int64_t i = 1; i <= 1000; ++i) add(i);
  for (int64_t i = 0; i < 200; ++i) add(1000000000 + i);
  db.Exec("INSERT INTO skew VALUES " + values);
  SplitRead read = ReadSplits(db, "skew", 4);
  ASSERT_EQ(read.splits.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(static_cast<double>(read.rows[i].size()), 300.0, 2.0) << read.splits[i].description;
    EXPECT_EQ(read.splits[i].estimated_rows.value_or(-1), i < 3 ? 300 : 300);
  }
  EXPECT_EQ(read.splits[0].description, "id in [1, 301)");
  EXPECT_EQ(read.splits[3].description, "id >= 901");
  ExpectEachRowOnce(read.all, want);
}

TEST(MysqlSplitsTest, StringKeysAndNullKeys) {
  TestDatabase db;
  db.Exec("CREATE TABLE s (name VARCHAR(20) PRIMARY KEY, grp VARCHAR(5) NULL)");
  std::string values;
  std::vector<std::string> want;
  for (int i = 0; i < 500; ++i) {
    std::string name = fmt::format("{}k{:04}", i % 3 == 0 ? "\xC3\xBC" : "", i);
    std::string grp = i % 5 == 0 ? "NULL" : fmt::format("'g{}'", i % 17);
    values += fmt::format("{}('{}', {})", values.empty() ? "" : ",", name, grp);
    want.push_back(name + "|" + (i % 5 == 0 ? "NULL" : fmt::format("g{}", i % 17)));
  }
  db.Exec("INSERT INTO s VALUES " + values);
  SplitRead by_pk = ReadSplits(db, "s", 3);
  EXPECT_EQ(by_pk.splits.size(), 3u);
  ExpectEachRowOnce(by_pk.all, want);
  // A nullable key with many duplicates: the NULL rows go with the first range.
  SplitRead by_grp = ReadSplits(db, "s", 4, "grp");
  ASSERT_GE(by_grp.splits.size(), 2u);
  EXPECT_NE(by_grp.splits[0].description.find("or grp is null"), std::string::npos)
      << by_grp.splits[0].description;
  ExpectEachRowOnce(by_grp.all, want);
}

TEST(MysqlSplitsTest, OneHeavyValueAndNoKey) {
  TestDatabase db;
  db.Exec("CREATE TABLE h (id INT PRIMARY KEY, k INT NOT NULL)");
  db.Exec("CREATE TABLE nokey (v INT)");
  std::string values;
  std::vector<std::string> want;
  for (int i = 0; i < 400; ++i) {
    int k = i < 360 ? 5 : i;
    values += fmt::format("{}({}, {})", values.empty() ? "" : ",", i, k);
    want.push_back(fmt::format("{}|{}", i, k));
  }
  db.Exec("INSERT INTO h VALUES " + values);
  db.Exec("INSERT INTO nokey VALUES (1), (2), (3)");
  SplitRead heavy = ReadSplits(db, "h", 4, "k");
  ExpectEachRowOnce(heavy.all, want);
  SplitRead nokey = ReadSplits(db, "nokey", 4);
  ASSERT_EQ(nokey.splits.size(), 1u);
  EXPECT_EQ(nokey.splits[0].description, "all rows");
  ExpectEachRowOnce(nokey.all, {"1", "2", "3"});
}

TEST(MysqlSplitsTest, UnsplittableKeyIsAnError) {
  TestDatabase db;
  db.Exec("CREATE TABLE f (id INT PRIMARY KEY, x DOUBLE)");
  std::unique_ptr<Source> source = MakeSource(MakeOptions({{"url", db.Url()}, {"table", "f"}}));
  ReadRequest request;
  request.split_key = "x";
  EXPECT_NE(source->Open(request).message().find("split_key " + db.name() + ".f.x is double"),
            std::string::npos);
}

// With snapshot: true every reader sees the table as it was when the splits were planned,
// even though rows change before the readers start.
TEST(MysqlSplitsTest, SnapshotReadersShareOneSnapshot) {
  TestDatabase db;
  db.Exec("CREATE TABLE snap (id INT PRIMARY KEY) ENGINE=InnoDB");
  std::string values;
  for (int i = 1; i <= 400; ++i) values += fmt::format("{}({})", values.empty() ? "" : ",", i);
  db.Exec("INSERT INTO snap VALUES " + values);
  auto change = [&] {
    db.Exec("DELETE FROM snap WHERE id = 1");
    db.Exec("INSERT INTO snap VALUES (5000)");
  };
  SplitRead snap = ReadSplits(db, "snap", 4, "", /*snapshot=*/true, change);
  ASSERT_EQ(snap.splits.size(), 4u);
  EXPECT_EQ(snap.all.size(), 400u);
  EXPECT_NE(std::find(snap.all.begin(), snap.all.end(), "1"), snap.all.end());
  EXPECT_EQ(std::find(snap.all.begin(), snap.all.end(), "5000"), snap.all.end());
  // Without it, each reader sees the table when its own query starts.
  db.Exec("INSERT INTO snap VALUES (1)");
  db.Exec("DELETE FROM snap WHERE id = 5000");
  SplitRead live = ReadSplits(db, "snap", 4, "", /*snapshot=*/false, change);
  EXPECT_EQ(std::find(live.all.begin(), live.all.end(), "1"), live.all.end());
  EXPECT_NE(std::find(live.all.begin(), live.all.end(), "5000"), live.all.end());
}

TEST(MysqlSplitsTest, PayloadRoundTrips) {
  KeyRange r{std::string("'a|b:c'"), std::string("X'00FF'"), true};
  Result<KeyRange> back = KeyRange::Decode(r.Encode());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, r);
  EXPECT_EQ(r.Condition("`k`"), "((`k` >= 'a|b:c' AND `k` < X'00FF') OR `k` IS NULL)");
  EXPECT_FALSE(KeyRange::Decode("m1;junk").has_value());
}

}  // namespace
}  // namespace sluice::mysql
