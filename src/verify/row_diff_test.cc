#include "verify/row_diff.h"

#include <gtest/gtest.h>

namespace sluice::verify {
namespace {

const std::vector<std::string> kColumns = {"id", "name", "amount"};

// A kept row keyed on its first value; "NULL" is NULL. The row hash stands for the values.
KeptRow Row(std::vector<std::string> values, bool whole_row_key = false) {
  KeptRow row;
  std::string joined;
  for (const std::string& v : values) {
    KeptValue kv;
    kv.null = v == "NULL";
    kv.normalized = kv.null ? "" : v;
    kv.display = v;
    joined += (kv.null ? "N" : "V" + v) + "|";
    row.values.push_back(kv);
  }
  row.row_hash = std::hash<std::string>{}(joined);
  row.key = whole_row_key ? joined : values[0];
  row.key_display = whole_row_key ? "row " + joined : "id=" + values[0];
  return row;
}

TEST(DiffRows, MissingExtraAndChangedWithTheirColumns) {
  std::vector<KeptRow> source = {Row({"1", "a", "10.5"}), Row({"2", "b", "20"}),
                                 Row({"3", "c", "30"})};
  std::vector<KeptRow> target = {Row({"3", "c", "30"}), Row({"2", "B", "21"}),
                                 Row({"4", "d", "40"})};
  RowDiff diff = DiffRows(source, target, kColumns, 20);
  EXPECT_EQ(diff.missing, 1);
  EXPECT_EQ(diff.extra, 1);
  EXPECT_EQ(diff.changed, 1);
  ASSERT_EQ(diff.shown.size(), 3u);
  EXPECT_EQ(diff.shown[0].kind, Difference::Kind::kMissing);
  EXPECT_EQ(diff.shown[0].key, "id=1");
  EXPECT_EQ(diff.shown[1].kind, Difference::Kind::kChanged);
  EXPECT_EQ(diff.shown[1].key, "id=2");
  ASSERT_EQ(diff.shown[1].changes.size(), 2u);
  EXPECT_EQ(diff.shown[1].changes[0].column, "name");
  EXPECT_EQ(diff.shown[1].changes[0].source, "b");
  EXPECT_EQ(diff.shown[1].changes[0].target, "B");
  EXPECT_EQ(diff.shown[1].changes[1].column, "amount");
  EXPECT_EQ(diff.shown[2].kind, Difference::Kind::kExtra);
  EXPECT_EQ(diff.shown[2].key, "id=4");
}

TEST(DiffRows, NullAgainstEmptyIsAChange) {
  std::vector<KeptRow> source = {Row({"1", "NULL", "1"})};
  std::vector<KeptRow> target = {Row({"1", "", "1"})};
  RowDiff diff = DiffRows(source, target, kColumns, 20);
  EXPECT_EQ(diff.changed, 1);
  ASSERT_EQ(diff.shown.size(), 1u);
  ASSERT_EQ(diff.shown[0].changes.size(), 1u);
  EXPECT_EQ(diff.shown[0].changes[0].column, "name");
}

TEST(DiffRows, EqualRowsCancelEvenWithDuplicateKeys) {
  // The target holds key 5 twice (an append ran twice): one copy matches, one is extra.
  std::vector<KeptRow> source = {Row({"5", "e", "1"}), Row({"6", "f", "1"})};
  std::vector<KeptRow> target = {Row({"5", "e", "1"}), Row({"6", "f", "1"}), Row({"5", "e", "1"})};
  RowDiff diff = DiffRows(source, target, kColumns, 20);
  EXPECT_EQ(diff.missing, 0);
  EXPECT_EQ(diff.changed, 0);
  EXPECT_EQ(diff.extra, 1);
}

TEST(DiffRows, WithoutKeyRowsAreOnlyMissingOrExtra) {
  std::vector<KeptRow> source = {Row({"1", "a", "1"}, true), Row({"1", "a", "1"}, true)};
  std::vector<KeptRow> target = {Row({"1", "a", "1"}, true), Row({"1", "a", "2"}, true)};
  RowDiff diff = DiffRows(source, target, kColumns, 20);
  EXPECT_EQ(diff.changed, 0);
  EXPECT_EQ(diff.missing, 1);
  EXPECT_EQ(diff.extra, 1);
}

TEST(DiffRows, CountsEverythingButShowsAtMostTheLimit) {
  std::vector<KeptRow> source;
  std::vector<KeptRow> target;
  for (int i = 0; i < 50; ++i) source.push_back(Row({std::to_string(i), "x", "1"}));
  RowDiff diff = DiffRows(source, target, kColumns, 3);
  EXPECT_EQ(diff.missing, 50);
  EXPECT_EQ(diff.shown.size(), 3u);
  EXPECT_TRUE(diff.any());
  std::vector<KeptRow> none;
  std::vector<KeptRow> none2;
  EXPECT_FALSE(DiffRows(none, none2, kColumns, 3).any());
}

}  // namespace
}  // namespace sluice::verify
