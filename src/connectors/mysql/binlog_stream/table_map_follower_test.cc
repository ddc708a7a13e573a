#include "connectors/mysql/binlog_stream/table_map_follower.h"

#include <gtest/gtest.h>

namespace sluice::mysql::binlog_stream {
namespace {

using binlog::ColumnDef;
using binlog::FieldType;
using binlog::TableMap;
using binlog::TableMapColumn;

TableMapColumn Col(FieldType type, const std::string& name) {
  TableMapColumn c;
  c.type = type;
  c.real_type = type;
  c.length = type == FieldType::kVarchar ? 80 : 0;
  c.collation = 45;  // utf8mb4_general_ci
  c.is_unsigned = 0;
  c.name = name;
  return c;
}

TableMap Map(std::vector<TableMapColumn> columns, bool names = true) {
  TableMap map;
  map.table_id = 7;
  map.schema = "db";
  map.table = "t";
  map.columns = std::move(columns);
  map.has_names = names;
  return map;
}

class TableMapFollowerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    schema_.fields = {Field{"id", DataType::Of(TypeId::kInt32), false},
                      Field{"v", DataType::Of(TypeId::kString)}};
    for (const Field& f : schema_.fields) defs_.push_back(ColumnDef{f.name, f.type, "", {}});
    batch_ = Batch(schema_);
    batch_.columns[0].AppendInt(1);
    batch_.columns[1].AppendBytes("one");
  }
  Result<binlog::RowImageDecoder> Decoder(const TableMap& map) {
    auto define = [](const TableMap& m, size_t i) -> Result<std::pair<Field, ColumnDef>> {
      const DataType type = DataType::Of(TypeId::kInt32);
      return std::make_pair(Field{m.columns[i].name, type}, ColumnDef{m.columns[i].name, type});
    };
    return follower_.Decoder(map, "db.t", define, {}, schema_, defs_, batch_);
  }

  TableMapFollower follower_;
  Schema schema_;
  std::vector<ColumnDef> defs_;
  Batch batch_;
};

TEST_F(TableMapFollowerTest, ANewNameWidensTheSchemaAndTheBatch) {
  ASSERT_TRUE(Decoder(Map({Col(FieldType::kLong, "id"), Col(FieldType::kVarchar, "v"),
                           Col(FieldType::kLong, "n")}))
                  .has_value());
  EXPECT_EQ(follower_.version(), 1u);
  EXPECT_EQ(schema_.ToString(), "id int32, v string, n int32");
  EXPECT_TRUE(schema_.fields[2].nullable);
  ASSERT_EQ(batch_.columns.size(), 3u);
  EXPECT_EQ(batch_.columns[2].size(), 1u);
  EXPECT_TRUE(batch_.columns[2].IsNull(0));
  EXPECT_EQ(defs_.size(), 3u);
}

TEST_F(TableMapFollowerTest, MatchesByNameNotPosition) {
  ASSERT_TRUE(
      Decoder(Map({Col(FieldType::kLong, "id"), Col(FieldType::kVarchar, "v")})).has_value());
  EXPECT_EQ(follower_.version(), 0u);
  // v dropped, n added, and the names in another case: two known, one new, no guessing.
  Result<binlog::RowImageDecoder> d =
      Decoder(Map({Col(FieldType::kLong, "n"), Col(FieldType::kLong, "ID")}));
  ASSERT_TRUE(d.has_value()) << d.error().message();
  EXPECT_EQ(follower_.version(), 2u);  // v dropped and n added: two changes
  EXPECT_TRUE(schema_.fields[1].dropped_at_source);
  EXPECT_EQ(schema_.Names(), (std::vector<std::string>{"id", "v", "n"}));
}

// A schema column no TABLE_MAP carried yet is one added after these rows (a run started
// before the ADD): not a drop, no change counted.
TEST_F(TableMapFollowerTest, AColumnNotCarriedYetIsNotADrop) {
  ASSERT_TRUE(Decoder(Map({Col(FieldType::kLong, "id")})).has_value());
  EXPECT_EQ(follower_.version(), 0u);
  EXPECT_FALSE(schema_.fields[1].dropped_at_source);
}

TEST_F(TableMapFollowerTest, WithoutNamesOnlyTheSameCountDecodesByPosition) {
  EXPECT_TRUE(
      Decoder(Map({Col(FieldType::kLong, ""), Col(FieldType::kVarchar, "")}, false)).has_value());
  Result<binlog::RowImageDecoder> wider = Decoder(Map(
      {Col(FieldType::kLong, ""), Col(FieldType::kVarchar, ""), Col(FieldType::kLong, "")}, false));
  ASSERT_FALSE(wider.has_value());
  EXPECT_NE(wider.error().message().find("set binlog_row_metadata=FULL"), std::string::npos)
      << wider.error().message();
  EXPECT_NE(wider.error().message().find("db.t"), std::string::npos);
  // After an ADD/DROP COLUMN, even the same count is not taken on trust.
  follower_.NoteColumnDdl("db.t", schema_, {});
  EXPECT_FALSE(
      Decoder(Map({Col(FieldType::kLong, ""), Col(FieldType::kVarchar, "")}, false)).has_value());
  EXPECT_EQ(follower_.version(), 0u);
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream
