#include "connectors/file_common/file_options.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice {
namespace {

TEST(FileNameValueTest, OnlyOneFileNameIsFilledIntoAPath) {
  EXPECT_EQ(FileNameValue("orders").value_or("<error>"), "orders");
  EXPECT_EQ(FileNameValue("dot.ted").value_or("<error>"), "dot.ted");
  EXPECT_EQ(FileNameValue("q\"`x").value_or("<error>"), "q\"`x");
  for (std::string_view bad : {"", ".", "..", "a/b", "../etc"}) {
    Result<std::string> v = FileNameValue(bad);
    ASSERT_FALSE(v.has_value()) << bad;
    EXPECT_NE(v.error().message().find("is not one file name"), std::string::npos);
  }
  EXPECT_FALSE(FileNameValue(std::string_view("a\0b", 3)).has_value());
}

}  // namespace
}  // namespace sluice
