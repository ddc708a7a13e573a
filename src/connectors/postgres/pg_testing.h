// Helpers for the PostgreSQL integration tests (header-only: only *_test.cc include it).
//
// Every test process gets a fresh database, sluice_pg_<pid>_<n>, on the server of
// scripts/test-servers.sh, whose default TimeZone is Asia/Shanghai so that any dependence on
// the server's zone shows up; it is dropped when the process ends.
#pragma once

#include <unistd.h>

#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "connectors/postgres/pg_config.h"
#include "connectors/postgres/pg_sink.h"
#include "connectors/postgres/pg_source.h"
#include "core/reject_sink.h"
#include "core/value_text.h"
#include "testing/test_servers.h"

namespace sluice::postgres::testing {

// The server URL with another database name.
inline std::string WithDatabase(const std::string& url, const std::string& db) {
  size_t slash = url.rfind('/');
  size_t query = url.find('?', slash);
  return url.substr(0, slash + 1) + db + (query == std::string::npos ? "" : url.substr(query));
}

// A raw libpq connection with the server's own session defaults (no sluice settings), for
// setting up and checking test data.
class RawConn {
 public:
  explicit RawConn(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) {
      throw std::runtime_error(std::string("test connection failed: ") + PQerrorMessage(conn_));
    }
  }
  ~RawConn() { PQfinish(conn_); }
  RawConn(const RawConn&) = delete;
  RawConn& operator=(const RawConn&) = delete;

  void Exec(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    ExecStatusType st = PQresultStatus(r);
    std::string err = PQresultErrorMessage(r);
    PQclear(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      throw std::runtime_error("SQL failed: " + sql.substr(0, 300) + ": " + err);
    }
  }
  // All rows, every value as text ("NULL" for NULL).
  std::vector<std::vector<std::string>> Rows(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
      std::string err = PQresultErrorMessage(r);
      PQclear(r);
      throw std::runtime_error("query failed: " + sql.substr(0, 300) + ": " + err);
    }
    std::vector<std::vector<std::string>> rows;
    for (int i = 0; i < PQntuples(r); ++i) {
      std::vector<std::string> row;
      for (int j = 0; j < PQnfields(r); ++j) {
        row.push_back(PQgetisnull(r, i, j) ? "NULL" : PQgetvalue(r, i, j));
      }
      rows.push_back(std::move(row));
    }
    PQclear(r);
    return rows;
  }
  std::string Value(const std::string& sql) {
    auto rows = Rows(sql);
    return rows.empty() || rows[0].empty() ? "<none>" : rows[0][0];
  }
  PGconn* get() { return conn_; }

 private:
  PGconn* conn_;
};

// The per-process test database, created on first use.
class TestDatabase : public ::testing::Environment {
 public:
  static TestDatabase& Get() {
    static TestDatabase* db = [] {
      auto* d = new TestDatabase();
      ::testing::AddGlobalTestEnvironment(d);  // gtest owns it and calls TearDown
      return d;
    }();
    return *db;
  }
  const std::string& url() {
    std::call_once(once_, [this] { Create(); });
    return url_;
  }
  const std::string& admin_url() const { return sluice::testing::GetTestServers().pg_url; }
  void TearDown() override {
    if (name_.empty()) return;
    RawConn admin(admin_url());
    admin.Exec(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", name_));
  }

 private:
  void Create() {
    std::random_device rd;
    name_ = fmt::format("sluice_pg_{}_{}", getpid(), rd() % 100000);
    RawConn admin(admin_url());
    admin.Exec("CREATE DATABASE " + name_);
    admin.Exec("ALTER DATABASE " + name_ + " SET timezone = 'Asia/Shanghai'");
    url_ = WithDatabase(admin_url(), name_);
  }
  std::once_flag once_;
  std::string name_;
  std::string url_;
};

inline const std::string& DbUrl() {
  return TestDatabase::Get().url();
}

inline OptionValue Scalar(std::string v) {
  OptionValue o;
  o.scalar = std::move(v);
  return o;
}

// Options for the connector from key -> scalar text (lists: give them with SetList).
inline Options MakeOptions(const std::map<std::string, std::string>& values) {
  Options options;
  for (const auto& [k, v] : values) options.Set(k, Scalar(v));
  return options;
}
inline void SetList(Options& options, const std::string& key, std::vector<std::string> items) {
  OptionValue o;
  o.kind = OptionKind::kStringList;
  o.list = std::move(items);
  options.Set(key, o);
}
inline void SetPartition(Options& options, const std::string& column, const std::string& value) {
  OptionValue o;
  o.kind = OptionKind::kObject;
  o.object["column"] = Scalar(column);
  o.object["value"] = Scalar(value);
  options.Set("partition", o);
}

inline std::unique_ptr<PgSource> MakeSource(std::map<std::string, std::string> values) {
  if (!values.count("url")) values["url"] = DbUrl();
  Result<PgConfig> config = ParsePgConfig(MakeOptions(values), /*target=*/false);
  if (!config) throw std::runtime_error(config.error().ToString());
  return std::make_unique<PgSource>(std::move(*config));
}
inline std::unique_ptr<PgSink> MakeSink(Options options) {
  if (!options.Has("url")) options.Set("url", Scalar(DbUrl()));
  Result<PgConfig> config = ParsePgConfig(options, /*target=*/true);
  if (!config) throw std::runtime_error(config.error().ToString());
  return std::make_unique<PgSink>(std::move(*config));
}

// Keeps every rejected row's reason; fails with kLimitExceeded past `limit`.
class CollectingRejects : public RejectSink {
 public:
  explicit CollectingRejects(size_t limit = 1000000) : limit_(limit) {}
  Status Reject(const Schema& schema, const Batch& batch, size_t row, std::string_view stage,
                std::string_view reason) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string values;
    for (size_t c = 0; c < schema.size(); ++c) {
      if (c > 0) values += ",";
      if (batch.columns[c].IsNull(row)) {
        values += "NULL";
      } else {
        FormatValue(batch.columns[c], row, values);
      }
    }
    rows.push_back(values);
    reasons.push_back(std::string(stage) + ": " + std::string(reason));
    if (reasons.size() > limit_) return Status(StatusCode::kLimitExceeded, "too many rejects");
    return Status::OK();
  }
  std::vector<std::string> rows;
  std::vector<std::string> reasons;

