#include "connectors/file_common/file_list.h"

#include <gtest/gtest.h>

#include "connectors/file_common/file_test_util.h"

namespace sluice {
namespace {

using testing::TempDir;
using testing::WriteFile;

TEST(FileListTest, FileDirectoryAndGlob) {
  TempDir dir;
  WriteFile(dir / "in/b.csv", "");
  WriteFile(dir / "in/a.csv", "");
  WriteFile(dir / "in/c.txt", "");
  WriteFile(dir / "in/.hidden", "");
  WriteFile(dir / "in/out.csv.sluice-tmp-r1", "");
  WriteFile(dir / "in/sub/d.csv", "");
  EXPECT_EQ(ListInputFiles(dir / "in/a.csv"), std::vector<std::string>{dir / "in/a.csv"});
  EXPECT_EQ(ListInputFiles(dir / "in"),
            (std::vector<std::string>{dir / "in/a.csv", dir / "in/b.csv", dir / "in/c.txt"}));
  EXPECT_EQ(ListInputFiles(dir / "in/*.csv"),
            (std::vector<std::string>{dir / "in/a.csv", dir / "in/b.csv"}));
  EXPECT_EQ(ListInputFiles(dir / "in/*/*.csv"), std::vector<std::string>{dir / "in/sub/d.csv"});
}

TEST(FileListTest, NothingToReadIsAnError) {
  TempDir dir;
  WriteFile(dir / "empty/.keep", "");
  auto missing = ListInputFiles(dir / "nope.csv");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().message(), "input path '" + (dir / "nope.csv") + "' does not exist");
  EXPECT_EQ(ListInputFiles(dir / "empty").error().code(), StatusCode::kNotFound);
  EXPECT_EQ(ListInputFiles(dir / "*.parquet").error().code(), StatusCode::kNotFound);
  EXPECT_EQ(ListInputFiles("").error().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sluice
