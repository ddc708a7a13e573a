// What every StateStore must do, whichever it is (state_store_conformance.h says how a store
// kind joins). Each test gets a store of its own. Leases and fencing are in
// state_store_lease_conformance_test.cc.
#include <gtest/gtest.h>

#include "state/state_store_conformance.h"

namespace sluice::testing {
namespace {

// ---- jobs and runs --------------------------------------------------------------------------

TEST_P(StateStoreConformance, UnknownJobIsEmpty) {
  Result<JobState> st = store().Load("nope");
  ASSERT_TRUE(st.has_value()) << st.error().message();
  EXPECT_EQ(st->job, "nope");
  EXPECT_EQ(st->watermark_column, "");
  EXPECT_FALSE(st->watermark.has_value());
  EXPECT_FALSE(st->pending.has_value());
  EXPECT_FALSE(st->last_run.has_value());
  EXPECT_TRUE(store().List()->empty());
  EXPECT_FALSE(store().GetPosition("nope", "binlog")->has_value());
  EXPECT_TRUE(store().ListPositions("nope", "")->empty());
  EXPECT_FALSE(store().GetLease("nope")->has_value());
}

TEST_P(StateStoreConformance, ConfirmMovesTheWatermarkAndWritesOnConfirmPositions) {
  const std::vector<PositionUpdate> on_confirm = {{"j", "binlog", "bin.000003:1234"},
                                                  {"multi", "done/orders", "run-7"}};
  ASSERT_TRUE(store().SetWatermark("j", "ts", std::string("2024-01-01"), Fence{}).ok());
  ASSERT_TRUE(store().BeginRun("j", "ts", Pending("r1", "2024-01-02", on_confirm), Fence{}).ok());

  Result<JobState> st = store().Load("j");
  ASSERT_TRUE(st->pending.has_value());
  EXPECT_EQ(st->pending->run_id, "r1");
  EXPECT_EQ(st->pending->sink_state, "note of r1");
  EXPECT_EQ(st->pending->new_watermark.value_or("-"), "2024-01-02");
  EXPECT_FALSE(st->pending->started_at.empty());
  ASSERT_EQ(st->pending->on_confirm.size(), 2u);
  EXPECT_EQ(st->pending->on_confirm[0].job, "j");
  EXPECT_EQ(st->pending->on_confirm[0].position, "bin.000003:1234");
  EXPECT_EQ(st->pending->on_confirm[1].job, "multi");
  EXPECT_EQ(st->pending->on_confirm[1].stream, "done/orders");
  // Nothing moves before the confirmation.
  EXPECT_EQ(st->watermark.value_or("-"), "2024-01-01");
  EXPECT_FALSE(store().GetPosition("j", "binlog")->has_value());

  ASSERT_TRUE(store().ConfirmRun("j", "r1", Rows(42), Fence{}).ok());
  // Seen through another store object (another connection): it is saved, not cached.
  std::unique_ptr<StateStore> other = harness().Open();
  st = other->Load("j");
  ASSERT_TRUE(st.has_value()) << st.error().message();
  EXPECT_EQ(st->watermark_column, "ts");
  EXPECT_EQ(st->watermark.value_or("-"), "2024-01-02");
  EXPECT_FALSE(st->pending.has_value());
  ASSERT_TRUE(st->last_run.has_value());
  EXPECT_EQ(st->last_run->run_id, "r1");
  EXPECT_EQ(st->last_run->outcome, "committed");
  EXPECT_EQ(st->last_run->rows_written, 42);
  EXPECT_FALSE(st->last_run->started_at.empty());
  EXPECT_FALSE(st->last_run->finished_at.empty());
  EXPECT_EQ(other->GetPosition("j", "binlog")->value_or("-"), "bin.000003:1234");
  EXPECT_EQ(other->GetPosition("multi", "done/orders")->value_or("-"), "run-7");
}

TEST_P(StateStoreConformance, ConfirmIsAllOrNothing) {
  ASSERT_TRUE(store().SetWatermark("j", "id", std::string("10"), Fence{}).ok());
  ASSERT_TRUE(store().PutPosition("j", "a", "old", Fence{}).ok());
  harness().FailWritesOfStream("boom");
  ASSERT_TRUE(store()
                  .BeginRun("j", "id", Pending("r1", "20", {{"j", "a", "new"}, {"j", "boom", "x"}}),
                            Fence{})
                  .ok());
  EXPECT_FALSE(store().ConfirmRun("j", "r1", Rows(1), Fence{}).ok());
  Result<JobState> st = store().Load("j");
  EXPECT_EQ(st->watermark.value_or("-"), "10");
  ASSERT_TRUE(st->pending.has_value());
  EXPECT_EQ(st->pending->on_confirm.size(), 2u);
  EXPECT_FALSE(st->last_run.has_value());
  EXPECT_EQ(store().GetPosition("j", "a")->value_or("-"), "old");
}

TEST_P(StateStoreConformance, DiscardKeepsTheWatermarkAndDropsTheRunsPositions) {
  ASSERT_TRUE(store().BeginRun("j", "id", Pending("r1", "100"), Fence{}).ok());
  ASSERT_TRUE(store().ConfirmRun("j", "r1", Rows(1), Fence{}).ok());
  ASSERT_TRUE(
      store().BeginRun("j", "id", Pending("r2", "200", {{"j", "binlog", "b:2"}}), Fence{}).ok());
  ASSERT_TRUE(store().DiscardRun("j", "r2", Fence{}).ok());
  Result<JobState> st = store().Load("j");
  EXPECT_EQ(st->watermark.value_or("-"), "100");
  EXPECT_FALSE(st->pending.has_value());
  ASSERT_TRUE(st->last_run.has_value());
  EXPECT_EQ(st->last_run->run_id, "r2");
  EXPECT_EQ(st->last_run->outcome, "discarded");
  EXPECT_FALSE(store().GetPosition("j", "binlog")->has_value());
  // The next run starts clean: no positions left over from the discarded one.
  ASSERT_TRUE(store().BeginRun("j", "id", Pending("r3", "300"), Fence{}).ok());
  EXPECT_TRUE(store().Load("j")->pending->on_confirm.empty());
  ASSERT_TRUE(store().ConfirmRun("j", "r3", Rows(1), Fence{}).ok());
  EXPECT_FALSE(store().GetPosition("j", "binlog")->has_value());
}

TEST_P(StateStoreConformance, DiscardOfAnotherRunChangesNothing) {
  ASSERT_TRUE(store().BeginRun("j", "id", Pending("r1", "5"), Fence{}).ok());
  EXPECT_TRUE(store().DiscardRun("j", "r0", Fence{}).ok());
  EXPECT_TRUE(store().DiscardRun("never-ran", "r0", Fence{}).ok());
  EXPECT_EQ(store().Load("j")->pending->run_id, "r1");
  EXPECT_FALSE(store().Load("j")->last_run.has_value());
}

TEST_P(StateStoreConformance, SecondPendingRunIsAConflict) {
  ASSERT_TRUE(store().BeginRun("j", "", Pending("r1", std::nullopt), Fence{}).ok());
  Status st = store().BeginRun("j", "", Pending("r2", std::nullopt), Fence{});
  EXPECT_EQ(st.code(), StatusCode::kConflict) << st.message();
  EXPECT_NE(st.message().find("r1"), std::string::npos) << st.message();
  EXPECT_EQ(store().Load("j")->pending->run_id, "r1");
  EXPECT_EQ(store().Load("j")->pending->sink_state, "note of r1");
}

TEST_P(StateStoreConformance, ConfirmOfAWrongRunIsAConflictAndChangesNothing) {
  ASSERT_TRUE(store().BeginRun("j", "id", Pending("r1", "9"), Fence{}).ok());
  EXPECT_EQ(store().ConfirmRun("j", "r2", Rows(1), Fence{}).code(), StatusCode::kConflict);
  EXPECT_EQ(store().ConfirmRun("other", "r1", Rows(1), Fence{}).code(), StatusCode::kConflict);
  Result<JobState> st = store().Load("j");
  EXPECT_EQ(st->pending->run_id, "r1");
  EXPECT_FALSE(st->watermark.has_value());
  EXPECT_FALSE(st->last_run.has_value());
  // A confirmed run cannot be confirmed twice.
  ASSERT_TRUE(store().ConfirmRun("j", "r1", Rows(1), Fence{}).ok());
  EXPECT_EQ(store().ConfirmRun("j", "r1", Rows(1), Fence{}).code(), StatusCode::kConflict);
}

TEST_P(StateStoreConformance, RunWithoutANewWatermarkKeepsTheOldOne) {
  ASSERT_TRUE(store().BeginRun("j", "id", Pending("r1", "100"), Fence{}).ok());
  ASSERT_TRUE(store().ConfirmRun("j", "r1", Rows(1), Fence{}).ok());
  ASSERT_TRUE(store().BeginRun("j", "id", Pending("r2", std::nullopt), Fence{}).ok());
  ASSERT_TRUE(store().ConfirmRun("j", "r2", Rows(0), Fence{}).ok());
  EXPECT_EQ(store().Load("j")->watermark.value_or("-"), "100");
}

TEST_P(StateStoreConformance, ResetForgetsWatermarkAndPendingRunButKeepsHistory) {
  ASSERT_TRUE(store().BeginRun("j", "id", Pending("r1", "100"), Fence{}).ok());
  ASSERT_TRUE(store().ConfirmRun("j", "r1", Rows(3), Fence{}).ok());
  ASSERT_TRUE(
      store().BeginRun("j", "id", Pending("r2", "200", {{"j", "binlog", "b:1"}}), Fence{}).ok());
  ASSERT_TRUE(store().Reset("j", Fence{}).ok());
  Result<JobState> st = store().Load("j");
  EXPECT_FALSE(st->watermark.has_value());
  EXPECT_EQ(st->watermark_column, "");
  EXPECT_FALSE(st->pending.has_value());
  ASSERT_TRUE(st->last_run.has_value());
  EXPECT_EQ(st->last_run->run_id, "r1");
  // The reset run's positions are gone with it; a new run can begin.
  ASSERT_TRUE(store().BeginRun("j", "id", Pending("r3", "1"), Fence{}).ok());
  EXPECT_TRUE(store().Load("j")->pending->on_confirm.empty());
  EXPECT_TRUE(store().Reset("never-ran", Fence{}).ok());
}

TEST_P(StateStoreConformance, SetWatermarkByHand) {
  ASSERT_TRUE(store().SetWatermark("j", "id", std::string("7"), Fence{}).ok());
  EXPECT_EQ(store().Load("j")->watermark.value_or("-"), "7");
  EXPECT_EQ(store().Load("j")->watermark_column, "id");
  ASSERT_TRUE(store().BeginRun("j", "id", Pending("r1", "8"), Fence{}).ok());
  ASSERT_TRUE(store().SetWatermark("j", "id2", std::string("3"), Fence{}).ok());
  Result<JobState> st = store().Load("j");
  EXPECT_EQ(st->watermark.value_or("-"), "3");
  EXPECT_EQ(st->watermark_column, "id2");
  ASSERT_TRUE(st->pending.has_value());  // a pending run is left for its recovery
  ASSERT_TRUE(store().SetWatermark("j", "id2", std::nullopt, Fence{}).ok());
  EXPECT_FALSE(store().Load("j")->watermark.has_value());
}

TEST_P(StateStoreConformance, ListsJobsInNameOrder) {
  ASSERT_TRUE(store().SetWatermark("b", "id", std::string("1"), Fence{}).ok());
  ASSERT_TRUE(store().SetWatermark("a", "id", std::string("2"), Fence{}).ok());
  ASSERT_TRUE(store().BeginRun("c", "id", Pending("r1", "3"), Fence{}).ok());
  ASSERT_TRUE(store().ConfirmRun("c", "r1", Rows(1), Fence{}).ok());
  ASSERT_TRUE(store().Reset("c", Fence{}).ok());  // known by its history alone
  Result<std::vector<JobState>> jobs = store().List();
  ASSERT_TRUE(jobs.has_value()) << jobs.error().message();
  ASSERT_EQ(jobs->size(), 3u);
  EXPECT_EQ((*jobs)[0].job, "a");
  EXPECT_EQ((*jobs)[0].watermark.value_or("-"), "2");
  EXPECT_EQ((*jobs)[1].job, "b");
  EXPECT_EQ((*jobs)[2].job, "c");
  EXPECT_EQ((*jobs)[2].last_run->run_id, "r1");
}

TEST_P(StateStoreConformance, HistoryKeepsTheNewest1000RunsPerJob) {
  for (int i = 0; i < 3; ++i) {
    const std::string id = "other-" + std::to_string(i);
    ASSERT_TRUE(store().BeginRun("other", "id", Pending(id, "1"), Fence{}).ok());
    ASSERT_TRUE(store().ConfirmRun("other", id, Rows(i), Fence{}).ok());
  }
  for (int i = 0; i < 1005; ++i) {
    const std::string id = "r" + std::to_string(i);
    ASSERT_TRUE(store().BeginRun("h", "id", Pending(id, std::to_string(i)), Fence{}).ok());
    if (i % 2 == 0) {
      ASSERT_TRUE(store().ConfirmRun("h", id, Rows(i), Fence{}).ok());
    } else {
      ASSERT_TRUE(store().DiscardRun("h", id, Fence{}).ok());
    }
  }
  const std::vector<std::string> kept = harness().HistoryRunIds("h");
  ASSERT_EQ(kept.size(), 1000u);
  EXPECT_EQ(kept.front(), "r5");
  EXPECT_EQ(kept.back(), "r1004");
  EXPECT_EQ(harness().HistoryRunIds("other").size(), 3u);
  Result<JobState> st = store().Load("h");
  EXPECT_EQ(st->last_run->run_id, "r1004");
  EXPECT_EQ(st->last_run->rows_written, 1004);
  EXPECT_EQ(st->watermark.value_or("-"), "1004");
}

// ---- positions ------------------------------------------------------------------------------

TEST_P(StateStoreConformance, PositionsPutAndGet) {
  ASSERT_TRUE(store().PutPosition("j", "binlog", "bin.000003:1234", Fence{}).ok());
  ASSERT_TRUE(store().PutPosition("j", "binlog", "bin.000003:5678", Fence{}).ok());
  ASSERT_TRUE(store().PutPosition("k", "binlog", "other job", Fence{}).ok());
  EXPECT_EQ(store().GetPosition("j", "binlog")->value_or("-"), "bin.000003:5678");
  EXPECT_EQ(store().GetPosition("k", "binlog")->value_or("-"), "other job");
  EXPECT_FALSE(store().GetPosition("j", "lsn")->has_value());
  // Any text survives as it is.
  const std::string odd = "quote ' dq \" back \\ tab \t newline \n é 中";
  ASSERT_TRUE(store().PutPosition("j", odd, odd, Fence{}).ok());
  EXPECT_EQ(store().GetPosition("j", odd)->value_or("-"), odd);
}

TEST_P(StateStoreConformance, ListPositionsTakesThePrefixLiterally) {
  for (const char* stream : {"a%b/1", "a%c", "axb", "a_b", "a_c/2", "ab", "b", "Zeta", "zz", "é"}) {
    ASSERT_TRUE(store().PutPosition("j", stream, std::string("p-") + stream, Fence{}).ok());
  }
  ASSERT_TRUE(store().PutPosition("other", "a%b/x", "no", Fence{}).ok());
  EXPECT_EQ(Streams(*store().ListPositions("j", "a%")), (std::vector<std::string>{"a%b/1", "a%c"}));
  EXPECT_EQ(Streams(*store().ListPositions("j", "a_")), (std::vector<std::string>{"a_b", "a_c/2"}));
  EXPECT_EQ(Streams(*store().ListPositions("j", "a%b/")), (std::vector<std::string>{"a%b/1"}));
  EXPECT_TRUE(store().ListPositions("j", "%")->empty());
  EXPECT_TRUE(store().ListPositions("j", "a%b/1/")->empty());
  // All of them, in byte order (upper case before lower case, UTF-8 after ASCII), whatever the
  // database's locale.
  Result<std::vector<PositionUpdate>> all = store().ListPositions("j", "");
  ASSERT_TRUE(all.has_value()) << all.error().message();
  EXPECT_EQ(Streams(*all), (std::vector<std::string>{"Zeta", "a%b/1", "a%c", "a_b", "a_c/2", "ab",
                                                     "axb", "b", "zz", "é"}));
  EXPECT_EQ((*all)[0].job, "j");
  EXPECT_EQ((*all)[0].position, "p-Zeta");
}

TEST_P(StateStoreConformance, PutPositionsIsAllOrNothing) {
  ASSERT_TRUE(store().PutPosition("j", "a", "a0", Fence{}).ok());
  harness().FailWritesOfStream("boom");
  Status failed = store().PutPositions(
      {{"j", "a", "a1"}, {"k", "b", "b1"}, {"j", "boom", "x"}, {"j", "c", "c1"}}, Fence{});
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(store().GetPosition("j", "a")->value_or("-"), "a0");
  EXPECT_FALSE(store().GetPosition("k", "b")->has_value());
  EXPECT_FALSE(store().GetPosition("j", "c")->has_value());
  ASSERT_TRUE(store().PutPositions({{"j", "a", "a1"}, {"k", "b", "b1"}}, Fence{}).ok());
  EXPECT_EQ(store().GetPosition("j", "a")->value_or("-"), "a1");
  EXPECT_EQ(store().GetPosition("k", "b")->value_or("-"), "b1");
  EXPECT_TRUE(store().PutPositions({}, Fence{}).ok());
}

}  // namespace
}  // namespace sluice::testing
