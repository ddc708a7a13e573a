// Helpers for the MySQL connector's integration tests: a throwaway database per test on the
// server started by scripts/test-servers.sh, options, and whole reads and writes through the
// Source/Sink interfaces the way the engine drives them.
#pragma once

#include <unistd.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "connectors/mysql/mysql_connection.h"
#include "connectors/mysql/mysql_connector.h"
#include "core/reject_sink.h"
#include "core/sink.h"
#include "core/source.h"
#include "core/value_text.h"
#include "testing/test_servers.h"

namespace sluice::mysql::testing {

// A database that exists for the life of the object, with an admin connection to it.
class TestDatabase {
 public:
  TestDatabase() {
    static std::atomic<int> counter{0};
    std::random_device rd;
    name_ = fmt::format("sluice_t{}_{}_{:x}", getpid(), counter++, rd() & 0xffff);
    const auto& servers = sluice::testing::GetTestServers();
    Result<MysqlUrl> base = ParseMysqlUrl(servers.mysql_url);
    EXPECT_TRUE(base.has_value());
    url_ = *base;
    MysqlUrl admin = url_;
    admin.database.clear();
    Result<Connection> conn = Connection::Open(admin);
    EXPECT_TRUE(conn.has_value()) << conn.error().message();
    conn_ = std::move(*conn);
    Exec("CREATE DATABASE " + QuoteIdent(name_) + " CHARACTER SET utf8mb4");
    Exec("USE " + QuoteIdent(name_));
    url_.database = name_;
  }
  ~TestDatabase() { (void)conn_.Exec("DROP DATABASE IF EXISTS " + QuoteIdent(name_)); }

  const std::string& name() const { return name_; }
  // mysql://sluice:...@127.0.0.1:port/<this database>
  std::string Url() const {
    return fmt::format("mysql://{}:{}@{}:{}/{}", url_.user, url_.password, url_.host, url_.port,
                       name_);
  }
  const MysqlUrl& url() const { return url_; }

  void Exec(const std::string& sql) {
    Status st = conn_.Exec(sql);
    ASSERT_TRUE(st.ok()) << sql << ": " << st.message();
  }
  // Rows as text, NULL as "NULL", fields joined by '|'.
  std::vector<std::string> Rows(const std::string& sql) {
    Result<std::vector<Row>> rows = conn_.Query(sql);
    EXPECT_TRUE(rows.has_value()) << sql << ": " << rows.error().message();
    std::vector<std::string> out;
    if (!rows) return out;
    for (const Row& r : *rows) {
      std::string line;
      for (size_t i = 0; i < r.size(); ++i) line += (i ? "|" : "") + r[i].value_or("NULL");
      out.push_back(line);
    }
    return out;
  }
  std::string Value(const std::string& sql) {
    std::vector<std::string> rows = Rows(sql);
    return rows.empty() ? "<no rows>" : rows.front();
  }
  Connection& conn() { return conn_; }

 private:
  std::string name_;
  MysqlUrl url_;
  Connection conn_;
};

inline OptionValue Scalar(std::string v, OptionKind kind = OptionKind::kString) {
  OptionValue o;
  o.kind = kind;
  o.scalar = std::move(v);
  return o;
}

inline Options MakeOptions(const std::map<std::string, std::string>& values) {
  std::map<std::string, OptionValue> map;
  for (const auto& [k, v] : values) map[k] = Scalar(v);
  return Options(std::move(map));
}

class RecordingRejects : public RejectSink {
 public:
  Status Reject(const Schema& schema, const Batch& batch, size_t row, std::string_view stage,
                std::string_view reason) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string values;
    for (size_t c = 0; c < schema.size(); ++c) {
      values += c ? "|" : "";
      if (batch.columns[c].IsNull(row)) {
        values += "NULL";
      } else {
        FormatValue(batch.columns[c], row, values);
      }
    }
    rows.push_back(values);
    reasons.push_back(std::string(stage) + ": " + std::string(reason));
    return Status::OK();
  }
  std::vector<std::string> rows;
  std::vector<std::string> reasons;

 private:
  std::mutex mu_;
};

inline std::unique_ptr<Source> MakeSource(const Options& options) {
  Result<std::unique_ptr<Source>> source = MakeMysqlConnectorInfo().make_source(options, {});
  EXPECT_TRUE(source.has_value()) << source.error().message();
  return source ? std::move(*source) : nullptr;
}

inline std::unique_ptr<Sink> MakeSink(const Options& options) {
  Result<std::unique_ptr<Sink>> sink = MakeMysqlConnectorInfo().make_sink(options, {});
  EXPECT_TRUE(sink.has_value()) << sink.error().message();
  return sink ? std::move(*sink) : nullptr;
}

// Canonical text of every row of `batch`, fields joined by '|', NULL as "NULL".
inline void AppendRows(const Batch& batch, std::vector<std::string>& out) {
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    std::string line;
    for (size_t c = 0; c < batch.num_columns(); ++c) {
      if (c) line += '|';
      if (batch.columns[c].IsNull(r)) {
        line += "NULL";
      } else {
        FormatValue(batch.columns[c], r, line);
      }
    }
    out.push_back(std::move(line));
  }
}

// Reads every split (in plan order) and returns the rows as text.
inline Result<std::vector<std::string>> ReadAllRows(Source& source, RejectSink& rejects,
                                                    std::vector<Split>* splits_out = nullptr) {
  SLUICE_ASSIGN_OR_RETURN(std::vector<Split> splits, source.PlanSplits());
  std::vector<std::string> rows;
  for (const Split& split : splits) {
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<SplitReader> reader, source.OpenSplit(split));
    Batch batch(source.schema());
    while (true) {
      batch.Clear();
      SLUICE_ASSIGN_OR_RETURN(bool more, reader->Next(batch, rejects));
      AppendRows(batch, rows);
      if (!more) break;
    }
  }
  if (splits_out) *splits_out = std::move(splits);
  return rows;
}

// The engine's protocol in one thread: Prepare, one writer, the batches, Commit (or Abort).
inline Status WriteAll(Sink& sink, const WriteRequest& request,
                       const std::vector<const Batch*>& batches, RejectSink& rejects) {
  Result<std::string> prepared = sink.Prepare(request);
  if (!prepared) return prepared.error();
  Result<std::unique_ptr<SinkWriter>> writer = sink.OpenWriter();
  if (!writer) return writer.error();
  Status st;
  for (const Batch* b : batches) {
    st = (*writer)->Write(*b, rejects);
    if (!st.ok()) break;
  }
  if (st.ok()) st = (*writer)->Finish();
  if (st.ok()) st = sink.Commit();
  if (!st.ok()) (void)sink.Abort();
  return st;
}

inline WriteRequest Request(const Schema& schema, WriteMode mode, std::vector<std::string> key = {},
                            const std::string& run_id = "r1") {
  WriteRequest req;
  req.job_name = "test";
  req.run_id = run_id;
  req.mode = mode;
  req.key = std::move(key);
  req.schema = schema;
  return req;
}

}  // namespace sluice::mysql::testing
