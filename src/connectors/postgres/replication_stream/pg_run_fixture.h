// The fixture of the end-to-end PostgreSQL stream runs: the real binary (build/sluice, beside
// the test binary) in a temporary folder, spawned, killed with -9 and waited for, and the job's
// slot and publication dropped at the end. Shared by the run tests of this folder.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "connectors/postgres/pg_testing.h"
#include "connectors/postgres/replication_stream/slot_setup.h"

namespace sluice::postgres::replication_stream::testing {

namespace fs = std::filesystem;
using postgres::testing::DbUrl;
using postgres::testing::RawConn;

class PgRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    binary_ = fs::read_symlink("/proc/self/exe").parent_path() / "sluice";
    if (!fs::exists(binary_)) GTEST_SKIP() << binary_ << " is not built";
    char tmpl[] = "/tmp/sluice-pgstream-run-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    job_ = fmt::format("pgrun_{}", getpid());
    db_ = std::make_unique<RawConn>(DbUrl());
  }
  void TearDown() override {
    if (db_) {
      const std::string slot = DefaultSlotName(job_);
      Result<std::string> dropped = DropSlotAndPublication(DbUrl(), slot, slot);
      EXPECT_TRUE(dropped.has_value()) << dropped.error().message();
    }
    if (!dir_.empty() && !HasFailure()) fs::remove_all(dir_);
  }

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
    return pid;
  }
  int Wait(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  int Run(const std::vector<std::string>& args) { return Wait(Spawn(args, "run.log")); }
  std::string Log(const std::string& name) {
    std::ifstream in(dir_ / name);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  fs::path binary_;
  fs::path dir_;
  std::string job_;
  std::unique_ptr<RawConn> db_;
};

}  // namespace sluice::postgres::replication_stream::testing
