// BinaryRunTest: the base of the tests that run the real binary (build/sluice, beside the test
// binary) end to end: a temporary folder per test (kept when the test failed, for its logs and
// state), and the binary spawned there with its state store in that folder, waited for, or
// killed with -9 by the test. A test whose binary is not built is skipped.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

namespace sluice::testing {

class BinaryRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    binary_ = std::filesystem::read_symlink("/proc/self/exe").parent_path() / "sluice";
    if (!std::filesystem::exists(binary_)) GTEST_SKIP() << binary_ << " is not built";
    char tmpl[] = "/tmp/sluice-run-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    // A test that failed before it waited for a process it spawned leaves no run behind (a
    // realtime run would go on, and reconnect, after the test).
    for (pid_t pid : spawned_) {
      if (waitpid(pid, nullptr, WNOHANG) == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
      }
    }
    if (!dir_.empty() && !HasFailure()) std::filesystem::remove_all(dir_);
  }

  // Starts `sluice ARGS` in the folder, stdout to `log` and stderr to `log`.err.
  pid_t Spawn(const std::vector<std::string>& args, const std::string& log) {
    const pid_t pid = fork();
    if (pid == 0) {
      if (chdir(dir_.c_str()) != 0) _exit(127);
      setenv("SLUICE_STATE", (dir_ / "state.db").c_str(), 1);
      FILE* out = freopen(log.c_str(), "w", stdout);
      FILE* err = freopen((log + ".err").c_str(), "w", stderr);
      (void)out;
      (void)err;
      std::vector<char*> argv{const_cast<char*>(binary_.c_str())};
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(binary_.c_str(), argv.data());
      _exit(127);
    }
    spawned_.push_back(pid);
    return pid;
  }
  // The exit code, or 128 + the signal that ended it; -1 (and the process killed) after
  // `limit`, so a binary that hangs fails its test rather than the whole suite's time budget.
  static int Wait(pid_t pid, std::chrono::seconds limit = std::chrono::seconds(180)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        return -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  // Polls `done` every 20 ms for at most `limit`; whether it came true.
  static bool Eventually(const std::function<bool()>& done,
                         std::chrono::seconds limit = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
  }
  // Whether log `name` (of Spawn) came to hold `text` within `limit`.
  bool WaitForLog(const std::string& name, const std::string& text,
                  std::chrono::seconds limit = std::chrono::seconds(30)) {
    return Eventually([&] { return Log(name).find(text) != std::string::npos; }, limit);
  }
  // A run to its end, logged to run.log and run.log.err.
  int Run(const std::vector<std::string>& args) { return Wait(Spawn(args, "run.log")); }
  std::string Log(const std::string& name) {
    std::ifstream in(dir_ / name);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::filesystem::path binary_;
  std::filesystem::path dir_;
  std::vector<pid_t> spawned_;  // by Spawn, killed at TearDown if still running
};

}  // namespace sluice::testing
