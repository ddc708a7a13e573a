#include "engine/reject_collector.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/value_text.h"

namespace sluice {

RejectCollector::~RejectCollector() {
  if (file_) std::fclose(file_);
}

Status RejectCollector::Reject(const Schema& schema, const Batch& batch, size_t row,
                               std::string_view stage, std::string_view reason) {
  std::lock_guard lock(mu_);
  ++count_;
  if (first_reason_.empty()) first_reason_ = fmt::format("{}: {}", stage, reason);
  if (!path_.empty()) {
    if (!file_) {
      std::error_code ec;
      auto parent = std::filesystem::path(path_).parent_path();
      if (!parent.empty()) std::filesystem::create_directories(parent, ec);
      file_ = std::fopen(path_.c_str(), "a");
      if (!file_) {
        return Status::IoError("cannot open the dirty records file '{}': {}", path_,
                               std::strerror(errno));
      }
    }
    nlohmann::ordered_json record;
    record["stage"] = std::string(stage);
    record["reason"] = std::string(reason);
    nlohmann::ordered_json values = nlohmann::ordered_json::object();
    std::string text;
    for (size_t c = 0; c < batch.columns.size() && c < schema.fields.size(); ++c) {
      const Column& col = batch.columns[c];
      if (row >= col.size() || col.IsNull(row)) {
        values[schema.fields[c].name] = nullptr;
        continue;
      }
      text.clear();
      FormatValue(col, row, text);
      // Bytes may not be valid UTF-8; keep them readable and lossless as hex.
      if (col.id() == TypeId::kBytes) {
        static const char* kHex = "0123456789abcdef";
        std::string hex = "\\x";
        for (unsigned char ch : text) {
          hex += kHex[ch >> 4];
          hex += kHex[ch & 15];
        }
        text = std::move(hex);
      }
      values[schema.fields[c].name] = text;
    }
    record["row"] = std::move(values);
    line_ = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    line_ += '\n';
    if (std::fwrite(line_.data(), 1, line_.size(), file_) != line_.size()) {
      return Status::IoError("cannot write the dirty records file '{}': {}", path_,
                             std::strerror(errno));
    }
  }
  if (window_ms_ > 0 ? WindowPassed() : count_ > limit_) return LimitError();
  return Status::OK();
}

int64_t RejectCollector::NowMillis() const {
  if (now_ms_) return now_ms_();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool RejectCollector::WindowPassed() {
  const int64_t now = NowMillis();
  while (!window_.empty() && window_.front() <= now - window_ms_) window_.pop_front();
  window_.push_back(now);
  return static_cast<int64_t>(window_.size()) > limit_;
}

Status RejectCollector::LimitError() const {
  std::string kept = path_.empty() ? std::string("set settings.dirty_records to keep them")
                                   : fmt::format("rejected rows are in {}", path_);
  if (window_ms_ > 0) {
    return Status(StatusCode::kLimitExceeded,
                  fmt::format("error limit exceeded: {} row(s) rejected within {} ms "
                              "(settings.error_limit.window), settings.error_limit.rows is {}; "
                              "{} in the run; first: {}; {}",
                              window_.size(), window_ms_, limit_, count_, first_reason_, kept));
  }
  return Status(StatusCode::kLimitExceeded,
                fmt::format("error limit exceeded: {} row(s) rejected, settings.error_limit.rows "
                            "is {}; first: {}; {}",
                            count_, limit_, first_reason_, kept));
}

int64_t RejectCollector::count() const {
  std::lock_guard lock(mu_);
  return count_;
}

std::string RejectCollector::first_reason() const {
  std::lock_guard lock(mu_);
  return first_reason_;
}

Status RejectCollector::Close() {
  std::lock_guard lock(mu_);
  if (!file_) return Status::OK();
  bool ok = std::fflush(file_) == 0 && ::fsync(fileno(file_)) == 0;
  std::fclose(file_);
  file_ = nullptr;
  if (!ok) return Status::IoError("cannot flush the dirty records file '{}'", path_);
  return Status::OK();
}

}  // namespace sluice
