// settings: for jobs that never end (checkpoint, lease_timeout, error_limit.window), the byte
// bound of batches and the state store's key; values and exact error messages.
#include <gtest/gtest.h>

#include "config/job_file.h"
#include "config/testing_registry.h"

namespace sluice {
namespace {

const std::string kJob =
    "name: t\nsource: {type: csv, path: i.csv}\ntarget: {type: csv, path: o.csv}\nsettings:\n";

class SettingsTest : public ::testing::Test {
 protected:
  Result<JobSpec> Parse(const std::string& lines) {
    return ParseJobText(kJob + lines, "jobs/a.yaml", options_, registry_);
  }
  SettingsSpec Ok(const std::string& lines) {
    Result<JobSpec> job = Parse(lines);
    EXPECT_TRUE(job.has_value()) << (job ? "" : job.error().message());
    return job ? job->settings : SettingsSpec();
  }
  std::string Error(const std::string& lines) {
    Result<JobSpec> job = Parse(lines);
    if (job.has_value()) return "";
    EXPECT_EQ(job.error().code(), StatusCode::kInvalidArgument);
    return job.error().message();
  }

  ConnectorRegistry registry_ = testing::FakeRegistry();
  JobLoadOptions options_{.bizdate = "20240301"};
};

TEST_F(SettingsTest, Defaults) {
  const SettingsSpec s = Ok("  parallelism: 1\n");
  EXPECT_EQ(s.checkpoint_interval_ms, 1000);
  EXPECT_EQ(s.checkpoint_rows, 0);
  EXPECT_EQ(s.checkpoint_bytes, 0);
  EXPECT_EQ(s.lease_timeout_ms, 30000);
  EXPECT_EQ(s.error_window_ms, 0);
  EXPECT_EQ(s.batch_bytes, int64_t{64} << 20);
  EXPECT_EQ(s.stall_timeout_seconds, 60);
  EXPECT_EQ(s.state_path, "");
  EXPECT_EQ(s.reconnect_attempts, 10);
  EXPECT_EQ(s.reconnect_max_wait_ms, 60'000);
}

TEST_F(SettingsTest, CheckpointAsADuration) {
  EXPECT_EQ(Ok("  checkpoint: 500ms\n").checkpoint_interval_ms, 500);
  EXPECT_EQ(Ok("  checkpoint: 2m\n").checkpoint_interval_ms, 120'000);
}

TEST_F(SettingsTest, CheckpointAsAMap) {
  SettingsSpec s = Ok("  checkpoint: {interval: 1s, rows: 100000, bytes: 64MB}\n");
  EXPECT_EQ(s.checkpoint_interval_ms, 1000);
  EXPECT_EQ(s.checkpoint_rows, 100000);
  EXPECT_EQ(s.checkpoint_bytes, 64'000'000);
  // Bounds left out keep their defaults; off and 0 turn one off.
  s = Ok("  checkpoint: {rows: 5000}\n");
  EXPECT_EQ(s.checkpoint_interval_ms, 1000);
  EXPECT_EQ(s.checkpoint_rows, 5000);
  s = Ok("  checkpoint: {interval: off, bytes: 1GiB}\n");
  EXPECT_EQ(s.checkpoint_interval_ms, 0);
  EXPECT_EQ(s.checkpoint_bytes, int64_t{1} << 30);
  s = Ok("  checkpoint: {interval: 0, rows: 10}\n");
  EXPECT_EQ(s.checkpoint_interval_ms, 0);
}

TEST_F(SettingsTest, CheckpointErrors) {
  EXPECT_EQ(Error("  checkpoint: 10 min\n"),
            "jobs/a.yaml:5:15: settings.checkpoint.interval: '10 min' is not a duration (did you "
            "mean '10m'?): write a count and a unit (ms, s, m, h, d), e.g. 500ms, 10s, 2m or "
            "1h30m");
  EXPECT_EQ(Error("  checkpoint: off\n"),
            "jobs/a.yaml:5:15: settings.checkpoint: every bound is off, so no checkpoint would "
            "ever be committed; keep at least one of interval, rows or bytes");
  EXPECT_EQ(Error("  checkpoint: {interval: off, rows: 0}\n"),
            "jobs/a.yaml:5:15: settings.checkpoint: every bound is off, so no checkpoint would "
            "ever be committed; keep at least one of interval, rows or bytes");
  EXPECT_EQ(Error("  checkpoint: {rows: many}\n"),
            "jobs/a.yaml:5:22: settings.checkpoint.rows: expected an integer, got 'many'");
  EXPECT_EQ(Error("  checkpoint: {bytes: 64M}\n"),
            "jobs/a.yaml:5:23: settings.checkpoint.bytes: '64M' is not a size (did you mean "
            "'64MiB'?): write a number of bytes, or a number and a unit (B, KB, MB, GB, TB, or "
            "KiB, MiB, GiB, TiB for powers of 1024), e.g. 64MB or 1GiB");
  EXPECT_EQ(Error("  checkpoint: {intervall: 1s}\n"),
            "jobs/a.yaml:5:16: settings.checkpoint: unknown key 'intervall' (did you mean "
            "'interval'?)");
  EXPECT_EQ(Error("  checkpoint: [1s]\n"),
            "jobs/a.yaml:5:15: settings.checkpoint: expected a mapping with keys interval, rows "
            "or bytes, got a list");
}

TEST_F(SettingsTest, LeaseTimeout) {
  EXPECT_EQ(Ok("  lease_timeout: 10s\n").lease_timeout_ms, 10'000);
  EXPECT_EQ(Error("  lease_timeout: 500ms\n"),
            "jobs/a.yaml:5:18: settings.lease_timeout: expected at least 1s (the lease is renewed "
            "every third of it), got '500ms'");
  EXPECT_EQ(Error("  lease_timeout: 30\n"),
            "jobs/a.yaml:5:18: settings.lease_timeout: '30' is not a duration: write a count and "
            "a unit (ms, s, m, h, d), e.g. 500ms, 10s, 2m or 1h30m");
}

TEST_F(SettingsTest, Reconnect) {
  EXPECT_EQ(Ok("  reconnect: 3\n").reconnect_attempts, 3);
  EXPECT_EQ(Ok("  reconnect: off\n").reconnect_attempts, 0);
  EXPECT_EQ(Ok("  reconnect: 0\n").reconnect_attempts, 0);
  SettingsSpec s = Ok("  reconnect: {attempts: 20, max_wait: 5m}\n");
  EXPECT_EQ(s.reconnect_attempts, 20);
  EXPECT_EQ(s.reconnect_max_wait_ms, 300'000);
  s = Ok("  reconnect: {max_wait: 10s}\n");  // attempts keep their default
  EXPECT_EQ(s.reconnect_attempts, 10);
  EXPECT_EQ(s.reconnect_max_wait_ms, 10'000);
  EXPECT_EQ(Error("  reconnect: {max_wait: 100ms}\n"),
            "jobs/a.yaml:5:25: settings.reconnect.max_wait: expected at least 1s (the first "
            "wait), got '100ms'");
  EXPECT_EQ(Error("  reconnect: -1\n"),
            "jobs/a.yaml:5:14: settings.reconnect.attempts: expected a count above 0 or off, got "
            "'-1'");
}

TEST_F(SettingsTest, ErrorWindow) {
  const SettingsSpec s = Ok("  error_limit: {rows: 5, window: 10m}\n");
  EXPECT_EQ(s.error_limit_rows, 5);
  EXPECT_EQ(s.error_window_ms, 600'000);
  EXPECT_EQ(Error("  error_limit: {rows: 5, window: 10 minutes}\n"),
            "jobs/a.yaml:5:34: settings.error_limit.window: '10 minutes' is not a duration (did "
            "you mean '10m'?): write a count and a unit (ms, s, m, h, d), e.g. 500ms, 10s, 2m or "
            "1h30m");
}

TEST_F(SettingsTest, BatchBytes) {
  EXPECT_EQ(Ok("  batch_bytes: 4MB\n").batch_bytes, 4'000'000);
  EXPECT_EQ(Ok("  batch_bytes: 1GiB\n").batch_bytes, int64_t{1} << 30);
  EXPECT_EQ(Ok("  batch_bytes: 1048576\n").batch_bytes, 1 << 20);
  EXPECT_EQ(Error("  batch_bytes: 2GiB\n"),
            "jobs/a.yaml:5:16: settings.batch_bytes: expected 1KiB up to 1GiB, got '2GiB'");
  EXPECT_EQ(Error("  batch_bytes: 64 megabytes\n"),
            "jobs/a.yaml:5:16: settings.batch_bytes: '64 megabytes' is not a size: write a "
            "number of bytes, or a number and a unit (B, KB, MB, GB, TB, or KiB, MiB, GiB, TiB "
            "for powers of 1024), e.g. 64MB or 1GiB");
}

TEST_F(SettingsTest, StateAndItsOlderName) {
  EXPECT_EQ(Ok("  state: s.db\n").state_path, "s.db");
  EXPECT_EQ(Ok("  state_path: p.db\n").state_path, "p.db");
  EXPECT_EQ(Error("  state: s.db\n  state_path: p.db\n"),
            "jobs/a.yaml:6:15: settings.state_path: settings.state and settings.state_path are "
            "one setting (state_path is its older name); keep only state");
  EXPECT_EQ(Error("  stat: s.db\n"),
            "jobs/a.yaml:5:3: settings: unknown key 'stat' (did you mean 'state'?)");
}

TEST_F(SettingsTest, StallTimeoutTakesSecondsOrADuration) {
  EXPECT_EQ(Ok("  stall_timeout: 90\n").stall_timeout_seconds, 90);
  EXPECT_EQ(Ok("  stall_timeout: 2m\n").stall_timeout_seconds, 120);
  EXPECT_EQ(Ok("  stall_timeout: 0\n").stall_timeout_seconds, 0);
  EXPECT_EQ(Error("  stall_timeout: 2d\n"),
            "jobs/a.yaml:5:18: settings.stall_timeout: expected 0 (wait forever) up to 86400 "
            "seconds (1d), got '2d'");
}

}  // namespace
}  // namespace sluice
