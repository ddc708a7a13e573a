// What sluice needs to know about one table (or view) of an SQLite database: its columns with
// declared and resolved types, its primary key and whether it has a rowid.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/suggest.h"

#include "connectors/sqlite/sqlite_handle.h"
#include "core/types.h"

namespace sluice::sqlite {

struct TableColumn {
  std::string name;
  std::string declared;  // as written in CREATE TABLE; empty for untyped columns
  bool not_null = false;
  int pk = 0;     // 1-based position in the primary key; 0 when not part of it
  DataType type;  // the sluice type values are read as
  bool has_default = false;
};

struct TableInfo {
  std::string name;  // as stored in the schema
  bool is_view = false;
  bool has_rowid = false;
  std::vector<TableColumn> columns;

  // Exact match first, then ignoring ASCII case (SQLite names are case-insensitive).
  std::optional<size_t> Find(std::string_view column) const;
  std::vector<std::string> ColumnNames() const;
  // The INTEGER PRIMARY KEY column that aliases the rowid, if any.
  std::optional<size_t> RowidAlias() const;
  // "rowid", "_rowid_" or "oid" (the first no column shadows); "" without a rowid.
  std::string RowidExpr() const;
};

// Loads `name` (matched ignoring case). nullopt when there is no such table or view.
// Untyped columns (and names SQLite gives no meaning) are typed from their values: bytes if
// one of the first 100 non-NULL values is a blob, otherwise string.
Result<std::optional<TableInfo>> LoadTableInfo(Database& db, std::string_view name);

// User tables and views of the main schema, sorted; without SQLite's and sluice's own.
Result<std::vector<std::string>> ListTables(Database& db);

using ::sluice::ClosestName;  // core/suggest.h
// "a, b, c" (at most `max` names, then "...").
std::string JoinNames(const std::vector<std::string>& names, size_t max = 30);

}  // namespace sluice::sqlite
