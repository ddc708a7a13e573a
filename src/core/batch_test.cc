#include "core/batch.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

Schema IdAndText() {
  Schema schema;
  schema.fields.push_back({"id", DataType::Of(TypeId::kInt64)});
  schema.fields.push_back({"text", DataType::Of(TypeId::kString)});
  return schema;
}

TEST(BatchLimitsTest, FullByRowsOrBytesWhicheverComesFirst) {
  Batch batch(IdAndText());
  const BatchLimits limits{3, 1000};
  EXPECT_FALSE(limits.Full(batch));
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(limits.Full(batch));
    batch.columns[0].AppendInt(i);
    batch.columns[1].AppendBytes("small");
  }
  EXPECT_TRUE(limits.Full(batch));  // 3 rows

  batch.Clear();
  const std::string wide(600, 'x');
  batch.columns[0].AppendInt(1);
  batch.columns[1].AppendBytes(wide);
  EXPECT_FALSE(limits.Full(batch));
  batch.columns[0].AppendInt(2);
  batch.columns[1].AppendBytes(wide);
  EXPECT_TRUE(limits.Full(batch));  // 1,200 bytes of values
}

TEST(BatchLimitsTest, AlwaysRoomForOneRow) {
  Batch batch(IdAndText());
  const BatchLimits limits{10, 1};
  EXPECT_FALSE(limits.Full(batch));  // an empty batch has bytes (offsets) but takes a row
  batch.columns[0].AppendInt(1);
  batch.columns[1].AppendBytes("a value larger than the bound");
  EXPECT_TRUE(limits.Full(batch));
  // Readers that keep rows they will filter out count them themselves.
  EXPECT_TRUE(limits.Full(10, Batch(IdAndText())));
}

// "Unchanged" is a third cell state: not a value, not NULL; it survives copies and filters and
// reads as NULL to code that only asks IsNull (which must then check has_unchanged()).
TEST(BatchTest, UnchangedCellsAreNeitherValuesNorNulls) {
  Batch batch(IdAndText());
  batch.columns[0].AppendInt(1);
  batch.columns[1].AppendUnchanged();
  batch.columns[0].AppendInt(2);
  batch.columns[1].AppendNull();
  batch.columns[0].AppendInt(3);
  batch.columns[1].AppendBytes("v");
  const Column& text = batch.columns[1];
  EXPECT_TRUE(text.IsUnchanged(0));
  EXPECT_TRUE(text.IsNull(0));
  EXPECT_FALSE(text.IsUnchanged(1));
  EXPECT_TRUE(text.IsNull(1));
  EXPECT_FALSE(text.IsUnchanged(2));
  EXPECT_EQ(text.GetView(2), "v");
  EXPECT_TRUE(batch.HasUnchanged());
  EXPECT_FALSE(batch.columns[0].has_unchanged());

  Column copy(text.type());
  for (size_t row : {2, 0, 1}) copy.AppendFrom(text, row);
  EXPECT_EQ(copy.GetView(0), "v");
  EXPECT_TRUE(copy.IsUnchanged(1));
  EXPECT_FALSE(copy.IsUnchanged(2));
  EXPECT_TRUE(copy.IsNull(2));
  EXPECT_TRUE(copy.has_unchanged());

  batch.Filter({0, 1, 1});
  EXPECT_FALSE(batch.columns[1].IsUnchanged(0));
  batch.Filter({1, 0});
  batch.Clear();
  EXPECT_FALSE(batch.HasUnchanged());
  Batch again(IdAndText());
  again.columns[0].AppendInt(7);
  again.columns[1].AppendUnchanged();
  again.columns[0].AppendInt(8);
  again.columns[1].AppendUnchanged();
  again.Filter({0, 1});
  EXPECT_TRUE(again.columns[1].IsUnchanged(0));
}

TEST(BatchTest, CheckOffsetsIsQuietForOrdinaryBatches) {
  Batch batch(IdAndText());
  batch.columns[0].AppendInt(1);
  batch.columns[1].AppendBytes("x");
  EXPECT_TRUE(CheckOffsets(batch, IdAndText()).ok());
  EXPECT_FALSE(batch.columns[1].offsets_overflowed());
}

}  // namespace
}  // namespace sluice
