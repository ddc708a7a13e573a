#include "engine/pipeline.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "engine/bounded_queue.h"
#include "engine/key_router.h"
#include "engine/rate_limiter.h"
#include "engine/reject_collector.h"

namespace sluice {
namespace {

// A source of `splits` splits, each with `rows_per_split` sequential ids.
class FakeSource : public Source {
 public:
  FakeSource(int splits, int64_t rows_per_split) : splits_(splits), rows_(rows_per_split) {
    schema_.fields.push_back({"id", DataType::Of(TypeId::kInt64), false});
  }
  Status Open(const ReadRequest&) override { return Status::OK(); }
  const Schema& schema() const override { return schema_; }
  Result<std::optional<std::string>> MaxValue(const std::string&) override {
    return std::optional<std::string>();
  }
  Result<std::vector<Split>> PlanSplits() override {
    std::vector<Split> out;
    for (int i = 0; i < splits_; ++i)
      out.push_back(Split{i, "part " + std::to_string(i), "", rows_});
    return out;
  }
  Result<std::unique_ptr<SplitReader>> OpenSplit(const Split& split) override;
  std::string Describe() const override { return "fake"; }

  int fail_split = -1;       // this split fails half way
  int64_t refuse_every = 0;  // the reader rejects ids divisible by this (0: none)
  bool idle = false;         // every other Next returns an empty batch (an idle stream)

 private:
  int splits_;
  int64_t rows_;
  Schema schema_;
};

class FakeReader : public SplitReader {
 public:
  FakeReader(int64_t begin, int64_t end, bool fail, int64_t refuse_every, bool idle)
      : next_(begin), end_(end), fail_(fail), refuse_every_(refuse_every), idle_(idle) {}
  Result<bool> Next(Batch& batch, RejectSink& rejects) override {
    idle_turn_ = !idle_turn_;
    if (idle_ && idle_turn_) return true;  // nothing arrived this time
    if (fail_ && next_ > (end_ - 1)) return Err(Status::IoError("disk on fire"));
    int64_t stop = std::min(end_, next_ + 100);
    for (; next_ < stop; ++next_) {
      if (refuse_every_ > 0 && next_ % refuse_every_ == 0) {
        SLUICE_RETURN_IF_ERROR(rejects.Reject(Schema(), batch, 0, "source", "unreadable"));
        continue;
      }
      batch.columns[0].AppendInt(next_);
    }
    if (fail_ && next_ >= end_) {
      next_ = end_;
      return true;  // fail on the following call
    }
    return next_ < end_;
  }

 private:
  int64_t next_;
  int64_t end_;
  bool fail_;
  int64_t refuse_every_;
  bool idle_;
  bool idle_turn_ = false;
};

Result<std::unique_ptr<SplitReader>> FakeSource::OpenSplit(const Split& split) {
  int64_t begin = split.index * rows_;
  return std::unique_ptr<SplitReader>(std::make_unique<FakeReader>(
      begin, begin + rows_, split.index == fail_split, refuse_every, idle));
}

// A sink that remembers every id; can be slowed down ("corked") to test backpressure.
class FakeSink : public Sink {
 public:
  Result<bool> Recover(const PendingRun&) override { return false; }
  Result<std::string> Prepare(const WriteRequest&) override { return std::string(); }
  int MaxWriters() const override { return writers; }
  Result<std::unique_ptr<SinkWriter>> OpenWriter() override;
  Status Commit() override { return Status::OK(); }
  Status Abort() override { return Status::OK(); }
  Result<std::vector<std::string>> Plan(const WriteRequest&) override {
    return std::vector<std::string>();
  }
  std::string Describe() const override { return "fake sink"; }

