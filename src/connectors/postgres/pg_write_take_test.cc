// PgSinkWriter::WriteAndTake: batches the writer takes (rather than copies) are still there
// when a chunk must be bisected for the rows the server refuses.
#include <gtest/gtest.h>

#include "connectors/postgres/pg_testing.h"

namespace sluice::postgres {
namespace {

using testing::CollectingRejects;
using testing::DbUrl;
using testing::MakeSink;
using testing::RawConn;
using testing::Request;

Schema KV() {
  return Schema{{{"id", DataType::Of(TypeId::kInt64), false},
                 {"name", DataType::Of(TypeId::kString)},
                 {"amount", DataType::Decimal(12, 2)}}};
}

TEST(PgWriteTakeTest, TakenBatchesAreKeptForBisectingRefusedRows) {
  RawConn db(DbUrl());
  db.Exec("CREATE TABLE taken (id bigint PRIMARY KEY, name varchar(3), amount numeric)");
  Options options;
  options.Set("table", testing::Scalar("taken"));
  auto sink = MakeSink(std::move(options));
  ASSERT_TRUE(sink->Prepare(Request(KV())).has_value());
  auto writer = sink->OpenWriter();
  ASSERT_TRUE(writer.has_value()) << writer.error().message();
  CollectingRejects rejects;
  for (int b = 0; b < 5; ++b) {
    auto batch = std::make_unique<Batch>(KV());
    for (int i = 1; i <= 200; ++i) {
      batch->columns[0].AppendInt(b * 1000 + i);
      batch->columns[1].AppendBytes((b == 1 && i == 7) || (b == 4 && i == 200) ? "long" : "ok");
      batch->columns[2].AppendBytes("1");
    }
    ASSERT_TRUE((*writer)->WriteAndTake(batch, rejects).ok());
    EXPECT_EQ(batch, nullptr) << "the writer keeps the rows by taking the batch";
  }
  ASSERT_TRUE((*writer)->Finish().ok());
  ASSERT_TRUE(sink->Commit().ok());
  EXPECT_EQ(db.Value("SELECT count(*) FROM taken"), "998");
  EXPECT_EQ(rejects.rows, (std::vector<std::string>{"1007,long,1", "4200,long,1"}));
}

}  // namespace
}  // namespace sluice::postgres
