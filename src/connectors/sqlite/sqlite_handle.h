// Small RAII wrappers over the SQLite C API: a connection (Database), a prepared statement
// (Statement) and a value detached from any statement (SqlValue, for split bounds and
// watermarks).
//
// Lifecycle: a Database is opened by one thread and used by one thread at a time (connections
// are opened with SQLITE_OPEN_NOMUTEX); its Statements must be destroyed before it. Both are
// move-only and close/finalize themselves.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "core/status.h"

namespace sluice::sqlite {

// A value as SQLite stores it, owned: the storage class decides how it is bound, so a bound
// split boundary compares exactly like the key it was read from.
struct SqlValue {
  enum class Kind : uint8_t { kNull, kInt, kReal, kText, kBlob };
  Kind kind = Kind::kNull;
  int64_t i = 0;
  double r = 0;
  std::string s;  // kText, kBlob

  static SqlValue Int(int64_t v) { return SqlValue{Kind::kInt, v, 0, {}}; }
  static SqlValue Real(double v) { return SqlValue{Kind::kReal, 0, v, {}}; }
  static SqlValue Text(std::string v) { return SqlValue{Kind::kText, 0, 0, std::move(v)}; }
  static SqlValue Blob(std::string v) { return SqlValue{Kind::kBlob, 0, 0, std::move(v)}; }

  bool operator==(const SqlValue&) const = default;
  // For split descriptions: 42, 1.5, 'abc', x'00ff'.
  std::string ToSqlLiteral() const;
};

// Copies column `col` of the current row of `stmt`.
SqlValue ColumnValue(sqlite3_stmt* stmt, int col);

// A Status for a failed SQLite call: the code decides the kind (busy/locked are retryable),
// the message is `context: <sqlite3_errmsg>`.
Status SqliteError(sqlite3* db, int rc, std::string_view context);

// "name" with embedded quotes doubled, safe to splice into SQL.
std::string QuoteIdent(std::string_view name);
// 'text' with embedded quotes doubled.
std::string QuoteText(std::string_view text);

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

  sqlite3_stmt* get() const { return stmt_.get(); }
  explicit operator bool() const { return stmt_ != nullptr; }

  // true: a row is available; false: done.
  Result<bool> Step();
  // Makes the statement ready to run again; keeps the bindings.
  void Reset() { sqlite3_reset(stmt_.get()); }

  // Binds by 1-based index or by name (":name"); a name the SQL does not use is ignored.
  Status Bind(int index, const SqlValue& value);
  Status Bind(const char* name, const SqlValue& value);

 private:
  struct Finalizer {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  sqlite3* db_ = nullptr;
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
};

class Database {
 public:
  Database() = default;

  // Opens `path` with SQLITE_OPEN_* `flags` (NOMUTEX is added) and sets the busy timeout.
  static Result<Database> Open(const std::string& path, int flags, int busy_timeout_ms);

  sqlite3* get() const { return db_.get(); }
  explicit operator bool() const { return db_ != nullptr; }
  const std::string& path() const { return path_; }

  // Runs one or more statements that return no rows we need.
  Status Exec(std::string_view sql);
  Result<Statement> Prepare(std::string_view sql);
  // Runs a query and returns the first column of its first row (kNull when there is none).
  Result<SqlValue> QueryValue(std::string_view sql);
  bool InTransaction() const { return db_ && sqlite3_get_autocommit(db_.get()) == 0; }

 private:
  struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  std::unique_ptr<sqlite3, Closer> db_;
  std::string path_;
};

}  // namespace sluice::sqlite
