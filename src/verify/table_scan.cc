#include "verify/table_scan.h"

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "core/connection_cache.h"

namespace sluice::verify {

Status CountingRejects::Reject(const Schema&, const Batch&, size_t, std::string_view stage,
                               std::string_view reason) {
  if (count_.fetch_add(1) == 0) {
    std::lock_guard lock(mu_);
    first_reason_ = fmt::format("{}: {}", stage, reason);
  }
  return Status::OK();
}

void CountingRejects::NoteSubstituted(std::string_view rule, int64_t count,
                                      std::string_view example) {
  std::lock_guard lock(mu_);
  for (Substitution& s : substitutions_) {
    if (s.rule == rule) {
      s.values += count;
      return;
    }
  }
  substitutions_.push_back(Substitution{std::string(rule), count, std::string(example)});
}

std::vector<Substitution> CountingRejects::substitutions() const {
  std::lock_guard lock(mu_);
  return substitutions_;
}

std::string CountingRejects::first_reason() const {
  std::lock_guard lock(mu_);
  return first_reason_;
}

Status ScanSource(Source& source, std::vector<Split> splits,
                  const std::vector<std::unique_ptr<Transform>>& transforms, RejectSink& rejects,
                  const std::vector<BatchConsumer*>& consumers) {
  std::stable_sort(splits.begin(), splits.end(), [](const Split& a, const Split& b) {
    return a.estimated_rows.value_or(0) > b.estimated_rows.value_or(0);
  });
  const Schema& schema = source.schema();
  std::atomic<size_t> next_split{0};
  std::atomic<bool> stop{false};
  std::mutex error_mu;
  Status first_error;

  auto read_split = [&](const Split& split, Batch& batch, BatchConsumer& consumer) -> Status {
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<SplitReader> reader, source.OpenSplit(split));
    bool more = true;
    while (more && !stop.load(std::memory_order_relaxed)) {
      // The batch keeps its vectors' capacity from one read to the next.
      batch.columns.resize(schema.size());
      for (size_t i = 0; i < schema.size(); ++i) batch.columns[i].Reset(schema.fields[i].type);
      batch.row_kinds.clear();
      batch.row_count_without_columns = 0;
      batch.split_index = split.index;
      SLUICE_ASSIGN_OR_RETURN(more, reader->Next(batch, rejects));
      for (const auto& transform : transforms) {
        if (batch.num_rows() == 0) break;
        SLUICE_RETURN_IF_ERROR(transform->Apply(batch, rejects));
      }
      if (batch.num_rows() > 0) SLUICE_RETURN_IF_ERROR(consumer.Consume(batch));
    }
    return Status::OK();
  };

  auto worker = [&](BatchConsumer* consumer) {
    Batch batch;
    while (!stop.load()) {
      const size_t i = next_split.fetch_add(1);
      if (i >= splits.size()) return;
      Status st = read_split(splits[i], batch, *consumer);
      if (!st.ok()) {
        std::lock_guard lock(error_mu);
        if (first_error.ok()) {
          first_error = st.WithContext(
              fmt::format("reading {} ({})", source.Describe(), splits[i].description));
        }
        stop.store(true);
        return;
      }
    }
  };

  const size_t threads = std::max<size_t>(1, std::min(consumers.size(), splits.size()));
  std::vector<std::thread> pool;
  ConnectionCache* const cache = ConnectionCache::Current();  // the verify's, for every thread
  for (size_t t = 1; t < threads; ++t) {
    pool.emplace_back([&worker, cache, consumer = consumers[t]] {
      ConnectionCacheBinding bind(cache);
      worker(consumer);
    });
  }
  worker(consumers[0]);  // the calling thread reads too
  for (std::thread& t : pool) t.join();
  return first_error;
}

}  // namespace sluice::verify