  int writers = 1;
  int64_t fail_after_rows = -1;
  int64_t refuse_at_finish = 0;  // each writer rejects this many rows it took, in Finish
  std::atomic<int64_t> refused_late{0};
  std::chrono::milliseconds delay_per_batch{0};
  bool take = false;  // writers take the batches they get (WriteAndTake)
  std::mutex mu;
  std::multiset<int64_t> ids;
  int64_t empty_batches = 0;
  std::vector<std::vector<int64_t>> ids_by_writer;  // in the order each writer got them
};

class FakeWriter : public SinkWriter {
 public:
  FakeWriter(FakeSink& sink, size_t index) : sink_(sink), index_(index) {}
  Status WriteAndTake(std::unique_ptr<Batch>& batch, RejectSink& rejects) override {
    Status st = Write(*batch, rejects);
    if (sink_.take) taken_.push_back(std::move(batch));
    return st;
  }
  Status Write(const Batch& batch, RejectSink& rejects) override {
    last_rejects_ = &rejects;
    if (sink_.delay_per_batch.count() > 0) std::this_thread::sleep_for(sink_.delay_per_batch);
    std::lock_guard lock(sink_.mu);
    if (batch.num_rows() == 0) ++sink_.empty_batches;
    for (size_t i = 0; i < batch.num_rows(); ++i) {
      sink_.ids.insert(batch.columns[0].GetInt(i));
      sink_.ids_by_writer[index_].push_back(batch.columns[0].GetInt(i));
    }
    if (sink_.fail_after_rows >= 0 &&
        static_cast<int64_t>(sink_.ids.size()) > sink_.fail_after_rows) {
      return Status::IoError("target full");
    }
    return Status::OK();
  }
  // Like PostgreSQL's writer: rows of earlier batches are refused later, at the end of a chunk,
  // through the RejectSink the batches came with.
  Status Finish() override {
    for (int64_t i = 0; last_rejects_ != nullptr && i < sink_.refuse_at_finish; ++i) {
      SLUICE_RETURN_IF_ERROR(last_rejects_->Reject(Schema(), Batch(), 0, "target", "late"));
      sink_.refused_late.fetch_add(1);
    }
    return Status::OK();
  }

 private:
  FakeSink& sink_;
  size_t index_;
  RejectSink* last_rejects_ = nullptr;
  std::vector<std::unique_ptr<Batch>> taken_;
};

Result<std::unique_ptr<SinkWriter>> FakeSink::OpenWriter() {
  std::lock_guard lock(mu);
  ids_by_writer.emplace_back();
  return std::unique_ptr<SinkWriter>(std::make_unique<FakeWriter>(*this, ids_by_writer.size() - 1));
}

class CountingRejects : public RejectSink {
 public:
  Status Reject(const Schema&, const Batch&, size_t, std::string_view, std::string_view) override {
    count.fetch_add(1);
    return Status::OK();
  }
  std::atomic<int64_t> count{0};
};

struct Harness {
  FakeSource source{10, 1000};
  FakeSink sink;
  CountingRejects rejects;
  RunMetrics metrics;
  std::atomic<bool> cancelled{false};
  std::vector<std::unique_ptr<Transform>> transforms;

