#include "engine/pipeline.h"

#include <algorithm>
#include <mutex>
#include <thread>

#include "engine/bounded_queue.h"
#include "engine/rate_limiter.h"

namespace sluice {

// State shared by the threads of one Run().
struct Pipeline::Shared {
  Shared(size_t queue_capacity, const RateLimitSpec& limits)
      : queue(queue_capacity),
        recycled(queue_capacity + 4),
        limiter(limits.rows_per_second, limits.bytes_per_second) {}

  BoundedQueue<std::unique_ptr<Batch>> queue;
  BoundedQueue<std::unique_ptr<Batch>> recycled;  // empty batches going back to readers
  RateLimiter limiter;
  std::atomic<size_t> next_split{0};
  std::atomic<bool> stop{false};
  std::mutex error_mu;
  Status first_error;

  void Fail(Status status) {
    {
      std::lock_guard lock(error_mu);
      if (first_error.ok()) first_error = std::move(status);
    }
    stop.store(true);
    queue.Close();
    queue.Discard();
    recycled.Close();
  }
};

Pipeline::Pipeline(Source& source, std::vector<Split> splits,
                   const std::vector<std::unique_ptr<Transform>>& transforms, Sink& sink,
                   RejectSink& rejects, RunMetrics& metrics, const std::atomic<bool>& cancelled,
                   PipelineOptions options)
    : source_(source),
      splits_(std::move(splits)),
      transforms_(transforms),
      sink_(sink),
      rejects_(rejects),
      metrics_(metrics),
      cancelled_(cancelled),
      options_(options) {
  // Largest first, so the job ends when the work ends rather than with one straggler.
  std::stable_sort(splits_.begin(), splits_.end(), [](const Split& a, const Split& b) {
    return a.estimated_rows.value_or(0) > b.estimated_rows.value_or(0);
  });
}

namespace {

// Counts the rows one thread reports to the job's RejectSink, so that each stage can tell how
// many of the rows it handled it rejected. One per thread (not thread-safe); it forwards
// every row to the shared sink, which keeps them and enforces the error limit.
class CountingRejects final : public RejectSink {
 public:
  explicit CountingRejects(RejectSink& inner) : inner_(inner) {}
  Status Reject(const Schema& schema, const Batch& batch, size_t row, std::string_view stage,
                std::string_view reason) override {
    ++count_;
    return inner_.Reject(schema, batch, row, stage, reason);
  }
  int64_t count() const { return count_; }

 private:
  RejectSink& inner_;
  int64_t count_ = 0;
};

// Gives a recycled batch the source's shape again; its vectors keep their capacity.
void Reshape(Batch& batch, const Schema& schema) {
  batch.columns.resize(schema.size());
  for (size_t i = 0; i < schema.size(); ++i) batch.columns[i].Reset(schema.fields[i].type);
  batch.row_kinds.clear();
  batch.position.clear();
  batch.row_count_without_columns = 0;
}

}  // namespace

Status Pipeline::Run() {
  const int readers = std::max(
      1,
      std::min<int>(options_.parallelism, static_cast<int>(std::max<size_t>(1, splits_.size()))));
  const int writers = std::max(1, std::min(options_.parallelism, sink_.MaxWriters()));
  metrics_.splits_total = static_cast<int64_t>(splits_.size());
  metrics_.reader_threads = readers;
  metrics_.writer_threads = writers;
  Shared shared(static_cast<size_t>(std::max<int64_t>(1, options_.queue_batches)),
                options_.rate_limit);
  const Schema& source_schema = source_.schema();

  auto should_stop = [&] {
    if (cancelled_.load(std::memory_order_relaxed) && !shared.stop.load()) {
      shared.Fail(Status(StatusCode::kCancelled, "stopped by a signal; nothing was committed"));
    }
    return shared.stop.load(std::memory_order_relaxed);
  };

  // Rows are counted as read, rejected and filtered before an error is returned, so that a
  // failed run's numbers still add up (the rejected rows are in the dirty-records file).
  auto read_split = [&](const Split& split, CountingRejects& rejects) -> Status {
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<SplitReader> reader, source_.OpenSplit(split));
    bool more = true;
    while (more && !should_stop()) {
      std::unique_ptr<Batch> batch;
      if (auto reused = shared.recycled.TryPop()) {
        batch = std::move(*reused);
      } else {
        batch = std::make_unique<Batch>();
      }
      Reshape(*batch, source_schema);
      batch->split_index = split.index;
      // A row the source refuses was read all the same: it is read and rejected.
      const int64_t rejected_before = rejects.count();
      Result<bool> next = reader->Next(*batch, rejects);
      const int64_t refused = rejects.count() - rejected_before;
      const int64_t rows = static_cast<int64_t>(batch->num_rows());
      const int64_t bytes = static_cast<int64_t>(batch->ByteSize());
      metrics_.rows_read.fetch_add(rows + refused, std::memory_order_relaxed);
      metrics_.rows_rejected.fetch_add(refused, std::memory_order_relaxed);
      metrics_.bytes_read.fetch_add(bytes, std::memory_order_relaxed);
      if (!next) return next.error();
      more = *next;
      Status transformed;
      const int64_t transform_rejected_before = rejects.count();
      for (const auto& transform : transforms_) {
        if (batch->num_rows() == 0 || !transformed.ok()) break;
        transformed = transform->Apply(*batch, rejects);
      }
      const int64_t rejected = rejects.count() - transform_rejected_before;
      metrics_.rows_rejected.fetch_add(rejected, std::memory_order_relaxed);
      if (!transformed.ok()) return transformed;
      metrics_.rows_filtered.fetch_add(rows - static_cast<int64_t>(batch->num_rows()) - rejected,
                                       std::memory_order_relaxed);
      if (batch->num_rows() == 0) continue;
      metrics_.throttle_wait_ns.fetch_add(shared.limiter.Acquire(rows, bytes, shared.stop),
                                          std::memory_order_relaxed);
      int64_t waited = 0;
      bool pushed = shared.queue.Push(std::move(batch), &waited);
      metrics_.reader_wait_ns.fetch_add(waited, std::memory_order_relaxed);
      if (!pushed) break;  // the pipeline is stopping
    }
    metrics_.splits_done.fetch_add(1, std::memory_order_relaxed);
    return Status::OK();
  };

