#include "engine/unchanged_fill.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

// id (the key), n, big: a change stream where big may arrive unchanged.
class UnchangedFillTest : public ::testing::Test {
 protected:
  UnchangedFillTest() {
    schema_.fields.push_back({"id", DataType::Of(TypeId::kInt64)});
    schema_.fields.push_back({"n", DataType::Of(TypeId::kInt64)});
    schema_.fields.push_back({"big", DataType::Of(TypeId::kString)});
    batch_ = Batch(schema_);
  }
  // big: a value, "" for NULL, "?" for unchanged.
  void Add(RowKind kind, int64_t id, int64_t n, const std::string& big) {
    batch_.row_kinds.push_back(kind);
    batch_.columns[0].AppendInt(id);
    batch_.columns[1].AppendInt(n);
    if (big == "?") {
      batch_.columns[2].AppendUnchanged();
    } else if (big.empty()) {
      batch_.columns[2].AppendNull();
    } else {
      batch_.columns[2].AppendBytes(big);
    }
  }
  std::string Big(size_t row) const {
    const Column& c = batch_.columns[2];
    return c.IsUnchanged(row) ? "?" : c.IsNull(row) ? "" : std::string(c.GetView(row));
  }
  Status Fill() {
    return FillUnchangedFromBatch(batch_, schema_, {"id"}, "target t", "send whole rows");
  }

  Schema schema_;
  Batch batch_;
};

TEST_F(UnchangedFillTest, TakesTheLatestEarlierImageOfTheSameRow) {
  Add(RowKind::kInsert, 1, 1, "a");
  Add(RowKind::kUpdateAfter, 2, 1, "?");  // no earlier image: stays for the target
  Add(RowKind::kUpdateAfter, 1, 2, "?");  // from the insert
  Add(RowKind::kUpdateAfter, 1, 3, "b");
  Add(RowKind::kUpdateAfter, 1, 4, "?");  // from the update that set b
  Add(RowKind::kUpdateAfter, 1, 5, "?");  // a chain of unchanged: still b
  Add(RowKind::kUpdateAfter, 2, 2, "?");
  Add(RowKind::kUpdateAfter, 3, 1, "");  // NULL is a value
  Add(RowKind::kUpdateAfter, 3, 2, "?");
  ASSERT_TRUE(Fill().ok());
  const std::vector<std::string> want{"a", "?", "a", "b", "b", "b", "?", "", ""};
  for (size_t row = 0; row < want.size(); ++row) EXPECT_EQ(Big(row), want[row]) << row;
  EXPECT_EQ(batch_.columns[1].GetInt(5), 5);
}

TEST_F(UnchangedFillTest, ADeleteEndsTheRowAndAMoveCarriesItToTheNewKey) {
  Add(RowKind::kInsert, 1, 1, "a");
  Add(RowKind::kDelete, 1, 0, "");
  Add(RowKind::kUpdateAfter, 1, 2, "?");  // not from the deleted row's image
  Add(RowKind::kInsert, 5, 1, "five");
  Add(RowKind::kUpdateBefore, 5, 0, "");
  Add(RowKind::kUpdateAfter, 6, 1, "?");  // moved 5 -> 6: five's value
  Add(RowKind::kUpdateAfter, 5, 1, "?");  // key 5 holds nothing in the batch any more
  ASSERT_TRUE(Fill().ok());
  EXPECT_EQ(Big(2), "?");
  EXPECT_EQ(Big(5), "five");
  EXPECT_EQ(Big(6), "?");
}

TEST_F(UnchangedFillTest, AMoveWithoutAnEarlierImageFailsNamingTheColumn) {
  Add(RowKind::kUpdateBefore, 5, 0, "");
  Add(RowKind::kUpdateAfter, 6, 1, "?");
  Status st = Fill();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("target t: an update moved a row to a new key"), std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("'big'"), std::string::npos) << st.message();
}

TEST_F(UnchangedFillTest, AnUnchangedKeyFails) {
  Status st = FillUnchangedFromBatch(batch_, schema_, {"big"}, "t", "send whole rows");
  EXPECT_TRUE(st.ok());  // no unchanged cell: nothing to do
  Add(RowKind::kUpdateAfter, 1, 1, "?");
  st = FillUnchangedFromBatch(batch_, schema_, {"big"}, "t", "send whole rows");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("key column 'big'"), std::string::npos) << st.message();
}

TEST_F(UnchangedFillTest, ABatchWithoutUnchangedCellsIsLeftAlone) {
  Add(RowKind::kInsert, 1, 1, "a");
  Add(RowKind::kUpdateAfter, 1, 2, "");
  ASSERT_TRUE(Fill().ok());
  EXPECT_EQ(Big(0), "a");
  EXPECT_EQ(Big(1), "");
}

}  // namespace
}  // namespace sluice
