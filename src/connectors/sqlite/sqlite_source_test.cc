#include "connectors/sqlite/sqlite_source.h"

#include <gtest/gtest.h>

#include "connectors/sqlite/sqlite_test_util.h"

namespace sluice::sqlite {
namespace {

using testing::ExecSql;
using testing::ReadAll;
using testing::RecordingRejects;
using testing::TempDir;
using Rows = std::vector<std::string>;

class SqliteSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.File("shop.db");
    ExecSql(db_,
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, amount DECIMAL(10,2), "
            "placed DATETIME, note TEXT, flag BOOLEAN);"
            "INSERT INTO orders VALUES (1, '1.50', '2024-01-01 10:00:00', 'a', 1);"
            "INSERT INTO orders VALUES (2, 2.25, '2024-01-02 10:00:00', NULL, 0);"
            "INSERT INTO orders VALUES (3, 7, '2024-01-03 10:00:00', '', 'yes');"
            "CREATE TABLE users (name TEXT);");
  }
  SqliteSource Source(const std::string& table = "orders") {
    return SqliteSource(testing::Config(db_, table), TimeZone::Utc());
  }

  TempDir dir_;
  std::string db_;
};

TEST_F(SqliteSourceTest, ReadsAndConvertsDynamicValues) {
  SqliteSource source = Source();
  RecordingRejects rejects;
  Rows rows = ReadAll(source, ReadRequest{}, rejects);
  EXPECT_EQ(source.schema().ToString(),
            "id int64, amount decimal(10,2), placed timestamp, note string, flag bool");
  // NUMERIC affinity stored 2.25 as REAL and 7 as INTEGER; both come back as decimal(10,2).
  EXPECT_EQ(rows,
            (Rows{"1|1.50|2024-01-01 10:00:00|a|true", "2|2.25|2024-01-02 10:00:00|NULL|false",
                  "3|7.00|2024-01-03 10:00:00||true"}));
  EXPECT_TRUE(rejects.entries.empty());
  EXPECT_EQ(source.Describe(), "sqlite:" + db_ + "/orders");
}

TEST_F(SqliteSourceTest, BadCellsRejectTheRowAndKeepColumnsAligned) {
  ExecSql(db_,
          "INSERT INTO orders VALUES (4, '9.99', 'not a time', 'x', 1);"
          "INSERT INTO orders VALUES (5, 'abc', '2024-01-05', 'y', 0);"
          "INSERT INTO orders VALUES (6, '6.00', '2024-01-06 00:00:00', 'z', 1);");
  SqliteSource source = Source();
  RecordingRejects rejects;
  ReadRequest request;
  request.batch_rows = 2;  // rejects across batch boundaries
  Rows rows = ReadAll(source, request, rejects);
  EXPECT_EQ(rows,
            (Rows{"1|1.50|2024-01-01 10:00:00|a|true", "2|2.25|2024-01-02 10:00:00|NULL|false",
                  "3|7.00|2024-01-03 10:00:00||true", "6|6.00|2024-01-06 00:00:00|z|true"}));
  ASSERT_EQ(rejects.entries.size(), 2u);
  EXPECT_EQ(rejects.entries[0].stage, "source");
  EXPECT_NE(rejects.entries[0].reason.find("orders.placed: "), std::string::npos)
      << rejects.entries[0].reason;
  EXPECT_NE(rejects.entries[0].reason.find("not a time"), std::string::npos);
  EXPECT_NE(rejects.entries[0].reason.find("(id 4)"), std::string::npos);
  EXPECT_EQ(rejects.entries[0].row, "4|9.99|not a time|x|1");
  EXPECT_NE(rejects.entries[1].reason.find("orders.amount: "), std::string::npos);
  EXPECT_NE(rejects.entries[1].reason.find("(id 5)"), std::string::npos);
}

TEST_F(SqliteSourceTest, SelectsColumnsAndFilters) {
  SqliteSource source = Source();
  RecordingRejects rejects;
  ReadRequest request;
  request.columns = {"NOTE", "id"};  // names match ignoring case
  request.where = "amount > 2 -- a trailing comment must not swallow our conditions";
  request.incremental = WatermarkRange{"id", std::nullopt, "3"};
  Rows rows = ReadAll(source, request, rejects);
  EXPECT_EQ(source.schema().ToString(), "note string, id int64");
  EXPECT_EQ(rows, (Rows{"NULL|2"}));
  EXPECT_EQ(*source.EstimateRows(), std::optional<int64_t>(1));
}

