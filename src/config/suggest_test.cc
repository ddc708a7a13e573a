#include "config/suggest.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(ClosestMatchTest, SuggestsOnlyLikelyTypos) {
  const std::vector<std::string> keys = {"url", "table", "columns", "where", "split_key"};
  EXPECT_EQ(ClosestMatch("tabel", keys), "table");
  EXPECT_EQ(ClosestMatch("colums", keys), "columns");
  EXPECT_EQ(ClosestMatch("splitkey", keys), "split_key");
  EXPECT_EQ(ClosestMatch("url", keys), "url");
  EXPECT_FALSE(ClosestMatch("partition", keys).has_value());
  EXPECT_FALSE(ClosestMatch("xyz", keys).has_value());  // 3 edits from "url": not a typo
}

TEST(ClosestMatchTest, PrefersTheNearestThenTheFirst) {
  EXPECT_EQ(ClosestMatch("sett", {"set", "settings"}), "set");
  EXPECT_EQ(ClosestMatch("ab", {"ac", "ad"}), "ac");
}

TEST(DidYouMeanTest, FormatsTheHint) {
  EXPECT_EQ(DidYouMean("tabel", {"table"}), " (did you mean 'table'?)");
  EXPECT_EQ(DidYouMean("bizdat", {"bizdate"}, "${", "}"), " (did you mean '${bizdate}'?)");
  EXPECT_EQ(DidYouMean("nothing", {"table"}), "");
}

TEST(JoinTest, Joins) {
  EXPECT_EQ(JoinOr({"a"}), "a");
  EXPECT_EQ(JoinOr({"a", "b"}), "a or b");
  EXPECT_EQ(JoinOr({"a", "b", "c"}), "a, b or c");
  EXPECT_EQ(JoinComma({"a", "b", "c"}), "a, b, c");
  EXPECT_EQ(JoinComma({}), "");
}

}  // namespace
}  // namespace sluice
