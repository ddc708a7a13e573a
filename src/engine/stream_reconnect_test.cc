#include "engine/stream_reconnect.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace sluice {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kTinyWait{1};

JobSpec Job(int attempts) {
  JobSpec spec;
  spec.name = "rt";
  spec.settings.reconnect_attempts = attempts;
  spec.settings.reconnect_max_wait_ms = 1000;
  return spec;
}

Status Lost() {
  return Status(StatusCode::kConnection, "mysql at h:1 stalled", /*retryable=*/true);
}

// A run that streamed, wrote `rows` in `checkpoints` checkpoints, and ended with `status`.
RunSummary Attempt(Status status, int64_t rows, int64_t checkpoints, std::string position = "") {
  RunSummary s;
  s.job = "rt";
  s.status = std::move(status);
  s.streamed = true;
  s.realtime = true;
  s.rows_read = rows;
  s.rows_written = rows;
  s.changes_inserted = rows;
  s.checkpoints = checkpoints;
  s.position_before = "p" + std::to_string(checkpoints);
  s.position_after = std::move(position);
  return s;
}

// Hands out `runs` in order, counting the calls.
struct Script {
  std::vector<RunSummary> runs;
  size_t calls = 0;
  RunSummary operator()() { return runs.at(calls++); }
};

TEST(StreamReconnectTest, ALostConnectionIsRetriedAndTheRunsAddUp) {
  Script script{
      {Attempt(Lost(), 10, 2), Attempt(Lost(), 0, 0), Attempt(Status::OK(), 5, 1, "end")}};
  RunSummary s = RunReconnecting(Job(3), nullptr, std::ref(script), kTinyWait);
  EXPECT_EQ(script.calls, 3u);
  EXPECT_TRUE(s.status.ok()) << s.status.message();
  EXPECT_EQ(s.reconnects, 2);
  EXPECT_EQ(s.reconnect_reason, "mysql at h:1 stalled");
  EXPECT_EQ(s.rows_read, 15);
  EXPECT_EQ(s.rows_written, 15);
  EXPECT_EQ(s.changes_inserted, 15);
  EXPECT_EQ(s.checkpoints, 3);
  EXPECT_EQ(s.position_before, "p2");  // the first run's start
  EXPECT_EQ(s.position_after, "end");  // the last run's end
}

TEST(StreamReconnectTest, GivesUpAfterTheAttemptsInARowWithoutACheckpoint) {
  Script script{
      {Attempt(Lost(), 0, 0), Attempt(Lost(), 0, 0), Attempt(Lost(), 0, 0), Attempt(Lost(), 0, 0)}};
  RunSummary s = RunReconnecting(Job(2), nullptr, std::ref(script), kTinyWait);
  EXPECT_EQ(script.calls, 3u);  // the first run and 2 reconnects
  EXPECT_FALSE(s.status.ok());
  EXPECT_EQ(s.reconnects, 2);
}

TEST(StreamReconnectTest, ACheckpointStartsTheCountOver) {
  // Attempts 1: fail, retry (1 in a row), checkpointed then failed (count reset), retry, fail
  // without a checkpoint: 1 in a row is the limit, so it gives up there.
  Script script{
      {Attempt(Lost(), 0, 0), Attempt(Lost(), 3, 1), Attempt(Lost(), 0, 0), Attempt(Lost(), 0, 0)}};
  RunSummary s = RunReconnecting(Job(1), nullptr, std::ref(script), kTinyWait);
  EXPECT_EQ(script.calls, 3u);
  EXPECT_EQ(s.reconnects, 2);
  EXPECT_EQ(s.rows_written, 3);
}

TEST(StreamReconnectTest, OffMeansTheFirstFailureEndsTheJob) {
  Script script{{Attempt(Lost(), 0, 0), Attempt(Status::OK(), 0, 0)}};
  RunSummary s = RunReconnecting(Job(0), nullptr, std::ref(script), kTinyWait);
  EXPECT_EQ(script.calls, 1u);
  EXPECT_FALSE(s.status.ok());
  EXPECT_EQ(s.reconnects, 0);
}