  Status Run(PipelineOptions options) {
    auto splits = source.PlanSplits();
    Pipeline p(source, *splits, transforms, sink, rejects, metrics, cancelled, options);
    return p.Run();
  }
};

TEST(PipelineTest, EveryRowArrivesExactlyOnceWithParallelReadersAndWriters) {
  Harness h;
  h.sink.writers = 3;
  ASSERT_TRUE(h.Run({4, 2, {}}).ok());
  ASSERT_EQ(h.sink.ids.size(), 10000u);
  int64_t expected = 0;
  for (int64_t id : h.sink.ids) EXPECT_EQ(id, expected++);  // no gap, no duplicate
  EXPECT_EQ(h.metrics.rows_read.load(), 10000);
  EXPECT_EQ(h.metrics.rows_written.load(), 10000);
  EXPECT_EQ(h.metrics.splits_done.load(), 10);
  EXPECT_EQ(h.metrics.reader_threads, 4);
  EXPECT_EQ(h.metrics.writer_threads, 3);
}

// read = written + rejected + filtered, with rows refused by the source (read and rejected)
// and by the target after their batch was handed over (rejected, not written).
TEST(PipelineTest, EveryRowReadIsWrittenRejectedOrFiltered) {
  Harness h;
  h.source.refuse_every = 7;  // 1,429 of the 10,000 ids
  h.sink.writers = 2;
  h.sink.refuse_at_finish = 5;  // per writer
  ASSERT_TRUE(h.Run({3, 2, {}}).ok());
  const int64_t refused_by_source = 1429;
  EXPECT_EQ(h.metrics.rows_read.load(), 10000);
  const int64_t refused_by_target = h.sink.refused_late.load();
  EXPECT_GT(refused_by_target, 0);
  EXPECT_EQ(h.metrics.rows_rejected.load(), refused_by_source + refused_by_target);
  EXPECT_EQ(h.metrics.rows_written.load(), 10000 - refused_by_source - refused_by_target);
  EXPECT_EQ(h.metrics.rows_filtered.load(), 0);
  EXPECT_EQ(h.rejects.count.load(), h.metrics.rows_rejected.load());
}

TEST(PipelineTest, ReaderErrorStopsTheRunAndNamesTheSplit) {
  Harness h;
  h.source.fail_split = 3;
  Status st = h.Run({2, 2, {}});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("disk on fire"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("part 3"), std::string::npos) << st.message();
}

TEST(PipelineTest, WriterErrorStopsTheReaders) {
  Harness h;
  h.sink.fail_after_rows = 500;
  Status st = h.Run({2, 1, {}});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("target full"), std::string::npos);
  // Backpressure: readers cannot have run far ahead of the failed writer.
  EXPECT_LT(h.metrics.rows_read.load(), 10000);
}

TEST(PipelineTest, SlowWriterMakesReadersWait) {
  Harness h;
  h.sink.delay_per_batch = std::chrono::milliseconds(2);
  ASSERT_TRUE(h.Run({2, 1, {}}).ok());
  EXPECT_EQ(h.sink.ids.size(), 10000u);
  EXPECT_GT(h.metrics.reader_wait_ns.load(), h.metrics.writer_wait_ns.load());
}

TEST(PipelineTest, CancellationIsReported) {
  Harness h;
  h.cancelled = true;
  Status st = h.Run({2, 2, {}});
  EXPECT_EQ(st.code(), StatusCode::kCancelled);
}

TEST(PipelineTest, RateLimitHoldsReadersBack) {
  Harness h;  // 10,000 rows at 20,000 rows/s: at least ~0.4 s after the first second's burst
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(h.Run({2, 2, {20000, 0}}).ok());
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(h.sink.ids.size(), 10000u);
  EXPECT_GE(seconds, 0.0) << "sanity";
  EXPECT_GT(h.metrics.throttle_wait_ns.load(), 0);
}

// An idle source returns empty batches: they reach no writer and count nothing.
TEST(PipelineTest, EmptyBatchesAreSkipped) {
  Harness h;
  h.source.idle = true;
  ASSERT_TRUE(h.Run({2, 2, {}}).ok());
  EXPECT_EQ(h.sink.ids.size(), 10000u);
  EXPECT_EQ(h.sink.empty_batches, 0);
  EXPECT_EQ(h.metrics.rows_read.load(), 10000);
  EXPECT_EQ(h.metrics.bytes_read.load(), 10000 * 9);  // validity byte + int64 per row
  EXPECT_EQ(h.metrics.rows_filtered.load(), 0);
}

// With a key and several writers, each key stays on one writer, in the order read.
TEST(PipelineTest, RowsAreRoutedToWritersByKey) {
  Harness h;
  h.sink.writers = 3;
  PipelineOptions options{1, 2, {}};
  options.writers = 3;
  options.route_key_columns = {0};
  ASSERT_TRUE(h.Run(options).ok());
  EXPECT_EQ(h.metrics.writer_threads, 3);
  ASSERT_EQ(h.sink.ids.size(), 10000u);
  int64_t expected = 0;
  for (int64_t id : h.sink.ids) EXPECT_EQ(id, expected++);  // every row once
  ASSERT_EQ(h.sink.ids_by_writer.size(), 3u);
  // One reader reads the splits one after another: each writer's ids keep that order within
  // every split, and a writer holds only the keys routed to it.
  KeyRouter router({0}, 3);
  for (size_t w = 0; w < 3; ++w) {
    const std::vector<int64_t>& ids = h.sink.ids_by_writer[w];
    EXPECT_GT(ids.size(), 2000u);
    Batch one;
    one.columns.emplace_back(DataType::Of(TypeId::kInt64));
    std::vector<uint32_t> targets;
    for (size_t i = 0; i < ids.size(); ++i) {
      if (i > 0 && ids[i] / 1000 == ids[i - 1] / 1000) {
        EXPECT_LT(ids[i - 1], ids[i]);
      }
      one.Clear();
      one.columns[0].AppendInt(ids[i]);
      router.Route(one, targets);
      EXPECT_EQ(targets[0], w);
    }
  }
}

// A writer that takes its batches (PostgreSQL keeps them for a re-send): counts stay right.
TEST(PipelineTest, WritersMayTakeTheirBatches) {
  Harness h;
  h.sink.take = true;
  ASSERT_TRUE(h.Run({2, 2, {}}).ok());
  EXPECT_EQ(h.sink.ids.size(), 10000u);
  EXPECT_EQ(h.metrics.rows_written.load(), 10000);
  EXPECT_EQ(h.metrics.bytes_written.load(), 10000 * 9);
}

TEST(BoundedQueueTest, CloseDrainsThenEnds) {
  BoundedQueue<int> q(2);
  int64_t waited = 0;
  EXPECT_TRUE(q.Push(1, &waited));
  EXPECT_TRUE(q.Push(2, &waited));
  EXPECT_FALSE(q.TryPush(3));  // full
  q.Close();
  EXPECT_FALSE(q.Push(4, &waited));
  EXPECT_EQ(q.Pop(&waited).value_or(-1), 1);
  EXPECT_EQ(q.Pop(&waited).value_or(-1), 2);
  EXPECT_FALSE(q.Pop(&waited).has_value());
}

TEST(RateLimiterTest, DisabledNeverWaits) {
  RateLimiter limiter(0, 0);
  std::atomic<bool> stop{false};
  EXPECT_FALSE(limiter.enabled());
  EXPECT_EQ(limiter.Acquire(1'000'000, 1'000'000'000, stop), 0);
}

TEST(RateLimiterTest, ByteLimitWaitsForTheDebt) {
  RateLimiter limiter(0, 1000);
  std::atomic<bool> stop{false};
  limiter.Acquire(0, 1000, stop);  // uses the first second's burst
  limiter.Acquire(0, 200, stop);   // bucket at zero: must wait for refill
  int64_t waited = limiter.Acquire(0, 1, stop);
  EXPECT_GT(waited, 100'000'000);  // > 0.1 s: the 200-byte debt takes 0.2 s to repay
}

TEST(RejectCollectorTest, KeepsRowsAndFailsPastTheLimit) {
  auto path = std::filesystem::temp_directory_path() / "sluice_rejects_test" / "dirty.jsonl";
  std::filesystem::remove_all(path.parent_path());
  Schema schema;
  schema.fields.push_back({"id", DataType::Of(TypeId::kInt64)});
  schema.fields.push_back({"name", DataType::Of(TypeId::kString)});
  Batch batch(schema);
  batch.columns[0].AppendInt(7);
  batch.columns[1].AppendBytes("caf\xC3\xA9");
  batch.columns[0].AppendInt(8);
  batch.columns[1].AppendNull();
  RejectCollector rejects(1, path.string());
  EXPECT_TRUE(rejects.Reject(schema, batch, 0, "target", "duplicate key").ok());
  Status st = rejects.Reject(schema, batch, 1, "transforms[0] (filter)", "bad cast");
  EXPECT_EQ(st.code(), StatusCode::kLimitExceeded);
  EXPECT_NE(st.message().find("2 row(s) rejected"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("first: target: duplicate key"), std::string::npos);
  ASSERT_TRUE(rejects.Close().ok());
  std::ifstream in(path);
  std::string line1, line2;
  std::getline(in, line1);
  std::getline(in, line2);
  EXPECT_EQ(line1,
            R"j({"stage":"target","reason":"duplicate key","row":{"id":"7","name":"café"}})j");
  EXPECT_EQ(
      line2,
      R"j({"stage":"transforms[0] (filter)","reason":"bad cast","row":{"id":"8","name":null}})j");
  std::filesystem::remove_all(path.parent_path());
}

// settings.error_limit.window: a job that never ends fails only when more than `rows` rejects
// fall within one window, however many it collects over its life.
TEST(RejectCollectorTest, WindowCountsOnlyRecentRejects) {
  Schema schema;
  schema.fields.push_back({"id", DataType::Of(TypeId::kInt64)});
  Batch batch(schema);
  batch.columns[0].AppendInt(1);
  RejectCollector rejects(2, "", /*window_ms=*/60'000);
  int64_t now = 0;
  rejects.SetClockForTesting([&] { return now; });
  for (int i = 0; i < 10; ++i) {  // one every 30 s: at most 2 within any minute
    EXPECT_TRUE(rejects.Reject(schema, batch, 0, "target", "bad").ok()) << i;
    now += 30'000;
  }
  EXPECT_EQ(rejects.count(), 10);
  now = 1'000'000;  // a quiet spell: the window is empty again
  EXPECT_TRUE(rejects.Reject(schema, batch, 0, "target", "bad").ok());
  EXPECT_TRUE(rejects.Reject(schema, batch, 0, "target", "bad").ok());
  Status st = rejects.Reject(schema, batch, 0, "target", "bad");  // 3 within the minute
  EXPECT_EQ(st.code(), StatusCode::kLimitExceeded);
  EXPECT_NE(st.message().find("3 row(s) rejected within 60000 ms"), std::string::npos)
      << st.message();
}

}  // namespace
}  // namespace sluice
