#include <gtest/gtest.h>

#include <filesystem>

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
    ASSERT_TRUE(store->BeginRun("j", "gmt_modified", {"r1", "size=10", "2024-01-02", ""}).ok());
    auto st = store->Load("j");
    ASSERT_TRUE(st->pending.has_value());
    EXPECT_EQ(st->pending->sink_state, "size=10");
    EXPECT_FALSE(st->watermark.has_value());  // not before confirmation
    RunRecord rec;
    rec.rows_written = 42;
    ASSERT_TRUE(store->ConfirmRun("j", "r1", rec).ok());
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
  ASSERT_TRUE(store->BeginRun("j", "id", {"r1", "", "100", ""}).ok());
  ASSERT_TRUE(store->ConfirmRun("j", "r1", {}).ok());
  ASSERT_TRUE(store->BeginRun("j", "id", {"r2", "", "200", ""}).ok());
  ASSERT_TRUE(store->DiscardRun("j", "r2").ok());
  auto st = store->Load("j");
  EXPECT_EQ(st->watermark.value_or(""), "100");
  EXPECT_FALSE(st->pending.has_value());
  EXPECT_EQ(st->last_run->outcome, "discarded");
}

TEST_F(StateStoreTest, RunWithoutNewWatermarkKeepsTheOldOne) {
  auto store = Open();
  ASSERT_TRUE(store->BeginRun("j", "id", {"r1", "", "100", ""}).ok());
  ASSERT_TRUE(store->ConfirmRun("j", "r1", {}).ok());
  ASSERT_TRUE(store->BeginRun("j", "id", {"r2", "", std::nullopt, ""}).ok());
  ASSERT_TRUE(store->ConfirmRun("j", "r2", {}).ok());
  EXPECT_EQ(store->Load("j")->watermark.value_or(""), "100");
}

TEST_F(StateStoreTest, SecondPendingRunIsRefused) {
  auto store = Open();
  ASSERT_TRUE(store->BeginRun("j", "", {"r1", "", std::nullopt, ""}).ok());
  Status st = store->BeginRun("j", "", {"r2", "", std::nullopt, ""});
  EXPECT_EQ(st.code(), StatusCode::kConflict);
  EXPECT_NE(st.message().find("r1"), std::string::npos);
  EXPECT_EQ(store->ConfirmRun("j", "r2", {}).code(), StatusCode::kConflict);
}

TEST_F(StateStoreTest, ResetAndSetWatermark) {
  auto store = Open();
  ASSERT_TRUE(store->SetWatermark("j", "id", std::string("7")).ok());
  EXPECT_EQ(store->Load("j")->watermark.value_or(""), "7");
  ASSERT_TRUE(store->Reset("j").ok());
  EXPECT_FALSE(store->Load("j")->watermark.has_value());
}

TEST_F(StateStoreTest, PositionsRoundTrip) {
  auto store = Open();
  EXPECT_FALSE(store->GetPosition("j", "binlog")->has_value());
  ASSERT_TRUE(store->PutPosition("j", "binlog", "mysql-bin.000003:1234").ok());
  ASSERT_TRUE(store->PutPosition("j", "binlog", "mysql-bin.000003:5678").ok());
  EXPECT_EQ(store->GetPosition("j", "binlog")->value_or(""), "mysql-bin.000003:5678");
}

TEST_F(StateStoreTest, ListsJobs) {
  auto store = Open();
  ASSERT_TRUE(store->SetWatermark("b", "id", std::string("1")).ok());
  ASSERT_TRUE(store->SetWatermark("a", "id", std::string("2")).ok());
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

}  // namespace
}  // namespace sluice
