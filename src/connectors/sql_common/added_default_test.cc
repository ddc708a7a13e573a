#include "connectors/sql_common/added_default.h"

#include <gtest/gtest.h>

namespace sluice::sql_common {
namespace {

std::string Quote(std::string_view v) {
  return "'" + std::string(v) + "'";
}

TEST(AddedDefault, PlainNumbers) {
  for (const char* yes : {"0", "-12.50", "+3", "1e-5", "-1.5E+3", ".5", "7."}) {
    EXPECT_TRUE(IsPlainNumber(yes)) << yes;
  }
  for (const char* no : {"", "-", "1e", "1-2", "0x10", "1 ", "now()", "'1'", "1.2.3"}) {
    EXPECT_FALSE(IsPlainNumber(no)) << no;
  }
}

TEST(AddedDefault, ClauseByKind) {
  Field f{"n", DataType::Decimal(10, 2)};
  EXPECT_EQ(*AddedDefaultClause(f, "t", Quote), "");  // the older rows hold NULL
  f.added_default = "-12.50";
  EXPECT_EQ(*AddedDefaultClause(f, "t", Quote), " DEFAULT -12.50");
  Field s{"s", DataType::Of(TypeId::kString)};
  s.added_default = "42";  // a string that looks like a number stays a string
  EXPECT_EQ(*AddedDefaultClause(s, "t", Quote), " DEFAULT '42'");
  s.added_default = "";
  EXPECT_EQ(*AddedDefaultClause(s, "t", Quote), " DEFAULT ''");
}

TEST(AddedDefault, AnUnknownDefaultIsRefusedNamingIt) {
  Field f{"ts", DataType::Of(TypeId::kTimestamp)};
  f.added_default_unknown = "DEFAULT now()";
  Result<std::string> clause = AddedDefaultClause(f, "postgres target ods.t", Quote);
  ASSERT_FALSE(clause.has_value());
  EXPECT_EQ(clause.error().message(),
            "postgres target ods.t: column ts was added at the source with DEFAULT now(), which "
            "is not a constant sluice can know: the source filled its existing rows with values "
            "the change stream does not carry, so the target's rows cannot be made to match; "
            "re-snapshot the table into a fresh target (startup: initial)");
}

}  // namespace
}  // namespace sluice::sql_common
