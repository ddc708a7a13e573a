// RejectCollector: the engine's RejectSink. Counts rejected ("dirty") rows, keeps them aside in
// a JSON-lines file with their reason, and stops the job once settings.error_limit.rows is
// passed. Thread-safe: readers, transform chains and writers report from their own threads.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>

#include "core/reject_sink.h"

namespace sluice {

class RejectCollector final : public RejectSink {
 public:
  // `path` empty: rejected rows are counted but not kept. The file is opened lazily, on the
  // first rejected row, so clean runs leave no empty file behind.
  RejectCollector(int64_t limit, std::string path) : limit_(limit), path_(std::move(path)) {}
  ~RejectCollector() override;

  Status Reject(const Schema& schema, const Batch& batch, size_t row, std::string_view stage,
                std::string_view reason) override;

  int64_t count() const;
  std::string first_reason() const;
  const std::string& path() const { return path_; }
  // Flushes and fsyncs the file so kept rows survive with the run's outcome.
  Status Close();

 private:
  Status LimitError() const;

  const int64_t limit_;
  const std::string path_;
  mutable std::mutex mu_;
  std::FILE* file_ = nullptr;
  int64_t count_ = 0;
  std::string first_reason_;
  std::string line_;  // reused to build each JSON line
};

}  // namespace sluice
