// Helpers of the BinlogStream tests: open a stream on a table of a TestDatabase, read it the
// way the stream runner does, and render its rows as "I|1|a" lines.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "connectors/mysql/binlog/binlog_test_util.h"
#include "connectors/mysql/binlog_stream/binlog_stream.h"
#include "connectors/mysql/mysql_test_util.h"
#include "core/value_text.h"

namespace sluice::mysql::binlog_stream::stream_testing {

using binlog::testing::KindLetter;
using mysql::testing::MakeOptions;
using mysql::testing::RecordingRejects;
using mysql::testing::TestDatabase;

// Makes and opens a stream on `table` of `db` with `options` (url and table are filled in).
inline std::unique_ptr<StreamSource> OpenStreamWith(TestDatabase& db, const std::string& table,
                                                    Options options, size_t batch_rows = 10000) {
  options.SetString("url", db.Url());
  options.SetString("table", db.name() + "." + table);
  ConnectorContext context;
  context.job_name = "binlog_stream_test_" + db.name();
  Result<std::unique_ptr<StreamSource>> made = BinlogStream::Make(options, context);
  EXPECT_TRUE(made.has_value()) << made.error().message();
  if (!made) return nullptr;
  ReadRequest request;
  request.batch_rows = batch_rows;
  Status st = (*made)->Open(request);
  EXPECT_TRUE(st.ok()) << st.message();
  return st.ok() ? std::move(*made) : nullptr;
}

// As OpenStreamWith, options given as scalars; startup: latest unless `extra` says otherwise.
inline std::unique_ptr<StreamSource> OpenStream(TestDatabase& db, const std::string& table,
                                                size_t batch_rows = 10000,
                                                std::map<std::string, std::string> extra = {}) {
  extra.emplace("startup", "latest");
  return OpenStreamWith(db, table, MakeOptions(extra), batch_rows);
}

struct Step {
  size_t rows_so_far = 0;
  std::string position;
};

struct ReadResult {
  std::vector<std::string> rows;  // "I|1|a"
  std::vector<Step> steps;        // after each Next
  size_t snapshot_rows = 0;       // rows of batches marked as the initial snapshot
  Status status;
};

// Next until it returns false (catch-up end) or fails; at most 60 s.
inline ReadResult ReadToEnd(StreamSource& stream) {
  ReadResult out;
  RecordingRejects rejects;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < give_up) {
    Batch batch(stream.schema());
    Result<bool> more = stream.Next(batch, rejects);
    if (!more) {
      out.status = more.error();
      return out;
    }
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      out.rows.push_back(binlog::testing::RowLine(batch, r));
    }
    const std::vector<StreamPosition> at = stream.Positions();
    out.steps.push_back(Step{out.rows.size(), at.empty() ? "" : at[0].position});
    out.snapshot_rows += batch.snapshot ? batch.num_rows() : 0;
    if (!*more) return out;
  }
  out.status = Status::Internal("catch-up did not end within 60 s");
  return out;
}

// The server's end now, as a stream started with catch_up and no position sees it.
inline std::string EndNow(TestDatabase& db, const std::string& table) {
  std::unique_ptr<StreamSource> s = OpenStream(db, table);
  if (!s) return "";
  Status st = s->Start({}, /*catch_up=*/true);
  EXPECT_TRUE(st.ok()) << st.message();
  return s->Positions().at(0).position;
}

inline std::vector<StreamPosition> At(const std::string& position) {
  return {StreamPosition{BinlogStream::kStreamName, position}};
}

}  // namespace sluice::mysql::binlog_stream::stream_testing
