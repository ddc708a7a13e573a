#include "tables/table_pattern.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice {
namespace {

CatalogTable T(std::string db, std::string name, bool in_default_db = false) {
  CatalogTable t;
  t.db = std::move(db);
  t.name = std::move(name);
  t.table_option = t.name;
  t.in_default_db = in_default_db;
  return t;
}

TablePattern MustCompile(const std::string& text) {
  Result<TablePattern> p = TablePattern::Compile(text);
  EXPECT_TRUE(p.has_value()) << text << ": " << p.error().message();
  return std::move(*p);
}

std::string CompileError(const std::string& text) {
  Result<TablePattern> p = TablePattern::Compile(text);
  if (p) return "compiled";
  return p.error().message();
}

TEST(TablePatternTest, GlobStarStaysWithinOneNamePart) {
  const TablePattern p = MustCompile("shop.*");
  EXPECT_FALSE(p.exclude());
  EXPECT_TRUE(p.Matches(T("shop", "orders")));
  EXPECT_TRUE(p.Matches(T("shop", "")));
  EXPECT_FALSE(p.Matches(T("shop2", "orders")));
  EXPECT_FALSE(p.Matches(T("myshop", "orders")));
  // The db and the table are matched apart: a dot inside a table name is part of the name.
  EXPECT_TRUE(p.Matches(T("shop", "a.b")));
  EXPECT_FALSE(p.Matches(T("shop.x", "orders")));
}

TEST(TablePatternTest, NamesWithDotsMatchGlobsAndExactNames) {
  EXPECT_TRUE(MustCompile("idt.*").Matches(T("idt", "dot.ted")));
  EXPECT_TRUE(MustCompile("idt.dot.ted").Matches(T("idt", "dot.ted")));
  EXPECT_TRUE(MustCompile("idt.dot.*").Matches(T("idt", "dot.ted")));
  EXPECT_FALSE(MustCompile("idt.dot.ted").Matches(T("idt", "dot")));
  // A schema with dots (PostgreSQL "Q . S") is matched whole, too.
  EXPECT_TRUE(MustCompile("Q . S.*").Matches(T("Q . S", "T")));
  EXPECT_TRUE(MustCompile("*.T").Matches(T("Q . S", "T")));
  EXPECT_FALSE(MustCompile("Q.*").Matches(T("Q . S", "T")));
  // Quotes and backticks are ordinary characters of a name.
  EXPECT_TRUE(MustCompile("idt.back`tick").Matches(T("idt", "back`tick")));
  EXPECT_TRUE(MustCompile("idt.dq\"x*").Matches(T("idt", "dq\"x1")));
}

TEST(TablePatternTest, GlobQuestionMarkIsOneCharacterOfOneName) {
  const TablePattern p = MustCompile("shop.orders_?");
  EXPECT_TRUE(p.Matches(T("shop", "orders_1")));
  EXPECT_FALSE(p.Matches(T("shop", "orders_12")));
  EXPECT_FALSE(p.Matches(T("shop", "orders_")));
  EXPECT_FALSE(p.Matches(T("shop.orders_", "1")));
}

TEST(TablePatternTest, GlobClassesAndNegatedClasses) {
  const TablePattern digits = MustCompile("shop_[0-9].orders");
  EXPECT_TRUE(digits.Matches(T("shop_7", "orders")));
  EXPECT_FALSE(digits.Matches(T("shop_x", "orders")));
  EXPECT_FALSE(digits.Matches(T("shop_12", "orders")));
  const TablePattern negated = MustCompile("shop.[!t]*");
  EXPECT_TRUE(negated.Matches(T("shop", "orders")));
  EXPECT_FALSE(negated.Matches(T("shop", "tmp_1")));
}

TEST(TablePatternTest, GlobMetacharactersOfRegexAreLiteral) {
  // `.` in a glob is the separator, not "any character".
  const TablePattern p = MustCompile("a.b");
  EXPECT_TRUE(p.Matches(T("a", "b")));
  EXPECT_FALSE(p.Matches(T("axb", "")));
  const TablePattern dash = MustCompile("shop.order-items");
  EXPECT_TRUE(dash.Matches(T("shop", "order-items")));
  EXPECT_FALSE(dash.Matches(T("shop", "order_items")));
}

TEST(TablePatternTest, GlobWithoutDbPartMatchesTheDefaultDatabaseOnly) {
  const TablePattern p = MustCompile("orders_*");
  EXPECT_TRUE(p.Matches(T("shop", "orders_1", /*in_default_db=*/true)));
  EXPECT_FALSE(p.Matches(T("shop", "orders_1", /*in_default_db=*/false)));
  EXPECT_FALSE(p.Matches(T("shop", "customers", /*in_default_db=*/true)));
}

TEST(TablePatternTest, RegexMustMatchTheWholeDbDotTable) {
  const TablePattern p = MustCompile("shop_[0-9]+\\.orders_[0-9]+");
  EXPECT_TRUE(p.Matches(T("shop_1", "orders_0")));
  EXPECT_TRUE(p.Matches(T("shop_12", "orders_345")));
  EXPECT_FALSE(p.Matches(T("shop_1", "orders_0_old")));
  EXPECT_FALSE(p.Matches(T("xshop_1", "orders_0")));
  EXPECT_FALSE(p.Matches(T("shop_", "orders_0")));
  // A regular expression is never "table only", even without a dot.
  EXPECT_FALSE(MustCompile("orders_[0-9]+").Matches(T("shop", "orders_1", true)));
  EXPECT_TRUE(MustCompile("(shop|web)\\..*").Matches(T("web", "hits")));
}

TEST(TablePatternTest, ExcludingPattern) {
  const TablePattern p = MustCompile("!shop.tmp_*");
  EXPECT_TRUE(p.exclude());
  EXPECT_EQ(p.text(), "!shop.tmp_*");
  EXPECT_TRUE(p.Matches(T("shop", "tmp_x")));
  EXPECT_FALSE(p.Matches(T("shop", "orders")));
}

TEST(TablePatternTest, ErrorsNameThePattern) {
  EXPECT_EQ(CompileError(""), "table pattern '' is empty");
  EXPECT_EQ(CompileError("!"), "table pattern '!' is empty");
  EXPECT_EQ(CompileError("shop.[0-9"), "table pattern 'shop.[0-9': '[' without a closing ']'");
  const std::string bad = CompileError("shop_(\\d+");
  EXPECT_EQ(bad.rfind("table pattern 'shop_(\\d+' is not a valid regular expression: ", 0), 0u)
      << bad;
}

TEST(TableSelectorTest, NamesExactlyOnlyThroughAnIncludingPatternWithoutWildcards) {
  CatalogTable gho;
  gho.db = "shop";
  gho.name = "_orders_gho";
  Result<TableSelector> wild = TableSelector::Compile({"shop.*", "!shop._orders_gho"});
  ASSERT_TRUE(wild.has_value());
  EXPECT_FALSE(wild->NamesExactly(gho));
  Result<TableSelector> named = TableSelector::Compile({"shop.*", "shop._orders_gho"});
  ASSERT_TRUE(named.has_value());
  EXPECT_TRUE(named->NamesExactly(gho));
  Result<TableSelector> one = TableSelector::Compile({"shop._orders_gh?"});
  ASSERT_TRUE(one.has_value());
  EXPECT_FALSE(one->NamesExactly(gho));
}

TEST(TableSelectorTest, IncludeThenExcludeWhateverTheOrder) {
  for (const std::vector<std::string>& patterns :
       {std::vector<std::string>{"shop.*", "!shop.tmp_*"},
        std::vector<std::string>{"!shop.tmp_*", "shop.*"}}) {
    Result<TableSelector> s = TableSelector::Compile(patterns);
    ASSERT_TRUE(s.has_value()) << s.error().message();
    EXPECT_TRUE(s->Selects(T("shop", "orders")));
    EXPECT_FALSE(s->Selects(T("shop", "tmp_orders")));
    EXPECT_FALSE(s->Selects(T("crm", "orders")));
  }
}

TEST(TableSelectorTest, SeveralIncludesAreAUnion) {
  Result<TableSelector> s = TableSelector::Compile({"shop.orders", "crm.*"});
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->Selects(T("shop", "orders")));
  EXPECT_TRUE(s->Selects(T("crm", "people")));
  EXPECT_FALSE(s->Selects(T("shop", "items")));
}

TEST(TableSelectorTest, OnlyExcludesIsAnError) {
  Result<TableSelector> s = TableSelector::Compile({"!shop.tmp_*"});
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().message(), "no pattern selects tables (they all start with '!')");
  Result<TableSelector> bad = TableSelector::Compile({"shop.*", "!x.[a"});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message(), "table pattern '!x.[a': '[' without a closing ']'");
}

TEST(TableSelectorTest, UnmatchedListsIncludingPatternsThatSelectNothing) {
  Result<TableSelector> s =
      TableSelector::Compile({"shop.*", "shpo.*", "!shop.nothing_*", "crm.people"});
  ASSERT_TRUE(s.has_value());
  const std::vector<CatalogTable> tables = {T("shop", "orders"), T("crm", "accounts")};
  EXPECT_EQ(s->Unmatched(tables), (std::vector<std::string>{"shpo.*", "crm.people"}));
  EXPECT_EQ(s->Unmatched({}), (std::vector<std::string>{"shop.*", "shpo.*", "crm.people"}));
}

}  // namespace
}  // namespace sluice
