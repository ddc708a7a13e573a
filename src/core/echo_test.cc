#include "core/echo.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(EchoTextTest, ShortTextIsUnchanged) {
  EXPECT_EQ(EchoText("id > 0"), "id > 0");
  EXPECT_EQ(EchoText(std::string(200, 'a')), std::string(200, 'a'));
}

TEST(EchoTextTest, LongTextIsCutAndSaysHowLongItWas) {
  const std::string where(10'000'000, '(');
  const std::string echoed = EchoText(where);
  EXPECT_EQ(echoed, std::string(200, '(') + "... (10000000 bytes)");
}

TEST(EchoTextTest, CutsAtACharacterBoundary) {
  // "é" is two bytes; a cut after 5 bytes would split the third one.
  EXPECT_EQ(EchoText("ééééé", 5), "éé... (10 bytes)");
}

}  // namespace
}  // namespace sluice