  auto reader_loop = [&] {
    CountingRejects rejects(rejects_);
    while (!should_stop()) {
      size_t i = shared.next_split.fetch_add(1);
      if (i >= splits_.size()) return;
      Status st = read_split(splits_[i], rejects);
      if (!st.ok()) {
        // The error limit belongs to the job, not to the split that happened to pass it.
        shared.Fail(st.code() == StatusCode::kLimitExceeded
                        ? st
                        : st.WithContext(fmt::format("reading {} ({})", source_.Describe(),
                                                     splits_[i].description)));
        return;
      }
    }
  };

  // A row the target refuses is rejected, not written. A writer may refuse rows of earlier
  // batches later (PostgreSQL checks a chunk of batches at once, the last one in Finish), so
  // its counter lives as long as the writer and what it counts is taken off rows_written: the
  // sum is exact once the writer has finished.
  auto writer_loop = [&](SinkWriter* writer) {
    CountingRejects rejects(rejects_);
    auto count_refused = [&](int64_t before) {
      const int64_t refused = rejects.count() - before;
      metrics_.rows_rejected.fetch_add(refused, std::memory_order_relaxed);
      return refused;
    };
    int64_t waited = 0;
    while (true) {
      std::optional<std::unique_ptr<Batch>> batch = shared.queue.Pop(&waited);
      if (!batch) break;
      const int64_t before = rejects.count();
      Status st = writer->Write(**batch, rejects);
      const int64_t refused = count_refused(before);
      if (!st.ok()) {
        shared.Fail(st.code() == StatusCode::kLimitExceeded
                        ? st
                        : st.WithContext(fmt::format("writing {}", sink_.Describe())));
        break;
      }
      metrics_.rows_written.fetch_add(static_cast<int64_t>((*batch)->num_rows()) - refused,
                                      std::memory_order_relaxed);
      metrics_.bytes_written.fetch_add(static_cast<int64_t>((*batch)->ByteSize()),
                                       std::memory_order_relaxed);
      (*batch)->Clear();
      (void)shared.recycled.TryPush(std::move(*batch));
    }
    metrics_.writer_wait_ns.fetch_add(waited, std::memory_order_relaxed);
    if (shared.stop.load()) return;
    const int64_t before = rejects.count();
    Status st = writer->Finish();
    const int64_t refused = count_refused(before);
    if (st.ok()) metrics_.rows_written.fetch_sub(refused, std::memory_order_relaxed);
    if (!st.ok()) {
      // As for Write: the error limit belongs to the job (PostgreSQL refuses rows here too).
      shared.Fail(st.code() == StatusCode::kLimitExceeded
                      ? st
                      : st.WithContext(fmt::format("writing {}", sink_.Describe())));
    }
  };

  std::vector<std::unique_ptr<SinkWriter>> sink_writers;
  for (int i = 0; i < writers; ++i) {
    SLUICE_ASSIGN_OR_RETURN(auto writer, sink_.OpenWriter());
    sink_writers.push_back(std::move(writer));
  }

  std::vector<std::thread> writer_threads;
  for (auto& w : sink_writers) writer_threads.emplace_back(writer_loop, w.get());
  std::vector<std::thread> reader_threads;
  for (int i = 0; i < readers; ++i) reader_threads.emplace_back(reader_loop);
  for (auto& t : reader_threads) t.join();
  shared.queue.Close();  // writers drain what is left, then finish
  for (auto& t : writer_threads) t.join();

  if (cancelled_.load() && shared.first_error.ok()) {
    return Status(StatusCode::kCancelled, "stopped by a signal; nothing was committed");
  }
  return shared.first_error;
}

}  // namespace sluice
