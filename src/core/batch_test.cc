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

TEST(BatchTest, CheckOffsetsIsQuietForOrdinaryBatches) {
  Batch batch(IdAndText());
  batch.columns[0].AppendInt(1);
  batch.columns[1].AppendBytes("x");
  EXPECT_TRUE(CheckOffsets(batch, IdAndText()).ok());
  EXPECT_FALSE(batch.columns[1].offsets_overflowed());
}

}  // namespace
}  // namespace sluice
