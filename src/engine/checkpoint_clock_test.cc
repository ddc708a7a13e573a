#include "engine/checkpoint_clock.h"

#include <gtest/gtest.h>

#include <thread>

namespace sluice {
namespace {

using std::chrono::milliseconds;

SettingsSpec Interval(int64_t ms) {
  SettingsSpec s;
  s.checkpoint_interval_ms = ms;
  return s;
}

TEST(CheckpointClockTest, AnIdlePositionIsCommittedEveryTenIntervalsAtMostAMinute) {
  EXPECT_EQ(CheckpointClock(Interval(1000)).idle_interval(), milliseconds(10000));
  EXPECT_EQ(CheckpointClock(Interval(200)).idle_interval(), milliseconds(2000));
  EXPECT_EQ(CheckpointClock(Interval(300000)).idle_interval(), milliseconds(60000));
  SettingsSpec rows_only = Interval(0);
  rows_only.checkpoint_rows = 1000;
  EXPECT_EQ(CheckpointClock(rows_only).idle_interval(), milliseconds(10000));
}

TEST(CheckpointClockTest, IdleOnlyWithNothingNewAndOnceTheIdleIntervalPassed) {
  CheckpointClock clock(Interval(2));  // idle after 20 ms
  EXPECT_FALSE(clock.IdleDue());
  std::this_thread::sleep_for(milliseconds(30));
  EXPECT_TRUE(clock.IdleDue());
  EXPECT_FALSE(clock.Due());  // nothing new: no ordinary checkpoint
  clock.Add(1, 10);
  EXPECT_FALSE(clock.IdleDue());  // rows wait for an ordinary checkpoint
  EXPECT_TRUE(clock.Due());
  clock.Reset();
  EXPECT_FALSE(clock.IdleDue());
}

}  // namespace
}  // namespace sluice
