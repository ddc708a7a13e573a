#include "engine/job_lease.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace sluice {
namespace {

using namespace std::chrono_literals;

class JobLeaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("sluice_job_lease_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto store = OpenStateStore((dir_ / "state.db").string());
    ASSERT_TRUE(store) << store.error().message();
    store_ = std::move(*store);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  std::unique_ptr<StateStore> store_;
};

TEST_F(JobLeaseTest, ASecondOwnerInTheSameProcessIsRefusedWhileTheFirstHoldsIt) {
  auto first = JobLease::Acquire(*store_, "job", 30s);
  ASSERT_TRUE(first) << first.error().message();
  auto second = JobLease::Acquire(*store_, "job", 30s);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), StatusCode::kBusy);
  EXPECT_NE(second.error().message().find("job 'job' is already running"), std::string::npos)
      << second.error().message();
  first->reset();  // released: the next one gets it at once, with a larger token
  auto third = JobLease::Acquire(*store_, "job", 30s);
  ASSERT_TRUE(third) << third.error().message();
}

// A restarted container runs as pid 1 again under the same host name: the lease its killed
// predecessor held names this very host and pid, and is taken over at once, not after the
// lease timeout.
TEST_F(JobLeaseTest, ALeaseOfAnEarlierProcessWithThisPidIsTakenOverAtOnce) {
  auto earlier = store_->AcquireLease("job", ThisProcess(), 10min, std::nullopt);
  ASSERT_TRUE(earlier) << earlier.error().message();
  ASSERT_TRUE(earlier->acquired);
  auto lease = JobLease::Acquire(*store_, "job", 30s);
  ASSERT_TRUE(lease) << lease.error().message();
  EXPECT_GT((*lease)->token(), earlier->lease.token);
}

}  // namespace
}  // namespace sluice
