#include "core/snapshot_chunks.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

// Each range begins where the one before ends; the first is unbounded below (or starts at
// `from`), the last unbounded above.
void ExpectContiguous(const std::vector<KeyChunk>& ranges, const std::optional<std::string>& from) {
  ASSERT_FALSE(ranges.empty());
  EXPECT_EQ(ranges.front().low, from);
  EXPECT_FALSE(ranges.back().high.has_value());
  for (size_t i = 1; i < ranges.size(); ++i) {
    ASSERT_TRUE(ranges[i - 1].high.has_value()) << i;
    EXPECT_EQ(ranges[i].low, ranges[i - 1].high) << i;
  }
}

TEST(SnapshotChunks, EqualWidthsOfTheSpanSizedByTheEstimate) {
  const std::vector<KeyChunk> r = PlanIntegerChunks(std::nullopt, 1, 1000, 1000, 250);
  ASSERT_EQ(r.size(), 4u);
  ExpectContiguous(r, std::nullopt);
  EXPECT_EQ(r[0].high, "251");
  EXPECT_EQ(r[1].high, "501");
  EXPECT_EQ(r[2].high, "751");
  EXPECT_EQ(r[0].low, std::nullopt);
  EXPECT_EQ(r[3].low, "751");
  EXPECT_EQ(r[3].high, std::nullopt);
}

TEST(SnapshotChunks, OneRangeWhenTheTableFitsOneChunkOrChunkingIsOff) {
  for (int64_t chunk : {0, 1000, 5000}) {
    const std::vector<KeyChunk> r = PlanIntegerChunks(std::nullopt, 1, 1000, 1000, chunk);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0], (KeyChunk{std::nullopt, std::nullopt, true}));  // every row
  }
  const std::vector<KeyChunk> rest = PlanIntegerChunks(KeyInt{900}, 1, 1000, 1000, 250);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0], (KeyChunk{"900", std::nullopt, false}));
}

TEST(SnapshotChunks, AResumedSnapshotPlansTheRestFromItsMarker) {
  const std::vector<KeyChunk> r = PlanIntegerChunks(KeyInt{501}, 1, 1000, 1000, 100);
  ExpectContiguous(r, std::string("501"));
  ASSERT_EQ(r.size(), 5u);  // 500 of the 1000 estimated rows, 100 a chunk
  EXPECT_EQ(r[1].low, "601");
}

TEST(SnapshotChunks, TheWholeRangeOfBigintUnsignedAndSigned) {
  const KeyInt umax = (KeyInt{1} << 64) - 1;
  const std::vector<KeyChunk> u = PlanIntegerChunks(std::nullopt, 0, umax, 4, 1);
  ExpectContiguous(u, std::nullopt);
  ASSERT_EQ(u.size(), 4u);
  EXPECT_EQ(u[1].low, "4611686018427387904");
  const KeyInt smin = -(KeyInt{1} << 63);
  const std::vector<KeyChunk> s = PlanIntegerChunks(std::nullopt, smin, -smin - 1, 2, 1);
  ExpectContiguous(s, std::nullopt);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].high, "0");
  EXPECT_EQ(KeyIntText(smin), "-9223372036854775808");
  EXPECT_EQ(KeyIntText(umax), "18446744073709551615");
  EXPECT_EQ(ParseKeyInt("-9223372036854775808"), smin);
  EXPECT_EQ(ParseKeyInt("18446744073709551615"), umax);
  EXPECT_FALSE(ParseKeyInt("12a").has_value());
  EXPECT_FALSE(ParseKeyInt("").has_value());
  EXPECT_FALSE(ParseKeyInt("-").has_value());
}

TEST(SnapshotChunks, ASkewedKeyStillCoversEveryKeyAndTheCountIsCapped) {
  // 1..1000 plus one key at 10^12: most ranges are empty, none is wrong.
  const std::vector<KeyChunk> r = PlanIntegerChunks(std::nullopt, 1, 1000000000000, 1001, 1);
  ExpectContiguous(r, std::nullopt);
  EXPECT_LE(r.size(), static_cast<size_t>(kMaxSnapshotChunks));
}

TEST(SnapshotChunks, MarkersNameTheKeyAndTheFirstKeyNotWritten) {
  EXPECT_EQ(SnapshotMarker("id", std::string("251")), "id >= 251");
  EXPECT_EQ(SnapshotMarker("id", std::nullopt), "id: all");
  Result<std::optional<KeyInt>> low = ParseSnapshotMarker("id", "id >= 251");
  ASSERT_TRUE(low.has_value());
  EXPECT_EQ(*low, KeyInt{251});
  Result<std::optional<KeyInt>> all = ParseSnapshotMarker("id", "id: all");
  ASSERT_TRUE(all.has_value());
  EXPECT_FALSE(all->has_value());
  EXPECT_FALSE(ParseSnapshotMarker("order_id", "id >= 251").has_value());
  EXPECT_FALSE(ParseSnapshotMarker("id", "id >= 'x'").has_value());
}

TEST(SnapshotChunks, EstimatedRowsFromAResumePoint) {
  EXPECT_EQ(EstimatedRowsFrom(std::nullopt, 1, 1000, 1000), 1000);
  EXPECT_EQ(EstimatedRowsFrom(KeyInt{1}, 1, 1000, 1000), 1000);
  EXPECT_EQ(EstimatedRowsFrom(KeyInt{751}, 1, 1000, 1000), 250);
  EXPECT_EQ(EstimatedRowsFrom(KeyInt{1001}, 1, 1000, 1000), 0);
  // The extremes of BIGINT UNSIGNED do not overflow.
  const KeyInt top = (KeyInt{1} << 64) - 1;
  EXPECT_EQ(EstimatedRowsFrom(top / 2 + 1, 0, top, 1000000), 500000);
}

}  // namespace
}  // namespace sluice
