#include "verify/bucket_digest.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "core/value_text.h"
#include "verify/row_encoder.h"

namespace sluice::verify {
namespace {

TEST(HashBytes, EveryByteAndTheLengthCount) {
  EXPECT_NE(HashBytes(""), HashBytes(std::string_view("\0", 1)));
  EXPECT_NE(HashBytes("ab"), HashBytes("ab", 1));  // the seed counts too
  for (size_t len = 1; len <= 24; ++len) {
    const std::string base(len, 'x');
    const uint64_t h = HashBytes(base);
    EXPECT_NE(h, HashBytes(std::string(len + 1, 'x'))) << len;
    for (size_t i = 0; i < len; ++i) {
      std::string changed = base;
      changed[i] = 'y';
      EXPECT_NE(h, HashBytes(changed)) << len << " " << i;
    }
  }
}

TEST(ChooseBucketCount, AboutTwoHundredFiftySixRowsPerBucket) {
  EXPECT_EQ(ChooseBucketCount(-1), size_t{1} << 16);
  EXPECT_EQ(ChooseBucketCount(0), 64u);
  EXPECT_EQ(ChooseBucketCount(10'000), 64u);
  EXPECT_EQ(ChooseBucketCount(1'000'000), 4096u);
  EXPECT_EQ(ChooseBucketCount(int64_t{1} << 40), size_t{1} << 22);
}

// A two-column batch (id int64, amount decimal) from parallel vectors.
Batch MakeBatch(const std::vector<int64_t>& ids, const std::vector<std::string>& amounts) {
  Schema schema{{{"id", DataType::Of(TypeId::kInt64)}, {"amount", DataType::Decimal(10, 2)}}};
  Batch batch(schema);
  for (size_t i = 0; i < ids.size(); ++i) {
    batch.columns[0].AppendInt(ids[i]);
    if (amounts[i] == "NULL") {
      batch.columns[1].AppendNull();
    } else {
      batch.columns[1].AppendBytes(amounts[i]);
    }
  }
  return batch;
}

SidePlan KeyedPlan() {
  SidePlan plan;
  plan.columns = {{"id", 0, DataType::Of(TypeId::kInt64), CompareKind::kNumber},
                  {"amount", 1, DataType::Decimal(10, 2), CompareKind::kNumber}};
  plan.key = {0};
  return plan;
}

BucketDigest Digest(const SidePlan& plan, const Batch& batch, size_t buckets = 64) {
  RowEncoder encoder(plan);
  encoder.HashBatch(batch);
  BucketDigest digest(buckets);
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    digest.Add(encoder.key_hashes()[r], encoder.row_hashes()[r]);
  }
  return digest;
}

struct Table {
  std::vector<int64_t> ids;
  std::vector<std::string> amounts;
};

Table Rows(int n) {
  Table t;
  for (int i = 0; i < n; ++i) {
    t.ids.push_back(i);
    t.amounts.push_back(std::to_string(i % 1000) + ".25");
  }
  return t;
}

TEST(BucketDigest, OrderAndSplittingDoNotMatter) {
  const SidePlan plan = KeyedPlan();
  Table t = Rows(5000);
  BucketDigest whole = Digest(plan, MakeBatch(t.ids, t.amounts));
  // Shuffled, and fed in two halves merged afterwards (as two reader threads would).
  std::vector<size_t> order(t.ids.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937(7));
  Table a;
  Table b;
  for (size_t i = 0; i < order.size(); ++i) {
    Table& half = i % 2 ? a : b;
    half.ids.push_back(t.ids[order[i]]);
    half.amounts.push_back(t.amounts[order[i]]);
  }
  BucketDigest merged = Digest(plan, MakeBatch(a.ids, a.amounts));
  merged.Merge(Digest(plan, MakeBatch(b.ids, b.amounts)));
  EXPECT_EQ(merged.rows(), 5000);
  const auto differ = whole.DifferingBuckets(merged);
  EXPECT_EQ(std::count(differ.begin(), differ.end(), 1), 0);
}

TEST(BucketDigest, OneChangedValueFlagsExactlyItsBucket) {
  const SidePlan plan = KeyedPlan();
  Table t = Rows(5000);
  BucketDigest before = Digest(plan, MakeBatch(t.ids, t.amounts));
  t.amounts[1234] = "999.26";
  BucketDigest after = Digest(plan, MakeBatch(t.ids, t.amounts));
  const auto differ = before.DifferingBuckets(after);
  ASSERT_EQ(std::count(differ.begin(), differ.end(), 1), 1);
  RowEncoder encoder(plan);
  encoder.HashBatch(MakeBatch({1234}, {"999.26"}));
  EXPECT_TRUE(differ[before.BucketOf(encoder.key_hashes()[0])]);
}

TEST(BucketDigest, NullDiffersFromEmptyAndValuesSwappedBetweenKeysAreCaught) {
  const SidePlan plan = KeyedPlan();
  BucketDigest a = Digest(plan, MakeBatch({1, 2}, {"1.00", "2.00"}), 1 << 10);
  BucketDigest swapped = Digest(plan, MakeBatch({1, 2}, {"2.00", "1.00"}), 1 << 10);
  BucketDigest normalized = Digest(plan, MakeBatch({1, 2}, {"1.0", "2"}), 1 << 10);
  BucketDigest nulled = Digest(plan, MakeBatch({1, 2}, {"1.00", "NULL"}), 1 << 10);
  auto count = [](const std::vector<uint8_t>& f) { return std::count(f.begin(), f.end(), 1); };
  EXPECT_GT(count(a.DifferingBuckets(swapped)), 0);
  EXPECT_EQ(count(a.DifferingBuckets(normalized)), 0);  // 1.00 and 1.0 are one value
  EXPECT_GT(count(a.DifferingBuckets(nulled)), 0);
}

TEST(BucketDigest, WithoutKeyDuplicatesCount) {
  SidePlan plan = KeyedPlan();
  plan.key.clear();
  BucketDigest once = Digest(plan, MakeBatch({1, 2}, {"1.00", "2.00"}));
  BucketDigest twice = Digest(plan, MakeBatch({1, 2, 2}, {"1.00", "2.00", "2.00"}));
  const auto differ = once.DifferingBuckets(twice);
  EXPECT_EQ(std::count(differ.begin(), differ.end(), 1), 1);
  EXPECT_EQ(twice.rows(), 3);
}

TEST(RowEncoder, KeepsNormalizedAndDisplayValues) {
  const SidePlan plan = KeyedPlan();
  RowEncoder encoder(plan);
  Batch batch = MakeBatch({7, 8}, {"10.50", "NULL"});
  encoder.HashBatch(batch);
  KeptRow row = encoder.Keep(batch, 0);
  EXPECT_EQ(row.key_display, "id=7");
  EXPECT_EQ(row.row_hash, encoder.row_hashes()[0]);
  ASSERT_EQ(row.values.size(), 2u);
  EXPECT_EQ(row.values[1].normalized, "10.5");
  EXPECT_EQ(row.values[1].display, "10.50");
  KeptRow null_row = encoder.Keep(batch, 1);
  EXPECT_TRUE(null_row.values[1].null);
  EXPECT_EQ(null_row.values[1].display, "NULL");
  EXPECT_NE(row.key, null_row.key);
}

}  // namespace
}  // namespace sluice::verify
