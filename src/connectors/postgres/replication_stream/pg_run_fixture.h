// The fixture of the end-to-end PostgreSQL stream runs: the real binary (build/sluice, beside
// the test binary) in a temporary folder, spawned, killed with -9 and waited for, and the job's
// slot and publication dropped at the end. Shared by the run tests of this folder.
#pragma once

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testing/binary_run.h"

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

class PgRunTest : public sluice::testing::BinaryRunTest {
 protected:
  void SetUp() override {
    BinaryRunTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // A job of its own per test: the tests of a process share the target database, where a
    // job's positions outlive its test (and name its source table's oid).
    static int test_number = 0;
    job_ = fmt::format("pgrun_{}_{}", getpid(), ++test_number);
    db_ = std::make_unique<RawConn>(DbUrl());
  }
  void TearDown() override {
    if (db_) {
      const std::string slot = DefaultSlotName(job_);
      Result<std::string> dropped = DropSlotAndPublication(DbUrl(), slot, slot);
      EXPECT_TRUE(dropped.has_value()) << dropped.error().message();
    }
    BinaryRunTest::TearDown();
  }

  std::string job_;
  std::unique_ptr<RawConn> db_;
};

}  // namespace sluice::postgres::replication_stream::testing
