#include "tables/target_name.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice {
namespace {

std::string Expand(std::string_view pattern, const std::vector<std::string>& captures = {},
                   NameCase rule = NameCase::kKeep) {
  Result<std::string> name = ExpandTableTemplate(pattern, "Shop_1", "Orders_7", captures, rule);
  return name ? *name : "error: " + name.error().message();
}

TEST(ParseNameCaseTest, KnownRulesAndErrors) {
  EXPECT_EQ(ParseNameCase(""), NameCase::kKeep);
  EXPECT_EQ(ParseNameCase("keep"), NameCase::kKeep);
  EXPECT_EQ(ParseNameCase("lower"), NameCase::kLower);
  EXPECT_EQ(ParseNameCase("upper"), NameCase::kUpper);
  Result<NameCase> bad = ParseNameCase("Lower");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message(), "expected keep, lower or upper, got 'Lower'");
}

TEST(ExpandTableTemplateTest, DbAndTable) {
  EXPECT_EQ(Expand("ods_${db}_${table}"), "ods_Shop_1_Orders_7");
  EXPECT_EQ(Expand("${table}"), "Orders_7");
  EXPECT_EQ(Expand("fixed"), "fixed");
  EXPECT_EQ(Expand("${db}.${table}"), "Shop_1.Orders_7");
  EXPECT_EQ(Expand("${table}${table}"), "Orders_7Orders_7");
}

TEST(ExpandTableTemplateTest, CaseRuleAppliesToTheWholeName) {
  EXPECT_EQ(Expand("ODS_${db}_${table}", {}, NameCase::kLower), "ods_shop_1_orders_7");
  EXPECT_EQ(Expand("ods_${db}_${table}", {}, NameCase::kUpper), "ODS_SHOP_1_ORDERS_7");
  EXPECT_EQ(Expand("Ods_${table}", {}, NameCase::kKeep), "Ods_Orders_7");
}

TEST(ExpandTableTemplateTest, CaptureGroups) {
  EXPECT_EQ(Expand("ods.orders_${1}_${2}", {"1", "7"}), "ods.orders_1_7");
  EXPECT_EQ(Expand("${2}${1}", {"a", "b"}), "ba");
  // ${0} is the whole source name, as in a regular expression's group 0.
  EXPECT_EQ(Expand("copy_of_${0}", {}), "copy_of_Shop_1.Orders_7");
  // An optional group that did not take part in the match is empty.
  EXPECT_EQ(Expand("t${1}", {""}), "t");
}

TEST(ExpandTableTemplateTest, DollarWithoutBraceIsLiteral) {
  EXPECT_EQ(Expand("a$b"), "a$b");
  EXPECT_EQ(Expand("cost$"), "cost$");
}

TEST(ExpandTableTemplateTest, ErrorsNameThePlaceholder) {
  EXPECT_EQ(Expand("orders_${3}", {"a", "b"}),
            "error: 'orders_${3}': ${3} but the route has 2 capture group(s)");
  EXPECT_EQ(Expand("orders_${1}"),
            "error: 'orders_${1}': ${1} but the route has 0 capture group(s)");
  EXPECT_EQ(Expand("ods_${schema}"),
            "error: 'ods_${schema}': unknown placeholder ${schema} (use ${db}, ${table} or ${1}.. "
            "for a route's groups)");
  EXPECT_EQ(Expand("ods_${db"), "error: 'ods_${db': '${' without a closing '}'");
  // Only ${1}..${9}: two digits are not a group number.
  EXPECT_EQ(Expand("t_${10}", std::vector<std::string>(10, "x")),
            "error: 't_${10}': unknown placeholder ${10} (use ${db}, ${table} or ${1}.. for a "
            "route's groups)");
}

TEST(ExpandTableTemplateTest, ValuesAreQuotedNeverReparsed) {
  auto quote = [](std::string_view name) -> Result<std::string> {
    std::string out = "\"";
    for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
  };
  Result<std::string> name =
      ExpandTableTemplate("${db}.${table}", "Q\" . S", "T", {}, NameCase::kKeep, quote);
  ASSERT_TRUE(name.has_value());
  EXPECT_EQ(*name, "\"Q\"\" . S\".\"T\"");
  name = ExpandTableTemplate("ODS.x_${table}", "s", "Dot.Ted", {}, NameCase::kLower, quote);
  ASSERT_TRUE(name.has_value());
  EXPECT_EQ(*name, "ods.x_\"dot.ted\"");
  name = ExpandTableTemplate("${0}", "s", "t", {}, NameCase::kKeep, quote);
  ASSERT_TRUE(name.has_value());
  EXPECT_EQ(*name, "\"s\".\"t\"");
  auto refuse = [](std::string_view name) -> Result<std::string> {
    return Err(Status::Invalid("'{}' refused", name));
  };
  name = ExpandTableTemplate("out/${table}.csv", "s", "a/b", {}, NameCase::kKeep, refuse);
  ASSERT_FALSE(name.has_value());
  EXPECT_EQ(name.error().message(), "'a/b' refused");
}

}  // namespace
}  // namespace sluice
