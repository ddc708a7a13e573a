// Throughput of the SQLite sink and source on 5M rows x 4 columns. Disabled by default (it
// takes seconds and a few hundred MB of disk); run it with
//   sqlite_tests --gtest_also_run_disabled_tests --gtest_filter='SqliteBench*'
// SLUICE_BENCH_ROWS=n changes the row count (a multiple of 10000).
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <gtest/gtest.h>

#include "connectors/sqlite/sqlite_test_util.h"

namespace sluice::sqlite {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

TEST(SqliteBench, DISABLED_FiveMillionRowsWriteAndRead) {
  const char* env = std::getenv("SLUICE_BENCH_ROWS");  // a smaller run for profiling
  const int64_t kRows = env ? std::atoll(env) : 5'000'000;
  constexpr size_t kBatch = 10'000;
  testing::TempDir dir;
  const std::string db = dir.File("bench.db");
  Schema schema{{Field{"id", DataType::Of(TypeId::kInt64), false},
                 Field{"price", DataType::Of(TypeId::kFloat64), true},
                 Field{"name", DataType::Of(TypeId::kString), true},
                 Field{"at", DataType::Of(TypeId::kTimestamp), true}}};

  SqliteSink sink(testing::Config(db, "t"));
  testing::RecordingRejects rejects;
  auto start = Clock::now();
  ASSERT_TRUE(sink.Prepare(testing::Request(schema, WriteMode::kAppend, {"id"})).has_value());
  auto writer = sink.OpenWriter();
  ASSERT_TRUE(writer.has_value());
  Batch batch(schema);
  std::string name;
  for (int64_t base = 0; base < kRows; base += kBatch) {
    batch.Clear();
    for (size_t i = 0; i < kBatch; ++i) {
      int64_t id = base + static_cast<int64_t>(i);
      batch.columns[0].AppendInt(id);
      batch.columns[1].AppendDouble(static_cast<double>(id) * 0.25);
      name = "customer-" + std::to_string(id % 100000);
      batch.columns[2].AppendBytes(name);
      batch.columns[3].AppendInt(1'700'000'000'000'000 + id * 1'000'000);
    }
    ASSERT_TRUE((*writer)->Write(batch, rejects).ok());
  }
  ASSERT_TRUE((*writer)->Finish().ok());
  double insert_seconds = Seconds(start);
  ASSERT_TRUE(sink.Commit().ok());
  std::printf("write: %lld rows in %.2f s (inserts %.2f s, commit and checkpoint %.2f s)\n",
              static_cast<long long>(kRows), Seconds(start), insert_seconds,
              Seconds(start) - insert_seconds);

  for (int splits : {1, 2}) {
    SqliteSource source(testing::Config(db, "t"), TimeZone::Utc());
    ReadRequest request;
    request.max_splits = splits;
    start = Clock::now();
    ASSERT_TRUE(source.Open(request).ok());
    auto planned = source.PlanSplits();
    ASSERT_TRUE(planned.has_value());
    double plan_seconds = Seconds(start);
    int64_t rows = 0;
    for (const Split& split : *planned) {  // one thread: measures the work, not parallelism
      auto reader = source.OpenSplit(split);
      ASSERT_TRUE(reader.has_value());
      Batch out(source.schema());
      while (true) {
        out.Clear();
        Result<bool> more = (*reader)->Next(out, rejects);
        ASSERT_TRUE(more.has_value());
        rows += static_cast<int64_t>(out.num_rows());
        if (!*more) break;
      }
    }
    EXPECT_EQ(rows, kRows);
    std::printf("read (%d splits, planned in %.2f s): %lld rows in %.2f s\n", splits, plan_seconds,
                static_cast<long long>(rows), Seconds(start));
  }
  EXPECT_TRUE(rejects.entries.empty());
}

}  // namespace
}  // namespace sluice::sqlite
