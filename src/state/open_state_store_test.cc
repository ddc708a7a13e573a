// Which store a location opens, for the locations that need no server (the PostgreSQL ones are
// tried in tests/state/postgres_state_store_test.cc).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "state/state_store.h"

namespace sluice {
namespace {

class OpenStateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sluice_open_state_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes a watermark through `location`, then reads it back through a plain-path store.
  void ExpectSqliteAt(const std::string& location, const std::filesystem::path& file) {
    auto store = OpenStateStore(location);
    ASSERT_TRUE(store.has_value()) << store.error().message();
    EXPECT_EQ((*store)->Describe(), "sqlite:" + file.string());
    ASSERT_TRUE((*store)->SetWatermark("j", "id", std::string("5"), Fence{}).ok());
    store->reset();
    ASSERT_TRUE(std::filesystem::exists(file));
    auto again = OpenSqliteStateStoreReadOnly(file.string());
    ASSERT_TRUE(again.has_value()) << again.error().message();
    EXPECT_EQ((*again)->Load("j")->watermark.value_or("-"), "5");
  }

  std::filesystem::path dir_;
};

TEST_F(OpenStateStoreTest, SqliteScheme) {
  ExpectSqliteAt("sqlite:" + (dir_ / "a.db").string(), dir_ / "a.db");
}

TEST_F(OpenStateStoreTest, PlainPaths) {
  ExpectSqliteAt((dir_ / "b.db").string(), dir_ / "b.db");
  // A colon after a slash is part of a path, not a scheme.
  ExpectSqliteAt((dir_ / "c:d.db").string(), dir_ / "c:d.db");
}

TEST_F(OpenStateStoreTest, ReadOnlyOfAMissingSqliteStoreIsNotFound) {
  auto store = OpenStateStoreReadOnly("sqlite:" + (dir_ / "none.db").string());
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code(), StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(dir_));
}

TEST_F(OpenStateStoreTest, UnknownSchemeListsTheKnownOnes) {
  for (const std::string location : {"foo://x", "mysql://u:secret@h/db"}) {
    auto store = OpenStateStore(location);
    ASSERT_FALSE(store.has_value()) << location;
    EXPECT_EQ(store.error().code(), StatusCode::kInvalidArgument);
    const std::string& message = store.error().message();
    EXPECT_NE(message.find("unknown scheme"), std::string::npos) << message;
    EXPECT_NE(message.find("sqlite:PATH"), std::string::npos) << message;
    EXPECT_NE(message.find("postgresql://"), std::string::npos) << message;
    EXPECT_EQ(message.find("secret"), std::string::npos) << message;
    EXPECT_FALSE(OpenStateStoreReadOnly(location).has_value());
  }
}

TEST_F(OpenStateStoreTest, SqliteWithoutAPathIsAnError) {
  for (auto open : {&OpenStateStore, &OpenStateStoreReadOnly}) {
    auto store = open("sqlite:");
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error().message(), "state store 'sqlite:': no path given");
  }
}

TEST_F(OpenStateStoreTest, APostgresSchemeWithoutSlashesIsAnError) {
  auto store = OpenStateStore("postgres:secret@host");
  ASSERT_FALSE(store.has_value());
  EXPECT_NE(store.error().message().find("postgresql://USER:PASSWORD@HOST:PORT/DATABASE"),
            std::string::npos)
      << store.error().message();
  EXPECT_EQ(store.error().message().find("secret"), std::string::npos);
}

}  // namespace
}  // namespace sluice
