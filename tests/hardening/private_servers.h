// A MariaDB/PostgreSQL pair of a test suite's own: scripts/test-servers.sh started in a
// temporary folder, so that a test may stop a server (SIGSTOP) without stalling the servers
// the other tests of the same ctest run share. Used from a fixture's SetUpTestSuite and
// TearDownTestSuite (one pair per suite), by the test's main thread.
#pragma once

#include <string>
#include <vector>

#include "testing/test_servers.h"

namespace sluice::hardening {

class PrivateServers {
 public:
  // Starts the pair (three tries: a free port the script found can be taken meanwhile). Returns
  // an empty string, or why they did not start (the script's log).
  std::string Start();
  // Stops the pair (resuming any server still stopped) and removes the folder.
  void Stop();
  ~PrivateServers() { Stop(); }

  bool started() const { return !dir_.empty(); }
  const testing::TestServers& servers() const { return servers_; }
  int MariadbPid() const;

  // SIGSTOP to `pid`, remembered: ResumeAll (and Stop) send it SIGCONT.
  bool Pause(int pid);
  void ResumeAll();

 private:
  std::string dir_;
  testing::TestServers servers_;
  std::vector<int> paused_;
};

// One pair per test suite, for a fixture's SetUpTestSuite (SuiteServers::SetUp) and
// TearDownTestSuite (SuiteServers::TearDown). SetUp never fails: a failure in SetUpTestSuite
// makes gtest report the tests as skipped, which ctest counts as a pass; so each test's SetUp
// asserts that Error() is empty instead.
class SuiteServers {
 public:
  static void SetUp();
  static void TearDown();
  static PrivateServers& Get() { return *servers_; }
  static std::string Error() { return servers_ ? error_ : "the suite's servers were not set up"; }

 private:
  static PrivateServers* servers_;
  static std::string error_;
};

// The repository's scripts/ folder, from this file's place in it.
std::string ScriptsDir();
int Shell(const std::string& command);
std::string ReadWholeFile(const std::string& path);

}  // namespace sluice::hardening
