#include "support/sqlite_db.h"

#include <sqlite3.h>

#include <memory>
#include <utility>

namespace sluice::e2e {
namespace {

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
using DbPtr = std::unique_ptr<sqlite3, CloseDb>;

std::expected<DbPtr, std::string> Open(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) {
    return std::unexpected(path + ": " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(db.get(), 5000);
  return db;
}

std::string CellText(sqlite3_stmt* stmt, int i) {
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_NULL:
      return "NULL";
    case SQLITE_BLOB: {
      static constexpr char kHex[] = "0123456789abcdef";
      const auto* bytes = static_cast<const unsigned char*>(sqlite3_column_blob(stmt, i));
      const int n = sqlite3_column_bytes(stmt, i);
      std::string out = "X'";
      for (int k = 0; k < n; ++k) {
        out += kHex[bytes[k] >> 4];
        out += kHex[bytes[k] & 15];
      }
      return out + "'";
    }
    default: {
      const auto* text = sqlite3_column_text(stmt, i);
      return std::string(reinterpret_cast<const char*>(text),
                         static_cast<size_t>(sqlite3_column_bytes(stmt, i)));
    }
  }
}

}  // namespace

std::expected<void, std::string> ExecSqlite(const std::string& path, const std::string& sql) {
  auto db = Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!db) return std::unexpected(db.error());
  char* message = nullptr;
  if (sqlite3_exec(db->get(), sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string error = path + ": " + (message ? message : "unknown error");
    sqlite3_free(message);
    return std::unexpected(error);
  }
  return {};
}

std::expected<std::vector<std::string>, std::string> QuerySqlite(
    const std::string& path, const std::string& query,
    const std::vector<std::pair<std::string, std::string>>& attach) {
  auto db = Open(path, SQLITE_OPEN_READONLY);
  if (!db) return std::unexpected(db.error());
  for (const auto& [alias, file] : attach) {
    // Quoting with %Q keeps a path with quotes intact.
    char* sql = sqlite3_mprintf("ATTACH %Q AS %Q", file.c_str(), alias.c_str());
    const int rc = sqlite3_exec(db->get(), sql, nullptr, nullptr, nullptr);
    sqlite3_free(sql);
    if (rc != SQLITE_OK) return std::unexpected(file + ": " + sqlite3_errmsg(db->get()));
  }
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db->get(), query.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    return std::unexpected(path + ": " + sqlite3_errmsg(db->get()) + " in: " + query);
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
  std::vector<std::string> rows;
  const int columns = sqlite3_column_count(raw);
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    std::string row;
    for (int i = 0; i < columns; ++i) {
      if (i > 0) row += '|';
      row += CellText(raw, i);
    }
    rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) {
    return std::unexpected(path + ": " + sqlite3_errmsg(db->get()) + " in: " + query);
  }
  return rows;
}

}  // namespace sluice::e2e
