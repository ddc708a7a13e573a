#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>

#include "state/state_store.h"

namespace sluice {
namespace {

class StateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sluice_state_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    path_ = (dir_ / "nested" / "state.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<StateStore> Open() {
    auto store = OpenSqliteStateStore(path_);
    EXPECT_TRUE(store.has_value()) << store.error().message();
    return std::move(*store);
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(StateStoreTest, UnknownJobIsEmpty) {
  auto store = Open();
  auto st = store->Load("nope");
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->job, "nope");
  EXPECT_FALSE(st->watermark.has_value());
  EXPECT_FALSE(st->pending.has_value());
}

TEST_F(StateStoreTest, ConfirmedRunAdvancesWatermarkAndSurvivesReopen) {
  {
    auto store = Open();
    ASSERT_TRUE(
        store->BeginRun("j", "gmt_modified", {"r1", "size=10", "2024-01-02", ""}, Fence{}).ok());
    auto st = store->Load("j");
    ASSERT_TRUE(st->pending.has_value());
    EXPECT_EQ(st->pending->sink_state, "size=10");
    EXPECT_FALSE(st->watermark.has_value());  // not before confirmation
    RunRecord rec;
    rec.rows_written = 42;
    ASSERT_TRUE(store->ConfirmRun("j", "r1", rec, Fence{}).ok());
  }
  auto store = Open();
  auto st = store->Load("j");
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->watermark_column, "gmt_modified");
  EXPECT_EQ(st->watermark.value_or(""), "2024-01-02");
  EXPECT_FALSE(st->pending.has_value());
  ASSERT_TRUE(st->last_run.has_value());
  EXPECT_EQ(st->last_run->rows_written, 42);
  EXPECT_EQ(st->last_run->outcome, "committed");
}

TEST_F(StateStoreTest, DiscardedRunKeepsOldWatermark) {
  auto store = Open();
  ASSERT_TRUE(store->BeginRun("j", "id", {"r1", "", "100", ""}, Fence{}).ok());
  ASSERT_TRUE(store->ConfirmRun("j", "r1", {}, Fence{}).ok());
  ASSERT_TRUE(store->BeginRun("j", "id", {"r2", "", "200", ""}, Fence{}).ok());
  ASSERT_TRUE(store->DiscardRun("j", "r2", Fence{}).ok());
  auto st = store->Load("j");
  EXPECT_EQ(st->watermark.value_or(""), "100");
  EXPECT_FALSE(st->pending.has_value());
  EXPECT_EQ(st->last_run->outcome, "discarded");
}

TEST_F(StateStoreTest, RunWithoutNewWatermarkKeepsTheOldOne) {
  auto store = Open();
  ASSERT_TRUE(store->BeginRun("j", "id", {"r1", "", "100", ""}, Fence{}).ok());
  ASSERT_TRUE(store->ConfirmRun("j", "r1", {}, Fence{}).ok());
  ASSERT_TRUE(store->BeginRun("j", "id", {"r2", "", std::nullopt, ""}, Fence{}).ok());
  ASSERT_TRUE(store->ConfirmRun("j", "r2", {}, Fence{}).ok());
  EXPECT_EQ(store->Load("j")->watermark.value_or(""), "100");
}

TEST_F(StateStoreTest, SecondPendingRunIsRefused) {
  auto store = Open();
  ASSERT_TRUE(store->BeginRun("j", "", {"r1", "", std::nullopt, ""}, Fence{}).ok());
  Status st = store->BeginRun("j", "", {"r2", "", std::nullopt, ""}, Fence{});
  EXPECT_EQ(st.code(), StatusCode::kConflict);
  EXPECT_NE(st.message().find("r1"), std::string::npos);
  EXPECT_EQ(store->ConfirmRun("j", "r2", {}, Fence{}).code(), StatusCode::kConflict);
}

TEST_F(StateStoreTest, ResetAndSetWatermark) {
  auto store = Open();
  ASSERT_TRUE(store->SetWatermark("j", "id", std::string("7"), Fence{}).ok());
  EXPECT_EQ(store->Load("j")->watermark.value_or(""), "7");
  ASSERT_TRUE(store->Reset("j", Fence{}).ok());
  EXPECT_FALSE(store->Load("j")->watermark.has_value());
}

TEST_F(StateStoreTest, PositionsRoundTrip) {
  auto store = Open();
  EXPECT_FALSE(store->GetPosition("j", "binlog")->has_value());
  ASSERT_TRUE(store->PutPosition("j", "binlog", "mysql-bin.000003:1234", Fence{}).ok());
  ASSERT_TRUE(store->PutPosition("j", "binlog", "mysql-bin.000003:5678", Fence{}).ok());
  EXPECT_EQ(store->GetPosition("j", "binlog")->value_or(""), "mysql-bin.000003:5678");
}

TEST_F(StateStoreTest, ListsJobs) {
  auto store = Open();
  ASSERT_TRUE(store->SetWatermark("b", "id", std::string("1"), Fence{}).ok());
  ASSERT_TRUE(store->SetWatermark("a", "id", std::string("2"), Fence{}).ok());
  auto jobs = store->List();
  ASSERT_TRUE(jobs.has_value());
  ASSERT_EQ(jobs->size(), 2u);
  EXPECT_EQ((*jobs)[0].job, "a");
  EXPECT_EQ((*jobs)[1].job, "b");
}

TEST_F(StateStoreTest, UnwritableLocationIsAClearError) {
  auto store = OpenSqliteStateStore("/proc/sluice/state.db");
  ASSERT_FALSE(store.has_value());
  EXPECT_NE(store.error().message().find("/proc/sluice"), std::string::npos);
}

// Whether `body` succeeds in a child process without write access to the store: as an
// unprivileged user (nobody) when the test runs as root, who can write anything anyway.
bool SucceedsWithoutWriteAccess(const std::function<bool()>& body) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(3);
    ::_exit(body() ? 0 : 1);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST_F(StateStoreTest, ReadOnlyStoreCanBeShown) {
  {
    auto store = Open();
    ASSERT_TRUE(store->BeginRun("j", "ts", {"r1", "", "5", ""}, Fence{}).ok());
    ASSERT_TRUE(store->ConfirmRun("j", "r1", RunRecord{}, Fence{}).ok());
  }
  namespace fs = std::filesystem;
  const fs::path folder = fs::path(path_).parent_path();
  // chmod a-w on the file and its folders (readable and searchable by nobody).
  const fs::perms read = fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read;
  const fs::perms search = fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec;
  fs::permissions(path_, read);
  for (fs::path p = folder; p != dir_.parent_path(); p = p.parent_path()) {
    fs::permissions(p, read | search);
  }
  const auto before = std::distance(fs::directory_iterator(folder), {});
  EXPECT_TRUE(SucceedsWithoutWriteAccess([&] {
    auto store = OpenSqliteStateStoreReadOnly(path_);
    if (!store) {
      std::fprintf(stderr, "%s\n", store.error().message().c_str());
      return false;
    }
    auto st = (*store)->Load("j");
    if (!st) std::fprintf(stderr, "%s\n", st.error().message().c_str());
    return st && st->watermark == "5";
  }));
  // Reading created nothing next to the store.
  EXPECT_EQ(std::distance(fs::directory_iterator(folder), {}), before);
  for (fs::path p = folder; p != dir_.parent_path(); p = p.parent_path()) {
    fs::permissions(p, fs::perms::owner_all);
  }
}

TEST_F(StateStoreTest, ReadOnlyOpenCreatesNothingAndRefusesAnOlderSchema) {
  auto missing = OpenSqliteStateStoreReadOnly(path_);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(path_).parent_path()));

  std::filesystem::create_directories(std::filesystem::path(path_).parent_path());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db, "CREATE TABLE schema_version (version INTEGER)", nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  auto older = OpenSqliteStateStoreReadOnly(path_);
  ASSERT_FALSE(older.has_value());
  EXPECT_EQ(older.error().message(),
            "state store " + path_ +
                " has schema version 0, older than this sluice's (2); it is upgraded by the next "
                "`sluice run` (which needs write access to it), and cannot be read before");
}

