#include "connectors/sql_common/sql_params.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

namespace sluice::sql_common {
namespace {

TEST(SqlParamsTest, RewritesNumberedPlaceholders) {
  auto dollar = [](size_t i) { return fmt::format("${}", i + 1); };
  EXPECT_EQ(RewriteParams("UPDATE t SET a = ?2 WHERE b = ?1 AND c <= ?2", dollar),
            "UPDATE t SET a = $2 WHERE b = $1 AND c <= $2");
  EXPECT_EQ(RewriteParams("SELECT ?10, ?", dollar), "SELECT $10, ?");
  EXPECT_EQ(RewriteParams("?0 stays", dollar), "?0 stays");
  EXPECT_EQ(RewriteParams("", dollar), "");
}

TEST(SqlParamsTest, ParamTextOfStringsAndIntegers) {
  EXPECT_EQ(ParamText(SqlParam(std::string("job"))), "job");
  EXPECT_EQ(ParamText(SqlParam(int64_t{-42})), "-42");
}

}  // namespace
}  // namespace sluice::sql_common
