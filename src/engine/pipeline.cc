#include "engine/pipeline.h"

#include <algorithm>
#include <mutex>
#include <optional>
#include <thread>

#include "core/connection_cache.h"
#include "engine/bounded_queue.h"
#include "engine/key_router.h"
#include "engine/rate_limiter.h"

namespace sluice {

// State shared by the threads of one Run().
struct Pipeline::Shared {
  using Queue = BoundedQueue<std::unique_ptr<Batch>>;

  // `queues`: one shared by all writers, or one per writer when rows are routed by key.
  Shared(size_t queue_capacity, size_t queues, size_t writers, const RateLimitSpec& limits)
      : recycled(queue_capacity * queues + 4 * (writers + 1)),
        limiter(limits.rows_per_second, limits.bytes_per_second) {
    for (size_t i = 0; i < queues; ++i) queue.push_back(std::make_unique<Queue>(queue_capacity));
  }

  std::vector<std::unique_ptr<Queue>> queue;
  Queue recycled;  // empty batches going back to readers
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
    for (auto& q : queue) {
      q->Close();
      q->Discard();
    }
    recycled.Close();
  }

  void CloseQueues() {
    for (auto& q : queue) q->Close();
  }

  // A batch to fill: a recycled one (its vectors keep their capacity) or a new one.
  std::unique_ptr<Batch> TakeBatch() {
    if (auto reused = recycled.TryPop()) return std::move(*reused);
    return std::make_unique<Batch>();
  }
  void Recycle(std::unique_ptr<Batch> batch) {
    batch->Clear();
    (void)recycled.TryPush(std::move(batch));
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

// Remembers how large one reader's batches come out, to size new ones at once.
class BatchSizer {
 public:
  void Note(const Batch& batch) {
    rows_ = batch.num_rows();
    bytes_.resize(batch.columns.size());
    for (size_t i = 0; i < batch.columns.size(); ++i) bytes_[i] = batch.columns[i].data().size();
  }
  void Reserve(Batch& batch) const {
    if (rows_ == 0) return;
    for (size_t i = 0; i < batch.columns.size() && i < bytes_.size(); ++i) {
      batch.columns[i].Reserve(rows_, bytes_[i]);
    }
  }

 private:
  size_t rows_ = 0;
  std::vector<size_t> bytes_;
};

// Gives `out` the column types of `like` (for the outputs of a KeyRouter).
void ShapeLike(Batch& out, const Batch& like) {
  out.columns.resize(like.columns.size());
  for (size_t i = 0; i < like.columns.size(); ++i) out.columns[i].Reset(like.columns[i].type());
  out.row_kinds.clear();
  out.position.clear();
  out.row_count_without_columns = 0;
}

}  // namespace

Status Pipeline::Run() {
  const int readers = std::max(
      1,
      std::min<int>(options_.parallelism, static_cast<int>(std::max<size_t>(1, splits_.size()))));
  const int wanted = options_.writers > 0 ? options_.writers : options_.parallelism;
  const int writers = std::max(1, std::min(wanted, sink_.MaxWriters()));
  const bool routed = writers > 1 && !options_.route_key_columns.empty();
  metrics_.splits_total = static_cast<int64_t>(splits_.size());
  metrics_.reader_threads = readers;
  metrics_.writer_threads = writers;
  Shared shared(static_cast<size_t>(std::max<int64_t>(1, options_.queue_batches)),
                routed ? static_cast<size_t>(writers) : 1, static_cast<size_t>(writers),
                options_.rate_limit);
  const Schema& source_schema = source_.schema();

  auto should_stop = [&] {
    if (cancelled_.load(std::memory_order_relaxed) && !shared.stop.load()) {
      shared.Fail(Status(StatusCode::kCancelled, "stopped by a signal; nothing was committed"));
    }
    return shared.stop.load(std::memory_order_relaxed);
  };

  // Queues a batch for the writers: whole, or split by key into one batch per writer.
  auto push = [&](std::unique_ptr<Batch> batch, KeyRouter* router, int64_t& waited) -> bool {
    if (router == nullptr) return shared.queue[0]->Push(std::move(batch), &waited);
    std::vector<std::unique_ptr<Batch>> outs;
    std::vector<Batch*> targets;
    for (int i = 0; i < router->ways(); ++i) {
      outs.push_back(shared.TakeBatch());
      ShapeLike(*outs.back(), *batch);
      targets.push_back(outs.back().get());
    }
    router->Split(*batch, targets);
    shared.Recycle(std::move(batch));
    for (size_t i = 0; i < outs.size(); ++i) {
      if (outs[i]->num_rows() == 0) {
        shared.Recycle(std::move(outs[i]));
      } else if (!shared.queue[i]->Push(std::move(outs[i]), &waited)) {
        return false;
      }
    }
    return true;
  };

  // Rows are counted as read, rejected and filtered before an error is returned, so that a
  // failed run's numbers still add up (the rejected rows are in the dirty-records file).
  auto read_split = [&](const Split& split, CountingRejects& rejects, KeyRouter* router) -> Status {
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<SplitReader> reader, source_.OpenSplit(split));
    bool more = true;
    std::unique_ptr<Batch> batch;  // kept across an empty round, recycled at the end
    BatchSizer sizer;
    while (more && !should_stop()) {
      bool fresh = false;
      if (!batch) {
        batch = shared.TakeBatch();
        fresh = batch->columns.empty();  // not recycled: a writer kept the last one
      }
      Reshape(*batch, source_schema);
      // Sized like the previous batch, so a writer that takes its batches (WriteAndTake)
      // costs one allocation per column, not a growth sequence of copies.
      if (fresh) sizer.Reserve(*batch);
      batch->split_index = split.index;
      // A row the source refuses was read all the same: it is read and rejected.
      const int64_t rejected_before = rejects.count();
      Result<bool> next = reader->Next(*batch, rejects);
      const int64_t refused = rejects.count() - rejected_before;
      const int64_t rows = static_cast<int64_t>(batch->num_rows());
      if (!next && rows + refused == 0) return next.error();
      if (next) more = *next;
      // An idle source's empty batch: nothing to count or write; go on (or stop).
      if (next && rows + refused == 0) continue;
      const int64_t bytes = static_cast<int64_t>(batch->ByteSize());
      metrics_.rows_read.fetch_add(rows + refused, std::memory_order_relaxed);
      metrics_.rows_rejected.fetch_add(refused, std::memory_order_relaxed);
      metrics_.bytes_read.fetch_add(bytes, std::memory_order_relaxed);
      if (!next) return next.error();
      sizer.Note(*batch);
      SLUICE_RETURN_IF_ERROR(CheckOffsets(*batch, source_schema));
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
      if (batch->num_rows() == 0) continue;  // all filtered out: the batch is reused
      if (!transforms_.empty())
        SLUICE_RETURN_IF_ERROR(CheckOffsets(*batch, options_.output_schema));
      metrics_.throttle_wait_ns.fetch_add(shared.limiter.Acquire(rows, bytes, shared.stop),
                                          std::memory_order_relaxed);
      int64_t waited = 0;
      bool pushed = push(std::move(batch), router, waited);
      metrics_.reader_wait_ns.fetch_add(waited, std::memory_order_relaxed);
      if (!pushed) break;  // the pipeline is stopping
    }
    if (batch) shared.Recycle(std::move(batch));
    metrics_.splits_done.fetch_add(1, std::memory_order_relaxed);
    return Status::OK();
  };

