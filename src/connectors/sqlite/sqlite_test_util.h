// Helpers shared by the SQLite connector tests: temp directories, a recording RejectSink,
// direct SQL on a database file, and reading a whole Source into text rows.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "connectors/sqlite/sqlite_config.h"
#include "connectors/sqlite/sqlite_sink.h"
#include "connectors/sqlite/sqlite_source.h"
#include "core/reject_sink.h"
#include "core/value_text.h"

namespace sluice::sqlite::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sluice_sqlite_XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// "NULL" for NULL, else the canonical text of the value.
inline std::string CellText(const Column& c, size_t row) {
  if (c.IsNull(row)) return "NULL";
  std::string out;
  FormatValue(c, row, out);
  return out;
}

inline std::string RowText(const Batch& batch, size_t row) {
  std::string out;
  for (size_t c = 0; c < batch.columns.size(); ++c) {
    if (c > 0) out += "|";
    out += CellText(batch.columns[c], row);
  }
  return out;
}

class RecordingRejects : public RejectSink {
 public:
  struct Entry {
    std::string stage;
    std::string reason;
    std::string row;
  };
  Status Reject(const Schema&, const Batch& batch, size_t row, std::string_view stage,
                std::string_view reason) override {
    std::lock_guard<std::mutex> lock(mu_);
    entries.push_back(Entry{std::string(stage), std::string(reason), RowText(batch, row)});
    return Status::OK();
  }
  std::vector<Entry> entries;

 private:
  std::mutex mu_;
};

// Runs SQL directly on `path` (created if missing); fails the test on error.
inline void ExecSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message << " in " << sql;
}

// Rows of a query as "a|b|c" text, values as SQLite renders them ("NULL" for NULL).
inline std::vector<std::string> QueryRows(const std::string& path, const std::string& sql) {
  std::vector<std::string> rows;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  while (stmt && sqlite3_step(stmt) == SQLITE_ROW) {
    std::string row;
    for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
      if (c > 0) row += "|";
      const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
      row += t ? std::string(t, static_cast<size_t>(sqlite3_column_bytes(stmt, c))) : "NULL";
    }
    rows.push_back(row);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rows;
}

inline SqliteConfig Config(const std::string& path, const std::string& table) {
  SqliteConfig config;
  config.path = path;
  config.table = table;
  return config;
}

// Reads every split of an opened source; rows as text, in split order.
inline std::vector<std::string> ReadSplits(SqliteSource& source, const std::vector<Split>& splits,
                                           RecordingRejects& rejects,
                                           std::vector<size_t>* rows_per_split = nullptr) {
  std::vector<std::string> rows;
  for (const Split& split : splits) {
    auto reader = source.OpenSplit(split);
    EXPECT_TRUE(reader.has_value()) << reader.error().ToString();
    if (!reader) return rows;
    Batch batch(source.schema());
    size_t count = 0;
    while (true) {
      batch.Clear();
      Result<bool> more = (*reader)->Next(batch, rejects);
      EXPECT_TRUE(more.has_value()) << more.error().ToString();
      if (!more) return rows;
      for (size_t r = 0; r < batch.num_rows(); ++r) rows.push_back(RowText(batch, r));
      count += batch.num_rows();
      if (!*more) break;
    }
    if (rows_per_split) rows_per_split->push_back(count);
  }
  return rows;
}

// Opens `source` with `request` and reads it all.
inline std::vector<std::string> ReadAll(SqliteSource& source, const ReadRequest& request,
                                        RecordingRejects& rejects) {
  Status st = source.Open(request);
  EXPECT_TRUE(st.ok()) << st.ToString();
  if (!st.ok()) return {};
  auto splits = source.PlanSplits();
  EXPECT_TRUE(splits.has_value()) << splits.error().ToString();
  if (!splits) return {};
  return ReadSplits(source, *splits, rejects);
}

// Writes `batch` to a sink in one run and commits it.
inline Status WriteRun(SqliteSink& sink, const WriteRequest& request, const Batch& batch,
                       RecordingRejects& rejects) {
  SLUICE_RETURN_IF_ERROR(sink.Prepare(request));
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<SinkWriter> writer, sink.OpenWriter());
  SLUICE_RETURN_IF_ERROR(writer->Write(batch, rejects));
  SLUICE_RETURN_IF_ERROR(writer->Finish());
  return sink.Commit();
}

// A batch of `schema` from text rows ("NULL" is NULL), parsed with value_text.
inline Batch MakeBatch(const Schema& schema, const std::vector<std::vector<std::string>>& rows) {
  Batch batch(schema);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      if (row[c] == "NULL") {
        batch.columns[c].AppendNull();
      } else {
        Status st = ParseAndAppend(row[c], batch.columns[c], TimeZone::Utc());
        EXPECT_TRUE(st.ok()) << st.ToString();
      }
    }
  }
  return batch;
}

inline WriteRequest Request(Schema schema, WriteMode mode = WriteMode::kAppend,
                            std::vector<std::string> key = {}, std::string run_id = "run-1") {
  WriteRequest r;
  r.job_name = "test-job";
  r.run_id = std::move(run_id);
  r.mode = mode;
  r.key = std::move(key);
  r.schema = std::move(schema);
  return r;
}

}  // namespace sluice::sqlite::testing
