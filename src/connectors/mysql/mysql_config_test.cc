#include "connectors/mysql/mysql_config.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::mysql {
namespace {

std::string Parse(std::string_view text) {
  Result<QuotedName> n = ParseQuotedName(text);
  if (!n) return "<error>";
  return n->database + "|" + n->table + (n->table_quoted ? "|exact" : "");
}

TEST(MysqlQuotedNameTest, SplitsAtTheDotOutsideBackquotes) {
  EXPECT_EQ(Parse("orders"), "|orders");
  EXPECT_EQ(Parse("shop.orders"), "shop|orders");
  EXPECT_EQ(Parse("`my.table`"), "|my.table|exact");
  EXPECT_EQ(Parse("shop.`my.table`"), "shop|my.table|exact");
  // A doubled backquote is one backquote, never left doubled ("quoted twice").
  EXPECT_EQ(Parse("`a.b`.`x``y.z`"), "a.b|x`y.z|exact");
  // A quoted part may sit inside a name, as multi-table templates write it.
  EXPECT_EQ(Parse("`shop`_`Orders`"), "|shop_Orders|exact");
  EXPECT_EQ(Parse("`open"), "<error>");
  EXPECT_EQ(Parse("a.b.c"), "<error>");
}

}  // namespace
}  // namespace sluice::mysql
