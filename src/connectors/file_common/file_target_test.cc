#include "connectors/file_common/file_target.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "connectors/file_common/file_test_util.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

// Runs Begin + write `text` (+ Commit when asked); returns the journal entry.
std::string RunTarget(const std::string& path, WriteMode mode, const std::string& run_id,
                      const std::string& text, bool commit) {
  FileTarget target(path);
  auto state = target.Begin(mode, run_id);
  EXPECT_TRUE(state.has_value()) << state.error().message();
  target.buffer() += text;
  EXPECT_TRUE(target.Flush().ok());
  if (commit) {
    EXPECT_TRUE(target.Commit().ok());
  }
  // Without Commit the destructor only closes the file, like a process killed mid-run.
  return *state;
}

TEST(FileTargetTest, AppendRecoveryCutsTheUnconfirmedRunOff) {
  TempDir dir;
  const std::string path = dir / "out.csv";
  RunTarget(path, WriteMode::kAppend, "r1", "a\nb\n", true);
  const std::string state = RunTarget(path, WriteMode::kAppend, "r2", "c\nd\n", /*commit=*/true);
  EXPECT_EQ(ReadFile(path), "a\nb\nc\nd\n");
  // The engine never confirmed r2 (killed right after Commit): its rows must go, because the
  // engine will read them again.
  auto recovered = FileTarget::Recover(PendingRun{"r2", state});
  ASSERT_TRUE(recovered.has_value()) << recovered.error().message();
  EXPECT_FALSE(*recovered);
  EXPECT_EQ(ReadFile(path), "a\nb\n");
  // Recovering twice is harmless.
  ASSERT_TRUE(FileTarget::Recover(PendingRun{"r2", state}).has_value());
  EXPECT_EQ(ReadFile(path), "a\nb\n");
}

TEST(FileTargetTest, AppendRecoveryRemovesAFileTheRunCreated) {
  TempDir dir;
  const std::string path = dir / "new/out.csv";
  const std::string state = RunTarget(path, WriteMode::kAppend, "r1", "half", /*commit=*/false);
  EXPECT_TRUE(fs::exists(path));
  auto recovered = FileTarget::Recover(PendingRun{"r1", state});
  ASSERT_TRUE(recovered.has_value());
  EXPECT_FALSE(*recovered);
  EXPECT_FALSE(fs::exists(path));
}

TEST(FileTargetTest, AppendAbortTruncates) {
  TempDir dir;
  const std::string path = dir / "out.csv";
  WriteFile(path, "keep\n");
  FileTarget target(path);
  ASSERT_TRUE(target.Begin(WriteMode::kAppend, "r1").has_value());
  EXPECT_FALSE(target.starts_empty());
  target.buffer() = "drop\n";
  ASSERT_TRUE(target.Flush().ok());
  EXPECT_EQ(target.bytes_written(), 5);
  ASSERT_TRUE(target.Abort().ok());
  EXPECT_EQ(ReadFile(path), "keep\n");
}

TEST(FileTargetTest, OverwriteRecoveryDistinguishesRenamedFromNot) {
  TempDir dir;
  const std::string path = dir / "out.csv";
  WriteFile(path, "old\n");
  // Killed before the rename: the temp file goes, the target stays.
  const std::string s1 = RunTarget(path, WriteMode::kOverwrite, "r1", "new\n", /*commit=*/false);
  EXPECT_TRUE(fs::exists(FileTarget::TempPath(path, "r1")));
  auto r1 = FileTarget::Recover(PendingRun{"r1", s1});
  ASSERT_TRUE(r1.has_value()) << r1.error().message();
  EXPECT_FALSE(*r1);
  EXPECT_FALSE(fs::exists(FileTarget::TempPath(path, "r1")));
  EXPECT_EQ(ReadFile(path), "old\n");
  // Killed after the rename: the run is in the target.
  const std::string s2 = RunTarget(path, WriteMode::kOverwrite, "r2", "new\n", /*commit=*/true);
  auto r2 = FileTarget::Recover(PendingRun{"r2", s2});
  ASSERT_TRUE(r2.has_value());
  EXPECT_TRUE(*r2);
  EXPECT_EQ(ReadFile(path), "new\n");
  // Aborted (temp removed) and killed before the engine noted it: the target is another file.
  FileTarget aborted(path);
  auto s3 = aborted.Begin(WriteMode::kOverwrite, "r3");
  ASSERT_TRUE(s3.has_value());
  ASSERT_TRUE(aborted.Abort().ok());
  auto r3 = FileTarget::Recover(PendingRun{"r3", *s3});
  ASSERT_TRUE(r3.has_value());
  EXPECT_FALSE(*r3);
  EXPECT_EQ(ReadFile(path), "new\n");
}

TEST(FileTargetTest, EmptyOrBrokenStates) {
  EXPECT_EQ(FileTarget::Recover(PendingRun{"r", ""}), false);
  EXPECT_FALSE(FileTarget::Recover(PendingRun{"r", "not json"}).has_value());
  EXPECT_FALSE(FileTarget::Recover(PendingRun{"r", R"({"format":99})"}).has_value());
  EXPECT_FALSE(FileTarget::Recover(PendingRun{"r", R"({"format":1,"path":7})"}).has_value());
}

TEST(FileTargetTest, OnlyAppendAndOverwrite) {
  TempDir dir;
  FileTarget target(dir / "x");
  auto st = target.Begin(WriteMode::kIgnore, "r");
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckFileWriteMode("jsonl", WriteMode::kUpsert).message(),
            "jsonl target does not support write_mode upsert (supported: append, overwrite)");
}

TEST(FileTargetTest, PlanChangesNothing) {
  TempDir dir;
  const std::string path = dir / "a/b/out.csv";
  auto steps = FileTarget::Plan(path, WriteMode::kOverwrite);
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0], "create directory " + (dir / "a/b"));
  EXPECT_FALSE(fs::exists(dir / "a"));
}

}  // namespace
}  // namespace sluice
