// StreamedTransactions without a server: order, aborts and the spill to disk past the memory
// bound, with the messages as opaque bytes.
#include "connectors/postgres/replication_stream/streamed_transactions.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice::postgres::replication_stream {
namespace {

std::vector<std::string> Replay(StreamedTransactions& held, uint32_t xid) {
  Result<HeldReplay> replay = held.Take(xid);
  EXPECT_TRUE(replay.has_value()) << replay.error().message();
  std::vector<std::string> out;
  if (!replay) return out;
  HeldChange change;
  for (;;) {
    Result<bool> got = replay->Next(change);
    EXPECT_TRUE(got.has_value()) << got.error().message();
    if (!got || !*got) break;
    out.push_back(std::to_string(change.subxid) + ":" + change.message);
  }
  EXPECT_TRUE(replay->empty());
  return out;
}

TEST(StreamedTransactions, InMemoryKeepsOrderAndDropsAbortedSubtransactions) {
  StreamedTransactions held(1 << 20);
  ASSERT_TRUE(held.Add(10, 10, "a").ok());
  ASSERT_TRUE(held.Add(20, 20, "other").ok());
  ASSERT_TRUE(held.Add(10, 11, "b").ok());
  ASSERT_TRUE(held.Add(10, 10, "c").ok());
  held.Abort(10, 11);
  EXPECT_EQ(held.bytes(), 2u + 5u);
  EXPECT_EQ(Replay(held, 10), (std::vector<std::string>{"10:a", "10:c"}));
  held.Abort(20, 20);
  EXPECT_TRUE(held.empty());
  EXPECT_EQ(held.bytes(), 0u);
  EXPECT_TRUE(Replay(held, 99).empty());  // a transaction with nothing of ours
}

TEST(StreamedTransactions, PastTheBoundTheLargestSpillsAndReplaysInOrder) {
  const size_t bound = 1000;
  StreamedTransactions held(bound);
  std::vector<std::string> big_expected;
  std::vector<std::string> small_expected;
  for (int i = 0; i < 2000; ++i) {
    const std::string big(90, static_cast<char>('a' + i % 26));
    // Subtransaction 7 is rolled back after much of it went to disk.
    const uint32_t sub = (i % 5 == 0) ? 7 : 1;
    ASSERT_TRUE(held.Add(1, sub, std::to_string(i) + big).ok());
    if (sub != 7) big_expected.push_back(std::to_string(sub) + ":" + std::to_string(i) + big);
    if (i % 100 == 0) {
      ASSERT_TRUE(held.Add(2, 2, "s" + std::to_string(i)).ok());
      small_expected.push_back("2:s" + std::to_string(i));
    }
    EXPECT_LE(held.bytes(), bound);
  }
  held.Abort(1, 7);
  EXPECT_EQ(held.spilled_transactions(), 1u);
  EXPECT_GT(held.spilled_bytes(), 150000u);
  EXPECT_LE(held.bytes(), bound);
  EXPECT_EQ(Replay(held, 2), small_expected);  // the small one stayed in memory
  EXPECT_EQ(Replay(held, 1), big_expected);
  EXPECT_TRUE(held.empty());
  EXPECT_EQ(held.spilled_transactions(), 0u);
}

TEST(StreamedTransactions, AWholeSpilledTransactionAbortedLeavesNothing) {
  StreamedTransactions held(100);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(held.Add(5, 5, std::string(40, 'x')).ok());
  EXPECT_EQ(held.spilled_transactions(), 1u);
  held.Abort(5, 5);
  EXPECT_TRUE(held.empty());
  EXPECT_EQ(held.spilled_bytes(), 0u);
  EXPECT_TRUE(Replay(held, 5).empty());
}

}  // namespace
}  // namespace sluice::postgres::replication_stream
