// Test helpers for the file connectors: temp directories, a recording RejectSink, and running
// a Source or Sink end to end the way the engine does. Header-only; used by *_test.cc only.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/options.h"
#include "core/reject_sink.h"
#include "core/sink.h"
#include "core/source.h"
#include "core/value_text.h"

namespace sluice::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sluice-test-XXXXXX").string();
    char* made = ::mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline void WriteFile(const std::string& path, const std::string& content) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Options as the job loader would pass them: every value a scalar string.
inline Options MakeOptions(const std::map<std::string, std::string>& values,
                           const std::vector<std::pair<std::string, std::string>>& schema = {}) {
  Options options;
  for (const auto& [k, v] : values) options.SetString(k, v);
  if (!schema.empty()) {
    OptionValue map;
    map.kind = OptionKind::kStringMap;
    map.map = schema;
    options.Set("schema", map);
  }
  return options;
}

class RecordingRejectSink : public RejectSink {
 public:
  explicit RecordingRejectSink(int limit = 1000) : limit_(limit) {}
  Status Reject(const Schema& schema, const Batch& batch, size_t row, std::string_view stage,
                std::string_view reason) override {
    std::lock_guard lock(mu_);
    std::string values;
    for (size_t c = 0; c < schema.size(); ++c) {
      if (c > 0) values += "|";
      if (batch.columns[c].IsNull(row)) {
        values += "NULL";
      } else {
        FormatValue(batch.columns[c], row, values);
      }
    }
    reasons.emplace_back(reason);
    rows.push_back(values);
    stages.emplace_back(stage);
    if (static_cast<int>(reasons.size()) > limit_) {
      return Status(StatusCode::kLimitExceeded, "too many rejects");
    }
    return Status::OK();
  }
  std::vector<std::string> reasons;
  std::vector<std::string> rows;
  std::vector<std::string> stages;

 private:
  std::mutex mu_;
  int limit_;
};

// One row as "v1|v2|NULL" with canonical value text.
inline std::string RowText(const Batch& batch, size_t row) {
  std::string out;
  for (size_t c = 0; c < batch.columns.size(); ++c) {
    if (c > 0) out += "|";
    if (batch.columns[c].IsNull(row)) {
      out += "NULL";
    } else {
      FormatValue(batch.columns[c], row, out);
    }
  }
  return out;
}

// Opens `source` with `request` and reads every split in order, as the engine would.
inline Result<std::vector<std::string>> ReadAll(Source& source, RejectSink& rejects,
                                                ReadRequest request = {}) {
  SLUICE_RETURN_IF_ERROR(source.Open(request));
  SLUICE_ASSIGN_OR_RETURN(std::vector<Split> splits, source.PlanSplits());
  std::vector<std::string> rows;
  for (const Split& split : splits) {
    SLUICE_ASSIGN_OR_RETURN(auto reader, source.OpenSplit(split));
    bool more = true;
    while (more) {
      Batch batch(source.schema());
      SLUICE_ASSIGN_OR_RETURN(more, reader->Next(batch, rejects));
      for (size_t r = 0; r < batch.num_rows(); ++r) rows.push_back(RowText(batch, r));
    }
  }
  return rows;
}

// Runs Prepare, one writer over `batches`, Finish and Commit (or Abort when `commit` is false).
inline Result<std::string> WriteAll(Sink& sink, const WriteRequest& request,
                                    const std::vector<const Batch*>& batches, RejectSink& rejects,
                                    bool commit = true) {
  SLUICE_ASSIGN_OR_RETURN(std::string state, sink.Prepare(request));
  SLUICE_ASSIGN_OR_RETURN(auto writer, sink.OpenWriter());
  for (const Batch* b : batches) SLUICE_RETURN_IF_ERROR(writer->Write(*b, rejects));
  SLUICE_RETURN_IF_ERROR(writer->Finish());
  SLUICE_RETURN_IF_ERROR(commit ? sink.Commit() : sink.Abort());
  return state;
}

}  // namespace sluice::testing
