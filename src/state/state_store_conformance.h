// The conformance suite every StateStore passes (state_store_conformance_test.cc), run once per
// store kind. A test binary links the suite and instantiates it with its harnesses:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StateStoreConformance,
//                            ::testing::Values(StoreKind{"Sqlite", &MakeSqliteHarness}),
//                            StoreKindName);
//
// The SQLite instantiation runs in state_tests (no server); the PostgreSQL one in state_pg_tests
// (tests/state/), which needs the throwaway server.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>
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
