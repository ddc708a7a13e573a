#include <gtest/gtest.h>

#include <chrono>

#include "connectors/datagen/datagen_rows.h"
#include "connectors/datagen/datagen_source.h"

namespace sluice::datagen {
namespace {

class NoRejects final : public RejectSink {
 public:
  Status Reject(const Schema&, const Batch&, size_t, std::string_view,
                std::string_view reason) override {
    return Status::Internal("unexpected reject: {}", reason);
  }
};

std::vector<int64_t> Ids(const Batch& batch) {
  std::vector<int64_t> ids;
  for (size_t r = 0; r < batch.num_rows(); ++r) ids.push_back(batch.columns[0].GetInt(r));
  return ids;
}

TEST(DatagenRows, RowNIsAlwaysTheSame) {
  Batch batch(RowSchema());
  AppendRows(41, 42, batch);
  ASSERT_EQ(batch.num_rows(), 2u);
  EXPECT_EQ(batch.columns[0].GetInt(1), 42);
  EXPECT_EQ(batch.columns[1].GetView(1), "row-42");
  EXPECT_EQ(batch.columns[2].GetView(1), "42.42");
  EXPECT_EQ(batch.columns[3].GetInt(0), int64_t{1735689600 + 41} * 1000000);
}

TEST(DatagenSource, SplitsCoverEveryIdOnce) {
  DatagenSource source(DatagenConfig{1003, 0, "datagen"});
  ReadRequest request;
  request.max_splits = 4;
  request.batch_rows = 100;
  ASSERT_TRUE(source.Open(request).ok());
  auto splits = source.PlanSplits();
  ASSERT_TRUE(splits.has_value());
  ASSERT_EQ(splits->size(), 4u);
  std::vector<int> seen(1004, 0);
  NoRejects rejects;
  for (const Split& split : *splits) {
    auto reader = source.OpenSplit(split);
    ASSERT_TRUE(reader.has_value());
    bool more = true;
    while (more) {
      Batch batch(source.schema());
      auto next = (*reader)->Next(batch, rejects);
      ASSERT_TRUE(next.has_value());
      more = *next;
      EXPECT_LE(batch.num_rows(), 100u);
      for (int64_t id : Ids(batch)) ++seen[static_cast<size_t>(id)];
    }
  }
  for (size_t id = 1; id <= 1003; ++id) EXPECT_EQ(seen[id], 1) << id;
}

TEST(DatagenStream, ResumesAfterTheCommittedPositionAndEndsWhenCaughtUp) {
  DatagenStream stream(DatagenConfig{25, 0, "datagen"});
  ReadRequest request;
  request.batch_rows = 10;
  ASSERT_TRUE(stream.Open(request).ok());
  ASSERT_TRUE(stream.Start({StreamPosition{"datagen", "12"}}, /*catch_up=*/true).ok());
  NoRejects rejects;
  std::vector<int64_t> ids;
  bool more = true;
  while (more) {
    Batch batch(stream.schema());
    auto next = stream.Next(batch, rejects);
    ASSERT_TRUE(next.has_value());
    more = *next;
    for (int64_t id : Ids(batch)) ids.push_back(id);
  }
  ASSERT_EQ(ids.size(), 13u);
  EXPECT_EQ(ids.front(), 13);
  EXPECT_EQ(ids.back(), 25);
  EXPECT_EQ(stream.Positions().at(0).position, "25");
}

TEST(DatagenStream, AnIdleStreamReturnsEmptyBatchesWithinABoundedTime) {
  DatagenStream stream(DatagenConfig{0, 1, "datagen"});  // one row a second
  ReadRequest request;
  ASSERT_TRUE(stream.Open(request).ok());
  ASSERT_TRUE(stream.Start({}, /*catch_up=*/false).ok());
  NoRejects rejects;
  const auto start = std::chrono::steady_clock::now();
  Batch batch(stream.schema());
  auto next = stream.Next(batch, rejects);
  ASSERT_TRUE(next.has_value());
  EXPECT_TRUE(*next);
  EXPECT_EQ(batch.num_rows(), 0u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(600));
}

TEST(DatagenStream, RefusesAPositionThatIsNotARowNumberAndCatchUpWithoutAnEnd) {
  DatagenStream stream(DatagenConfig{0, 0, "datagen"});
  ReadRequest request;
  ASSERT_TRUE(stream.Open(request).ok());
  Status bad = stream.Start({StreamPosition{"datagen", "12x"}}, false);
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("'12x' is not a row number"), std::string::npos) << bad.message();
  Status endless = stream.Start({}, /*catch_up=*/true);
  EXPECT_NE(endless.message().find("--catch-up needs an end"), std::string::npos)
      << endless.message();
}

}  // namespace
}  // namespace sluice::datagen
