#include "tables/tool_tables.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

using Names = std::vector<std::string>;

TEST(ToolTableBases, NamesTheTableTheToolsWorkOn) {
  EXPECT_EQ(ToolTableBases("_orders_gho"), Names{"orders"});
  EXPECT_EQ(ToolTableBases("_orders_ghc"), Names{"orders"});
  EXPECT_EQ(ToolTableBases("_orders_del"), Names{"orders"});
  EXPECT_EQ(ToolTableBases("_orders_new"), Names{"orders"});
  EXPECT_EQ(ToolTableBases("_orders_old"), Names{"orders"});
  EXPECT_EQ(ToolTableBases("_order_items_gho"), Names{"order_items"});
  // gh-ost --timestamp-old-table.
  EXPECT_EQ(ToolTableBases("_orders_20261207040512_del"),
            (Names{"orders_20261207040512", "orders"}));
  // pt-osc with _orders_new taken, or the table _orders itself.
  EXPECT_EQ(ToolTableBases("__orders_new"), (Names{"_orders", "orders"}));
}

TEST(ToolTableBases, OtherNamesAreNone) {
  EXPECT_TRUE(ToolTableBases("orders").empty());
  EXPECT_TRUE(ToolTableBases("orders_new").empty());  // no leading underscore
  EXPECT_TRUE(ToolTableBases("_orders").empty());
  EXPECT_TRUE(ToolTableBases("_gho").empty());
  EXPECT_TRUE(ToolTableBases("__gho").empty());
  EXPECT_TRUE(ToolTableBases("_orders_GHO").empty());
  EXPECT_TRUE(ToolTableBases("_orders_gho2").empty());
  EXPECT_TRUE(ToolTableBases("").empty());
  EXPECT_TRUE(ToolTableBases("_").empty());
}

}  // namespace
}  // namespace sluice
