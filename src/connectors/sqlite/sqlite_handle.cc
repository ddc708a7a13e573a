#include "connectors/sqlite/sqlite_handle.h"

#include <fmt/format.h>

#include "core/value_text.h"

namespace sluice::sqlite {

std::string SqlValue::ToSqlLiteral() const {
  switch (kind) {
    case Kind::kNull:
      return "NULL";
    case Kind::kInt:
      return std::to_string(i);
    case Kind::kReal: {
      std::string out;
      FormatDouble(r, out);
      return out;
    }
    case Kind::kText:
      return QuoteText(s);
    case Kind::kBlob: {
      std::string out = "x'";
      for (unsigned char c : s) out += fmt::format("{:02x}", c);
      out += "'";
      return out;
    }
  }
  return "";
}

SqlValue ColumnValue(sqlite3_stmt* stmt, int col) {
  switch (sqlite3_column_type(stmt, col)) {
    case SQLITE_INTEGER:
      return SqlValue::Int(sqlite3_column_int64(stmt, col));
    case SQLITE_FLOAT:
      return SqlValue::Real(sqlite3_column_double(stmt, col));
    case SQLITE_TEXT: {
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, col));
      return SqlValue::Text(std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt, col))));
    }
    case SQLITE_BLOB: {
      const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt, col));
      size_t n = static_cast<size_t>(sqlite3_column_bytes(stmt, col));
      return SqlValue::Blob(n == 0 ? std::string() : std::string(p, n));
    }
    default:
      return SqlValue{};
  }
}

Status SqliteError(sqlite3* db, int rc, std::string_view context) {
  std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string message = context.empty() ? detail : fmt::format("{}: {}", context, detail);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status(StatusCode::kIoError, message + " (database is in use; retry later)", true);
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return Status(StatusCode::kIoError, message);
    case SQLITE_CONSTRAINT:
      return Status(StatusCode::kConflict, message);
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
      return Status(StatusCode::kDataError, message);
    case SQLITE_RANGE:  // a parameter index we got wrong
    case SQLITE_NOMEM:
    case SQLITE_MISUSE:
    case SQLITE_INTERNAL:
      return Status(StatusCode::kInternal, message);
    default:
      return Status(StatusCode::kInvalidArgument, message);
  }
}

std::string QuoteIdent(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string QuoteText(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Err(SqliteError(db_, rc, ""));
}

Status Statement::Bind(int index, const SqlValue& value) {
  sqlite3_stmt* s = stmt_.get();
  int rc = SQLITE_OK;
  switch (value.kind) {
    case SqlValue::Kind::kNull:
      rc = sqlite3_bind_null(s, index);
      break;
    case SqlValue::Kind::kInt:
      rc = sqlite3_bind_int64(s, index, value.i);
      break;
    case SqlValue::Kind::kReal:
      rc = sqlite3_bind_double(s, index, value.r);
      break;
    case SqlValue::Kind::kText:
      // A null data pointer would bind NULL, so an empty string needs a real pointer.
      rc = sqlite3_bind_text64(s, index, value.s.c_str(), value.s.size(), SQLITE_TRANSIENT,
                               SQLITE_UTF8);
      break;
    case SqlValue::Kind::kBlob:
      rc = sqlite3_bind_blob64(s, index, value.s.c_str(), value.s.size(), SQLITE_TRANSIENT);
      break;
  }
  if (rc != SQLITE_OK) return SqliteError(db_, rc, "sqlite bind");
  return Status::OK();
}

Status Statement::Bind(const char* name, const SqlValue& value) {
  int index = sqlite3_bind_parameter_index(stmt_.get(), name);
  if (index == 0) return Status::OK();
  return Bind(index, value);
}

Result<Database> Database::Open(const std::string& path, int flags, int busy_timeout_ms) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  Database db;
  db.db_.reset(raw);  // even a failed open returns a handle that must be closed
  db.path_ = path;
  if (rc != SQLITE_OK) return Err(SqliteError(raw, rc, fmt::format("cannot open {}", path)));
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  return db;
}

Status Database::Exec(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return Status::OK();
  sqlite3_free(error);
  return SqliteError(db_.get(), rc, fmt::format("{} ({})", path_, sql));
}

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return Err(SqliteError(db_.get(), rc, fmt::format("{}: cannot prepare {}", path_, sql)));
  }
  return Statement(db_.get(), stmt);
}

Result<SqlValue> Database::QueryValue(std::string_view sql) {
  SLUICE_ASSIGN_OR_RETURN(Statement stmt, Prepare(sql));
  SLUICE_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return SqlValue{};
  return ColumnValue(stmt.get(), 0);
}

}  // namespace sluice::sqlite
