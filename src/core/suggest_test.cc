#include "core/suggest.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(EditDistanceTest, CountsEditsAndSwaps) {
  EXPECT_EQ(EditDistance("table", "table"), 0u);
  EXPECT_EQ(EditDistance("tabel", "table"), 1u);  // a swap is one step
  EXPECT_EQ(EditDistance("tble", "table"), 1u);
  EXPECT_EQ(EditDistance("tables", "table"), 1u);
  EXPECT_EQ(EditDistance("Table", "table"), 0u);  // case is ignored
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
}

TEST(ClosestNameTest, SuggestsATypoAndNothingFarOff) {
  const std::vector<std::string> tables = {"orders", "customers", "order_items"};
  EXPECT_EQ(ClosestName("ordres", tables), "orders");
  EXPECT_EQ(ClosestName("Customer", tables), "customers");
  EXPECT_FALSE(ClosestName("invoices", tables).has_value());
  EXPECT_FALSE(ClosestName("x", {}).has_value());
}

TEST(ClosestNameTest, PrefersTheNearestThenTheFirst) {
  EXPECT_EQ(ClosestName("ordes", {"order", "orders"}), "order");
  EXPECT_EQ(ClosestName("ab", {"ac", "ad"}), "ac");
}

}  // namespace
}  // namespace sluice
