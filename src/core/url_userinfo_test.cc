#include "core/url_userinfo.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(UrlUserInfoTest, TheLastAtBeforeAHostEndsTheUserInfo) {
  EXPECT_EQ(FindUserInfoEnd("u:pw@h/db"), 4u);
  EXPECT_EQ(FindUserInfoEnd("u:p@s:s/w?o#r%d&=+;[]@127.0.0.1:3306/db"), 21u);
  EXPECT_EQ(FindUserInfoEnd("u:p@ss@[::1]:5432"), 6u);
  EXPECT_EQ(FindUserInfoEnd("h/db"), std::nullopt);
  // No host after any '@': the last one, so that nothing before it is ever echoed.
  EXPECT_EQ(FindUserInfoEnd("u:a@b! c@! d"), 8u);
}

TEST(UrlUserInfoTest, PercentCoding) {
  EXPECT_EQ(PercentDecode("p%40ss%2f"), "p@ss/");
  EXPECT_EQ(PercentDecode("a+b"), "a+b");
  EXPECT_EQ(PercentDecode("%zz"), std::nullopt);
  EXPECT_EQ(PercentDecode("ab%4"), std::nullopt);
  EXPECT_EQ(PercentEncode("p@s:s/w?o#r%d&=+;[]~-._"),
            "p%40s%3As%2Fw%3Fo%23r%25d%26%3D%2B%3B%5B%5D~-._");
  EXPECT_EQ(PercentDecode(PercentEncode("x y\xff")), "x y\xff");
}

}  // namespace
}  // namespace sluice