TEST(StreamReconnectTest, AFailureARetryCannotFixEndsTheJobAtOnce) {
  Script script{
      {Attempt(Status::Invalid("column c changed type"), 0, 0), Attempt(Status::OK(), 0, 0)}};
  RunSummary s = RunReconnecting(Job(5), nullptr, std::ref(script), kTinyWait);
  EXPECT_EQ(script.calls, 1u);
  EXPECT_EQ(s.status.code(), StatusCode::kInvalidArgument);
}

TEST(StreamReconnectTest, AFirstRunThatNeverStreamedIsNotRetried) {
  RunSummary setup_failure = Attempt(Lost(), 0, 0);
  setup_failure.streamed = false;  // e.g. a wrong port: report it now
  Script script{{setup_failure, Attempt(Status::OK(), 0, 0)}};
  RunSummary s = RunReconnecting(Job(5), nullptr, std::ref(script), kTinyWait);
  EXPECT_EQ(script.calls, 1u);
  EXPECT_FALSE(s.status.ok());
}

TEST(StreamReconnectTest, ALaterRunThatCannotConnectYetIsRetried) {
  RunSummary still_down = Attempt(Lost(), 0, 0);
  still_down.streamed = false;  // the server is still restarting
  Script script{{Attempt(Lost(), 0, 0), still_down, Attempt(Status::OK(), 1, 1, "end")}};
  RunSummary s = RunReconnecting(Job(5), nullptr, std::ref(script), kTinyWait);
  EXPECT_EQ(script.calls, 3u);
  EXPECT_TRUE(s.status.ok());
}

TEST(StreamReconnectTest, ASignalDuringTheWaitEndsIt) {
  std::atomic<bool> cancelled{false};
  Script script{{Attempt(Lost(), 0, 0), Attempt(Status::OK(), 0, 0)}};
  std::thread signal([&] {
    std::this_thread::sleep_for(milliseconds(200));
    cancelled = true;
  });
  const auto start = std::chrono::steady_clock::now();
  RunSummary s = RunReconnecting(Job(5), &cancelled, std::ref(script), std::chrono::seconds(30));
  signal.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(script.calls, 1u);
  EXPECT_FALSE(s.status.ok());
  EXPECT_EQ(s.reconnects, 0);
}

TEST(StreamReconnectTest, ARunThatAsksToStartAgainDoesSoAtOnce) {
  RunSummary added = Attempt(Status::OK(), 4, 1, "p-created");
  added.restart_reason = "table shop.later created at the source";
  Script script{{added, Attempt(Status::OK(), 6, 2, "end")}};
  // A wait as long as this would time the test out: a restart does not wait.
  RunSummary s = RunReconnecting(Job(0), nullptr, std::ref(script), std::chrono::hours(1));
  EXPECT_EQ(script.calls, 2u);
  EXPECT_TRUE(s.status.ok());
  EXPECT_EQ(s.restarts, 1);
  EXPECT_EQ(s.reconnects, 0);
  EXPECT_EQ(s.rows_written, 10);
  EXPECT_EQ(s.position_after, "end");
}

TEST(StreamReconnectTest, TheSameRestartFromTheSamePositionEndsTheJob) {
  RunSummary added = Attempt(Status::OK(), 0, 1, "p7");
  added.restart_reason = "table shop.later created at the source";
  Script script{{added, added, added}};
  RunSummary s = RunReconnecting(Job(5), nullptr, std::ref(script), kTinyWait);
  EXPECT_EQ(script.calls, 2u);
  EXPECT_EQ(s.status.code(), StatusCode::kInvalidArgument);  // exit 2: a person must look
  EXPECT_NE(s.status.message().find("did not take it up"), std::string::npos);
  EXPECT_EQ(s.restarts, 1);
}

TEST(StreamReconnectTest, TheSameRestartReasonLaterOnStartsAgain) {
  // A table dropped and created again hours later: the same words, another position.
  RunSummary first = Attempt(Status::OK(), 0, 1, "p7");
  first.restart_reason = "table shop.later created at the source";
  RunSummary later = first;
  later.position_after = "p9";
  Script script{{first, later, Attempt(Status::OK(), 0, 1, "end")}};
  RunSummary s = RunReconnecting(Job(5), nullptr, std::ref(script), kTinyWait);
  EXPECT_EQ(script.calls, 3u);
  EXPECT_TRUE(s.status.ok());
  EXPECT_EQ(s.restarts, 2);
}

}  // namespace
}  // namespace sluice