TEST(StateStoreErrorTest, AFullDiskSaysSoAndWhere) {
  const std::string full =
      "state store /data/s/state.db: confirming the run failed: disk full (the file system "
      "holding /data/s has no space left); free some space, or point settings.state_path (or "
      "$SLUICE_STATE) elsewhere";
  EXPECT_EQ(StateStoreError("/data/s/state.db", "confirming the run", SQLITE_FULL, 0,
                            "database or disk is full")
                .message(),
            full);
  // What a full disk looked like before: an I/O error whose cause is ENOSPC.
  EXPECT_EQ(StateStoreError("/data/s/state.db", "confirming the run", SQLITE_IOERR_WRITE, ENOSPC,
                            "disk I/O error")
                .message(),
            full);
  EXPECT_EQ(StateStoreError("/data/s/state.db", "confirming the run", SQLITE_IOERR_FSYNC, EIO,
                            "disk I/O error")
                .message(),
            "state store /data/s/state.db: confirming the run failed: disk I/O error");
}

// A real full disk: a tiny tmpfs. Mounting needs root; elsewhere the mapping test above covers
// the message.
TEST_F(StateStoreTest, RealFullDiskSaysDiskFull) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a tiny tmpfs to fill needs root";
  const std::filesystem::path mnt = dir_ / "tiny";
  std::filesystem::create_directories(mnt);
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=128k") != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs here (" << std::strerror(errno)
                 << "), e.g. in a container without CAP_SYS_ADMIN";
  }
  const std::string path = (mnt / "state.db").string();
  Status failed;
  {
    auto store = OpenSqliteStateStore(path);
    ASSERT_TRUE(store.has_value()) << store.error().message();
    // Fill what is left of the disk, then keep writing state.
    {
      std::ofstream filler(mnt / "filler", std::ios::binary);
      const std::string block(4096, 'x');
      while (filler.write(block.data(), static_cast<std::streamsize>(block.size()))) {
      }
    }
    const std::string big(16 * 1024, 'w');
    for (int i = 0; i < 200 && failed.ok(); ++i) {
      failed = (*store)->SetWatermark("job" + std::to_string(i), "ts", big, Fence{});
    }
  }
  ::umount(mnt.c_str());
  ASSERT_FALSE(failed.ok()) << "the tmpfs never filled";
  EXPECT_NE(failed.message().find("disk full (the file system holding " + mnt.string() +
                                  " has no space left)"),
            std::string::npos)
      << failed.message();
}

}  // namespace
}  // namespace sluice