TEST_F(SqliteSourceTest, IncrementalRangeIsLowInclusiveHighExclusive) {
  SqliteSource source = Source();
  RecordingRejects rejects;
  ReadRequest request;
  request.columns = {"id"};
  // Timestamps are stored as text; the bounds are bound in the same text form.
  request.incremental = WatermarkRange{"placed", "2024-01-02 10:00:00", "2024-01-03 10:00:00"};
  EXPECT_EQ(ReadAll(source, request, rejects), (Rows{"2"}));
  request.incremental = WatermarkRange{"id", "1", "3"};
  EXPECT_EQ(ReadAll(source, request, rejects), (Rows{"1", "2"}));
  request.incremental = WatermarkRange{"id", "3", ""};  // no upper bound yet
  EXPECT_EQ(ReadAll(source, request, rejects), (Rows{"3"}));
  request.incremental = WatermarkRange{"id", "x", "3"};
  Status st = source.Open(request);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("watermark of orders.id"), std::string::npos) << st.message();
}

TEST_F(SqliteSourceTest, MaxValueIsCanonicalTextUnderTheWhereFilter) {
  SqliteSource source = Source();
  ReadRequest request;
  ASSERT_TRUE(source.Open(request).ok());
  EXPECT_EQ(*source.MaxValue("placed"), std::optional<std::string>("2024-01-03 10:00:00"));
  EXPECT_EQ(*source.MaxValue("amount"), std::optional<std::string>("7.00"));
  request.where = "id < 3";
  ASSERT_TRUE(source.Open(request).ok());
  EXPECT_EQ(*source.MaxValue("id"), std::optional<std::string>("2"));
  request.where = "id > 100";
  ASSERT_TRUE(source.Open(request).ok());
  EXPECT_EQ(*source.MaxValue("id"), std::nullopt);
  EXPECT_FALSE(source.MaxValue("nope").has_value());
}

TEST_F(SqliteSourceTest, ClearErrors) {
  SqliteSource missing_file(testing::Config(dir_.File("nope.db"), "orders"), TimeZone::Utc());
  Status st = missing_file.Open(ReadRequest{});
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_EQ(st.message(), "sqlite source: database file " + dir_.File("nope.db") + " not found");

  SqliteSource typo = Source("ordrs");
  st = typo.Open(ReadRequest{});
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_EQ(st.message(), "sqlite source: table 'ordrs' not found in " + db_ +
                              " (did you mean 'orders'? tables: orders, users)");

  SqliteSource source = Source();
  ReadRequest request;
  request.columns = {"id", "amout"};
  st = source.Open(request);
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_EQ(st.message(),
            "sqlite source: column 'amout' not found in table orders (did you mean 'amount'? "
            "columns: id, amount, placed, note, flag)");

  request = ReadRequest{};
  request.split_key = "zzz";
  st = source.Open(request);
  EXPECT_NE(st.message().find("split_key column 'zzz' not found"), std::string::npos);

  request = ReadRequest{};
  request.where = "amount >";
  st = source.Open(request);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(
      st.message(),
      "sqlite source: table orders: where 'amount >' is not valid here: near \")\": syntax error");

  // A `where` past SQLite's expression depth limit is quoted shortened, not whole.
  request = ReadRequest{};
  request.where = std::string(1'000'000, '(') + "amount > 0" + std::string(1'000'000, ')');
  st = source.Open(request);
  EXPECT_FALSE(st.ok());
  EXPECT_LT(st.message().size(), 400u);
  EXPECT_NE(st.message().find("... (2000010 bytes)' is not valid here: "), std::string::npos)
      << st.message();

  std::string not_db = dir_.File("junk.db");
  FILE* f = std::fopen(not_db.c_str(), "w");
  std::fputs("this is not an sqlite database, not at all, no header here at all.....", f);
  std::fclose(f);
  SqliteSource junk(testing::Config(not_db, "t"), TimeZone::Utc());
  st = junk.Open(ReadRequest{});
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("not a database"), std::string::npos) << st.message();
}

TEST_F(SqliteSourceTest, UntypedColumnsAndViews) {
  ExecSql(db_,
          "CREATE TABLE loose (a, b);"
          "INSERT INTO loose VALUES (1, x'00ff'), ('two', NULL), (3.5, x'');"
          "CREATE VIEW cheap AS SELECT id, amount * 2 AS doubled FROM orders WHERE id < 3;");
  SqliteSource loose = Source("loose");
  RecordingRejects rejects;
  Rows rows = ReadAll(loose, ReadRequest{}, rejects);
  // a holds no blobs: string; b holds blobs: bytes.
  EXPECT_EQ(loose.schema().ToString(), "a string, b bytes");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].substr(0, 2), "1|");
  EXPECT_EQ(rows[1], "two|NULL");
  EXPECT_EQ(rows[2], "3.5|");

  SqliteSource view = Source("cheap");
  ReadRequest request;
  request.max_splits = 4;  // a view has no rowid: one split
  ASSERT_TRUE(view.Open(request).ok());
  auto splits = view.PlanSplits();
  ASSERT_TRUE(splits.has_value());
  EXPECT_EQ(splits->size(), 1u);
  EXPECT_EQ(testing::ReadSplits(view, *splits, rejects), (Rows{"1|3", "2|4.5"}));
}

}  // namespace
}  // namespace sluice::sqlite