 private:
  std::mutex mu_;
  size_t limit_;
};

// Reads every split of an opened source into batches.
inline std::vector<Batch> ReadAll(Source& source, RejectSink& rejects, size_t* splits = nullptr) {
  Result<std::vector<Split>> planned = source.PlanSplits();
  if (!planned) throw std::runtime_error(planned.error().ToString());
  if (splits) *splits = planned->size();
  std::vector<Batch> batches;
  for (const Split& split : *planned) {
    Result<std::unique_ptr<SplitReader>> reader = source.OpenSplit(split);
    if (!reader) throw std::runtime_error(reader.error().ToString());
    while (true) {
      Batch batch(source.schema());
      Result<bool> more = (*reader)->Next(batch, rejects);
      if (!more) throw std::runtime_error(more.error().ToString());
      if (batch.num_rows() > 0) batches.push_back(std::move(batch));
      if (!*more) break;
    }
  }
  return batches;
}

inline size_t CountRows(const std::vector<Batch>& batches) {
  size_t n = 0;
  for (const Batch& b : batches) n += b.num_rows();
  return n;
}

// Runs the sink protocol (Prepare, one writer, Commit) over `batches`; returns the first error.
inline Status WriteAll(Sink& sink, const WriteRequest& request, const std::vector<Batch>& batches,
                       RejectSink& rejects) {
  SLUICE_RETURN_IF_ERROR(sink.Prepare(request));
  Result<std::unique_ptr<SinkWriter>> writer = sink.OpenWriter();
  if (!writer) {
    (void)sink.Abort();
    return writer.error();
  }
  for (const Batch& b : batches) {
    Status st = (*writer)->Write(b, rejects);
    if (!st.ok()) {
      (void)sink.Abort();
      return st;
    }
  }
  Status st = (*writer)->Finish();
  if (st.ok()) st = sink.Commit();
  if (!st.ok()) (void)sink.Abort();
  return st;
}

inline WriteRequest Request(const Schema& schema, WriteMode mode = WriteMode::kAppend,
                            std::vector<std::string> key = {}) {
  static int counter = 0;
  WriteRequest r;
  r.job_name = "pg_test";
  r.run_id = fmt::format("run-{}-{}", getpid(), ++counter);
  r.mode = mode;
  r.key = std::move(key);
  r.schema = schema;
  return r;
}

// Reads table `table` of the test database with the sluice source and writes it with the
// sluice sink; returns the rejects' reasons.
inline std::vector<std::string> Copy(const std::string& from, Options target,
                                     WriteMode mode = WriteMode::kAppend,
                                     std::vector<std::string> key = {}, int parallel = 1) {
  auto source = MakeSource({{"table", from}});
  ReadRequest read;
  read.max_splits = parallel;
  Status opened = source->Open(read);
  if (!opened.ok()) throw std::runtime_error(opened.ToString());
  CollectingRejects rejects;
  std::vector<Batch> batches = ReadAll(*source, rejects);
  auto sink = MakeSink(std::move(target));
  Status st = WriteAll(*sink, Request(source->schema(), mode, std::move(key)), batches, rejects);
  if (!st.ok()) throw std::runtime_error(st.ToString());
  return rejects.reasons;
}

}  // namespace sluice::postgres::testing
