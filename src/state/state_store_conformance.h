// The conformance suite every StateStore passes (state_store_conformance_test.cc: runs and
// positions; state_store_lease_conformance_test.cc: leases and fencing), run once per store
// kind. A test binary links both files and instantiates the suite with its harnesses:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StateStoreConformance,
//                            ::testing::Values(StoreKind{"Sqlite", &MakeSqliteHarness}),
//                            StoreKindName);
//
// The SQLite instantiation runs in state_tests (no server); the PostgreSQL one in state_pg_tests
// (tests/state/), which needs the throwaway server.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "state/state_store.h"

namespace sluice::testing {

// One test's private store (a temporary file, a fresh schema), removed when destroyed. Methods
// throw std::runtime_error when the set-up itself fails (the test then fails).
class StoreHarness {
 public:
  virtual ~StoreHarness() = default;
  // A new store object on this test's data: its own connection, as another process would have.
  virtual std::unique_ptr<StateStore> Open() = 0;
  // From now on, every write of a position of `stream` fails inside the store (a trigger), to
  // show that the writes around it are undone.
  virtual void FailWritesOfStream(const std::string& stream) = 0;
  // The run ids in the job's history, oldest first (the interface shows only the last run).
  virtual std::vector<std::string> HistoryRunIds(const std::string& job) = 0;
};

// ---- what the tests share ------------------------------------------------------------------

inline constexpr std::chrono::milliseconds kLong{60'000};
inline constexpr std::chrono::milliseconds kShort{200};
// Past kShort by a margin for slow machines.
inline void WaitForShortLeaseToExpire() {
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
}

inline const LeaseOwner kAlice{"host-a", 111};
inline const LeaseOwner kBob{"host-b", 222};

inline PendingRunRecord Pending(std::string run_id, std::optional<std::string> watermark,
                                std::vector<PositionUpdate> on_confirm = {}) {
  PendingRunRecord p;
  p.run_id = std::move(run_id);
  p.sink_state = "note of " + p.run_id;
  p.new_watermark = std::move(watermark);
  p.on_confirm = std::move(on_confirm);
  return p;
}

inline RunRecord Rows(int64_t written) {
  RunRecord r;
  r.rows_written = written;
  return r;
}

inline std::vector<std::string> Streams(const std::vector<PositionUpdate>& positions) {
  std::vector<std::string> out;
  for (const PositionUpdate& p : positions) out.push_back(p.stream);
  return out;
}

// ---- the suite ------------------------------------------------------------------------------

struct StoreKind {
  const char* name;
  std::unique_ptr<StoreHarness> (*make)();
};

inline void PrintTo(const StoreKind& kind, std::ostream* os) {
  *os << kind.name;
}

inline std::string StoreKindName(const ::testing::TestParamInfo<StoreKind>& info) {
  return info.param.name;
}

class StateStoreConformance : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    harness_ = GetParam().make();
    store_ = harness_->Open();
  }

  StateStore& store() { return *store_; }
  StoreHarness& harness() { return *harness_; }

 private:
  std::unique_ptr<StoreHarness> harness_;
  std::unique_ptr<StateStore> store_;
};

}  // namespace sluice::testing
