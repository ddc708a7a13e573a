// The leases and fencing half of the StateStore conformance suite (state_store_conformance.h).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <latch>
#include <thread>

#include "state/state_store_conformance.h"

namespace sluice::testing {
namespace {

// ---- leases ---------------------------------------------------------------------------------

TEST_P(StateStoreConformance, AFreeLeaseIsTaken) {
  Result<LeaseAttempt> a = store().AcquireLease("j", kAlice, kLong, std::nullopt);
  ASSERT_TRUE(a.has_value()) << a.error().message();
  EXPECT_TRUE(a->acquired);
  EXPECT_EQ(a->lease.job, "j");
  EXPECT_EQ(a->lease.owner.host, "host-a");
  EXPECT_EQ(a->lease.owner.pid, 111);
  EXPECT_EQ(a->lease.token, 1);
  EXPECT_FALSE(a->lease.since.empty());
  EXPECT_GT(a->lease.expires_at, a->lease.since);  // a minute later, to the second
  Result<std::optional<Lease>> held = harness().Open()->GetLease("j");
  ASSERT_TRUE(held.has_value() && held->has_value());
  EXPECT_EQ((*held)->owner.host, "host-a");
  EXPECT_EQ((*held)->token, 1);
  // Leases are per job.
  EXPECT_TRUE(store().AcquireLease("k", kBob, kLong, std::nullopt)->acquired);
}

TEST_P(StateStoreConformance, AHeldLeaseIsRefusedWithItsHolder) {
  ASSERT_TRUE(store().AcquireLease("j", kAlice, kLong, std::nullopt)->acquired);
  Result<LeaseAttempt> b = harness().Open()->AcquireLease("j", kBob, kLong, std::nullopt);
  ASSERT_TRUE(b.has_value()) << b.error().message();
  EXPECT_FALSE(b->acquired);
  EXPECT_EQ(b->lease.owner.host, "host-a");
  EXPECT_EQ(b->lease.owner.pid, 111);
  EXPECT_EQ(b->lease.token, 1);
  EXPECT_EQ((*store().GetLease("j"))->owner.host, "host-a");
}

TEST_P(StateStoreConformance, AnExpiredLeaseIsTakenOverWithTheNextToken) {
  ASSERT_TRUE(store().AcquireLease("j", kAlice, kShort, std::nullopt)->acquired);
  EXPECT_FALSE(store().AcquireLease("j", kBob, kLong, std::nullopt)->acquired);
  WaitForShortLeaseToExpire();
  Result<LeaseAttempt> b = store().AcquireLease("j", kBob, kLong, std::nullopt);
  ASSERT_TRUE(b.has_value()) << b.error().message();
  EXPECT_TRUE(b->acquired);
  EXPECT_EQ(b->lease.token, 2);
  EXPECT_EQ((*store().GetLease("j"))->owner.host, "host-b");
}

TEST_P(StateStoreConformance, TakeOverWorksOnlyWithTheCurrentToken) {
  ASSERT_TRUE(store().AcquireLease("j", kAlice, kLong, std::nullopt)->acquired);
  Result<LeaseAttempt> wrong = store().AcquireLease("j", kBob, kLong, 7);
  EXPECT_FALSE(wrong->acquired);
  EXPECT_EQ(wrong->lease.token, 1);
  Result<LeaseAttempt> right = store().AcquireLease("j", kBob, kLong, 1);
  EXPECT_TRUE(right->acquired);
  EXPECT_EQ(right->lease.token, 2);
  // Alice's token is stale now: it takes nothing over.
  Result<LeaseAttempt> stale = store().AcquireLease("j", kAlice, kLong, 1);
  EXPECT_FALSE(stale->acquired);
  EXPECT_EQ(stale->lease.owner.host, "host-b");
}

TEST_P(StateStoreConformance, RenewExtendsAHeldLeaseAndFailsOnceItIsLost) {
  Result<LeaseAttempt> a = store().AcquireLease("j", kAlice, kShort, std::nullopt);
  ASSERT_TRUE(a->acquired);
  ASSERT_TRUE(store().RenewLease("j", a->lease.token, kLong).ok());
  WaitForShortLeaseToExpire();
  EXPECT_FALSE(store().AcquireLease("j", kBob, kLong, std::nullopt)->acquired);

  // Expired but not taken: still Alice's, so she may renew it.
  ASSERT_TRUE(store().RenewLease("j", a->lease.token, kShort).ok());
  WaitForShortLeaseToExpire();
  ASSERT_TRUE(store().RenewLease("j", a->lease.token, kShort).ok());
  WaitForShortLeaseToExpire();
  Result<LeaseAttempt> b = harness().Open()->AcquireLease("j", kBob, kLong, std::nullopt);
  ASSERT_TRUE(b->acquired);
  Status renew = store().RenewLease("j", a->lease.token, kLong);
  EXPECT_EQ(renew.code(), StatusCode::kConflict);
  EXPECT_NE(renew.message().find("host-b"), std::string::npos) << renew.message();
  EXPECT_EQ((*store().GetLease("j"))->owner.host, "host-b");
}

TEST_P(StateStoreConformance, ReleaseFreesTheLeaseAndTokensAreNeverReused) {
  Result<LeaseAttempt> a = store().AcquireLease("j", kAlice, kLong, std::nullopt);
  ASSERT_TRUE(a->acquired);
  ASSERT_TRUE(store().ReleaseLease("j", a->lease.token).ok());
  EXPECT_FALSE(store().GetLease("j")->has_value());
  EXPECT_EQ(store().RenewLease("j", a->lease.token, kLong).code(), StatusCode::kConflict);
  Result<LeaseAttempt> b = store().AcquireLease("j", kBob, kLong, std::nullopt);
  ASSERT_TRUE(b->acquired);
  EXPECT_EQ(b->lease.token, 2);
  // Releasing with a stale token (or twice) does nothing.
  ASSERT_TRUE(store().ReleaseLease("j", a->lease.token).ok());
  EXPECT_EQ((*store().GetLease("j"))->owner.host, "host-b");
  ASSERT_TRUE(store().ReleaseLease("j", 2).ok());
  ASSERT_TRUE(store().ReleaseLease("j", 2).ok());
  EXPECT_EQ(store().AcquireLease("j", kAlice, kLong, std::nullopt)->lease.token, 3);
}

// Both owners ask for the lease of `job` at once: exactly one gets it, with `token`; the other
// is told who has it.
void Race(StateStore& a, StateStore& b, const std::string& job, int64_t token) {
  std::latch start(2);
  Result<LeaseAttempt> ra = Err(Status::Internal("not run"));
  Result<LeaseAttempt> rb = Err(Status::Internal("not run"));
  std::thread ta([&] {
    start.arrive_and_wait();
    ra = a.AcquireLease(job, kAlice, kLong, std::nullopt);
  });
  std::thread tb([&] {
    start.arrive_and_wait();
    rb = b.AcquireLease(job, kBob, kLong, std::nullopt);
  });
  ta.join();
  tb.join();
  ASSERT_TRUE(ra.has_value()) << ra.error().message();
  ASSERT_TRUE(rb.has_value()) << rb.error().message();
  ASSERT_NE(ra->acquired, rb->acquired) << job << " token " << token;
  const LeaseAttempt& winner = ra->acquired ? *ra : *rb;
  const LeaseAttempt& loser = ra->acquired ? *rb : *ra;
  EXPECT_EQ(winner.lease.token, token);
  EXPECT_EQ(loser.lease.token, token);
  EXPECT_EQ(loser.lease.owner.host, winner.lease.owner.host);
  EXPECT_EQ((*a.GetLease(job))->owner.host, winner.lease.owner.host);
}

// 50 rounds, each on a job never leased (no lease row yet) and then on the same job once its
// lease was released (a free row to fight over). `a` and `b` may be one store object (threads
// of one process) or two (two processes).
void RaceForLeases(StateStore& a, StateStore& b) {
  for (int round = 0; round < 50; ++round) {
    const std::string job = "race-" + std::to_string(round);
    ASSERT_NO_FATAL_FAILURE(Race(a, b, job, 1));
    ASSERT_TRUE(a.ReleaseLease(job, 1).ok());
    ASSERT_NO_FATAL_FAILURE(Race(a, b, job, 2));
  }
}

TEST_P(StateStoreConformance, ThreadsRacingForALeaseGetOneWinner) {
  RaceForLeases(store(), store());
}

TEST_P(StateStoreConformance, StoresRacingForALeaseGetOneWinner) {
  std::unique_ptr<StateStore> other = harness().Open();
  RaceForLeases(store(), *other);
}

// ---- fencing --------------------------------------------------------------------------------

class Snapshot {
 public:
  explicit Snapshot(StateStore& store) {
    job_ = *store.Load("j");
    const std::vector<PositionUpdate> positions = *store.ListPositions("j", "");
    positions_ = Streams(positions);
    for (const PositionUpdate& p : positions) values_.push_back(p.position);
    lease_ = *store.GetLease("j");
  }
  void ExpectSame(const Snapshot& before) const {
    EXPECT_EQ(job_.watermark, before.job_.watermark);
    EXPECT_EQ(job_.watermark_column, before.job_.watermark_column);
    ASSERT_EQ(job_.pending.has_value(), before.job_.pending.has_value());
    if (job_.pending) {
      EXPECT_EQ(job_.pending->run_id, before.job_.pending->run_id);
    }
    ASSERT_EQ(job_.last_run.has_value(), before.job_.last_run.has_value());
    if (job_.last_run) {
      EXPECT_EQ(job_.last_run->run_id, before.job_.last_run->run_id);
    }
    EXPECT_EQ(positions_, before.positions_);
    EXPECT_EQ(values_, before.values_);
    ASSERT_EQ(lease_.has_value(), before.lease_.has_value());
    if (lease_) {
      EXPECT_EQ(lease_->token, before.lease_->token);
      EXPECT_EQ(lease_->expires_at, before.lease_->expires_at);
    }
  }