  // Threads work for the job of the thread that runs the pipeline: its connection cache.
  ConnectionCache* const cache = ConnectionCache::Current();
  auto reader_loop = [&] {
    ConnectionCacheBinding bind(cache);
    CountingRejects rejects(rejects_);
    std::optional<KeyRouter> router;
    if (routed) router.emplace(options_.route_key_columns, writers);
    while (!should_stop()) {
      size_t i = shared.next_split.fetch_add(1);
      if (i >= splits_.size()) return;
      Status st = read_split(splits_[i], rejects, router ? &*router : nullptr);
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
  auto writer_loop = [&](SinkWriter* writer, Shared::Queue* queue) {
    ConnectionCacheBinding bind(cache);
    CountingRejects rejects(rejects_);
    auto count_refused = [&](int64_t before) {
      const int64_t refused = rejects.count() - before;
      metrics_.rows_rejected.fetch_add(refused, std::memory_order_relaxed);
      return refused;
    };
    int64_t waited = 0;
    while (true) {
      std::optional<std::unique_ptr<Batch>> batch = queue->Pop(&waited);
      if (!batch) break;
      // Counted before writing: the writer may take the batch (WriteAndTake).
      const int64_t rows = static_cast<int64_t>((*batch)->num_rows());
      const int64_t bytes = static_cast<int64_t>((*batch)->ByteSize());
      const int64_t before = rejects.count();
      Status st = writer->WriteAndTake(*batch, rejects);
      const int64_t refused = count_refused(before);
      if (!st.ok()) {
        shared.Fail(st.code() == StatusCode::kLimitExceeded
                        ? st
                        : st.WithContext(fmt::format("writing {}", sink_.Describe())));
        break;
      }
      metrics_.rows_written.fetch_add(rows - refused, std::memory_order_relaxed);
      metrics_.bytes_written.fetch_add(bytes, std::memory_order_relaxed);
      if (*batch) shared.Recycle(std::move(*batch));
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
  for (size_t i = 0; i < sink_writers.size(); ++i) {
    writer_threads.emplace_back(writer_loop, sink_writers[i].get(),
                                shared.queue[routed ? i : 0].get());
  }
  std::vector<std::thread> reader_threads;
  for (int i = 0; i < readers; ++i) reader_threads.emplace_back(reader_loop);
  for (auto& t : reader_threads) t.join();
  shared.CloseQueues();  // writers drain what is left, then finish
  for (auto& t : writer_threads) t.join();

  if (cancelled_.load() && shared.first_error.ok()) {
    return Status(StatusCode::kCancelled, "stopped by a signal; nothing was committed");
  }
  return shared.first_error;
}

}  // namespace sluice