 private:
  JobState job_;
  std::vector<std::string> positions_;
  std::vector<std::string> values_;
  std::optional<Lease> lease_;
};

// Every call that takes a fence, made with `stale`: each must be a kConflict that changes nothing.
void ExpectEveryFencedCallRefused(StateStore& store, const Fence& stale,
                                  const std::string& holder_text) {
  const Snapshot before(store);
  std::vector<std::pair<const char*, Status>> calls;
  calls.emplace_back("BeginRun",
                     store.BeginRun("j2", "id", Pending("r9", "9", {{"j", "p", "x"}}), stale));
  calls.emplace_back("ConfirmRun", store.ConfirmRun("j", "r1", Rows(1), stale));
  calls.emplace_back("DiscardRun", store.DiscardRun("j", "r1", stale));
  calls.emplace_back("Reset", store.Reset("j", stale));
  calls.emplace_back("SetWatermark", store.SetWatermark("j", "id", std::string("99"), stale));
  calls.emplace_back("PutPosition", store.PutPosition("j", "p", "x", stale));
  calls.emplace_back("PutPositions", store.PutPositions({{"j", "q", "y"}, {"j", "p", "x"}}, stale));
  for (const auto& [name, st] : calls) {
    EXPECT_EQ(st.code(), StatusCode::kConflict) << name << ": " << st.message();
    EXPECT_NE(st.message().find(holder_text), std::string::npos) << name << ": " << st.message();
    EXPECT_NE(st.message().find("token " + std::to_string(stale.token)), std::string::npos)
        << st.message();
  }
  EXPECT_EQ(store.RenewLease(stale.job, stale.token, kLong).code(), StatusCode::kConflict);
  Snapshot(store).ExpectSame(before);
  EXPECT_FALSE(store.Load("j2")->pending.has_value());
}

void SetUpJobWithARunInFlight(StateStore& store) {
  ASSERT_TRUE(store.BeginRun("j", "id", Pending("r0", "5"), Fence{}).ok());
  ASSERT_TRUE(store.ConfirmRun("j", "r0", Rows(1), Fence{}).ok());
  ASSERT_TRUE(store.PutPosition("j", "p", "p0", Fence{}).ok());
  ASSERT_TRUE(store.BeginRun("j", "id", Pending("r1", "6", {{"j", "p", "p1"}}), Fence{}).ok());
}

TEST_P(StateStoreConformance, FencedCallsWorkWhileTheLeaseIsHeld) {
  SetUpJobWithARunInFlight(store());
  Result<LeaseAttempt> a = store().AcquireLease("j", kAlice, kLong, std::nullopt);
  const Fence fence{"j", a->lease.token};
  ASSERT_TRUE(store().ConfirmRun("j", "r1", Rows(1), fence).ok());
  ASSERT_TRUE(store().BeginRun("j", "id", Pending("r2", "7"), fence).ok());
  ASSERT_TRUE(store().DiscardRun("j", "r2", fence).ok());
  ASSERT_TRUE(store().PutPositions({{"j", "p", "p2"}}, fence).ok());
  ASSERT_TRUE(store().SetWatermark("j", "id", std::string("8"), fence).ok());
  // A multi-table job's lease guards its tables' states.
  ASSERT_TRUE(store().SetWatermark("j/orders", "id", std::string("1"), fence).ok());
  ASSERT_TRUE(store().Reset("j/orders", fence).ok());
  EXPECT_EQ(store().Load("j")->watermark.value_or("-"), "8");
  EXPECT_EQ(store().GetPosition("j", "p")->value_or("-"), "p2");
}

TEST_P(StateStoreConformance, AStaleTokenChangesNothing) {
  SetUpJobWithARunInFlight(store());
  Result<LeaseAttempt> a = store().AcquireLease("j", kAlice, kShort, std::nullopt);
  ASSERT_TRUE(a->acquired);
  WaitForShortLeaseToExpire();
  // Expired, not yet taken: still Alice's.
  ASSERT_TRUE(store().PutPosition("j", "alive", "1", Fence{"j", a->lease.token}).ok());
  std::unique_ptr<StateStore> bob = harness().Open();
  ASSERT_TRUE(bob->AcquireLease("j", kBob, kLong, std::nullopt)->acquired);
  ExpectEveryFencedCallRefused(store(), Fence{"j", a->lease.token}, "host-b");
  // A token that never was.
  ExpectEveryFencedCallRefused(store(), Fence{"j", 99}, "host-b");
}

TEST_P(StateStoreConformance, AReleasedLeaseFencesNothing) {
  SetUpJobWithARunInFlight(store());
  Result<LeaseAttempt> a = store().AcquireLease("j", kAlice, kLong, std::nullopt);
  ASSERT_TRUE(store().ReleaseLease("j", a->lease.token).ok());
  ExpectEveryFencedCallRefused(store(), Fence{"j", a->lease.token}, "nobody holds it");
  // A job whose lease was never taken.
  ExpectEveryFencedCallRefused(store(), Fence{"never-leased", 1}, "nobody holds it");
}

TEST_P(StateStoreConformance, UnfencedCallsIgnoreLeases) {
  ASSERT_TRUE(store().AcquireLease("j", kAlice, kLong, std::nullopt)->acquired);
  EXPECT_TRUE(store().SetWatermark("j", "id", std::string("1"), Fence{}).ok());
  EXPECT_TRUE(store().SetWatermark("j", "id", std::string("2"), Fence{"j", 0}).ok());
}

// ---- cost -----------------------------------------------------------------------------------

// Not a benchmark to trust to the microsecond: what a lease change and a run's confirmation cost
// on this store, printed for the record, with the results they must have.
TEST_P(StateStoreConformance, CostOfLeasesAndConfirmations) {
  constexpr int kRounds = 200;
  using Clock = std::chrono::steady_clock;
  auto micros = [](Clock::duration d) {
    return std::chrono::duration_cast<std::chrono::microseconds>(d).count() / kRounds;
  };
  int64_t token = 0;
  Clock::time_point t0 = Clock::now();
  for (int i = 0; i < kRounds; ++i) {
    Result<LeaseAttempt> a =
        store().AcquireLease("j", kAlice, kLong, token == 0 ? std::nullopt : std::optional(token));
    ASSERT_TRUE(a.has_value() && a->acquired);
    token = a->lease.token;
  }
  const auto acquire = Clock::now() - t0;
  EXPECT_EQ(token, kRounds);
  const Fence fence{"j", token};
  t0 = Clock::now();
  for (int i = 0; i < kRounds; ++i) ASSERT_TRUE(store().RenewLease("j", token, kLong).ok());
  const auto renew = Clock::now() - t0;
  Clock::duration begin{};
  Clock::duration confirm{};
  for (int i = 0; i < kRounds; ++i) {
    const std::string id = "r" + std::to_string(i);
    t0 = Clock::now();
    ASSERT_TRUE(store().BeginRun("j", "id", Pending(id, id, {{"j", "p", id}}), fence).ok());
    const Clock::time_point t1 = Clock::now();
    ASSERT_TRUE(store().ConfirmRun("j", id, Rows(i), fence).ok());
    begin += t1 - t0;
    confirm += Clock::now() - t1;
  }
  t0 = Clock::now();
  for (int i = 0; i < kRounds; ++i) {
    ASSERT_TRUE(store().PutPosition("j", "binlog", std::to_string(i), fence).ok());
  }
  const auto put = Clock::now() - t0;
  EXPECT_EQ(store().Load("j")->watermark.value_or("-"), "r" + std::to_string(kRounds - 1));
  EXPECT_EQ(store().GetPosition("j", "p")->value_or("-"), "r" + std::to_string(kRounds - 1));
  std::printf(
      "[cost] %s: AcquireLease %lld us, RenewLease %lld us, BeginRun %lld us, ConfirmRun "
      "%lld us, PutPosition %lld us (mean of %d, fenced)\n",
      GetParam().name, static_cast<long long>(micros(acquire)),
      static_cast<long long>(micros(renew)), static_cast<long long>(micros(begin)),
      static_cast<long long>(micros(confirm)), static_cast<long long>(micros(put)), kRounds);
}

}  // namespace
}  // namespace sluice::testing
