// What sluice needs to know about one table of a MySQL/MariaDB database: its columns, primary
// key and unique keys, storage engine; loaded from information_schema.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/mysql/mysql_connection.h"
#include "connectors/mysql/mysql_types.h"

namespace sluice::mysql {

struct MysqlTable {
  std::string database;
  std::string name;  // as stored
  bool is_view = false;
  // MariaDB's WITH SYSTEM VERSIONING: a SELECT reads the current rows, but the binlog carries
  // the history too (a DELETE is an UPDATE of row_end, an UPDATE also inserts the old row).
  bool system_versioned = false;
  std::string engine;  // "InnoDB"; empty for views
  // The server folds table names (lower_case_table_names 1 or 2): `Orders` and `orders` are
  // one table. With 0 (Linux's default) they are two, and a name must match exactly.
  bool names_fold = true;
  std::vector<MysqlColumn> columns;
  std::vector<std::string> primary_key;               // in key order
  std::vector<std::vector<std::string>> unique_keys;  // PRIMARY and UNIQUE indexes

  // Exact match first, then ignoring ASCII case (MySQL column names are case-insensitive).
  std::optional<size_t> Find(std::string_view column) const;
  std::vector<std::string> ColumnNames() const;
  // A column's CHARACTER_SET_NAME ("gbk", "utf8mb4"), "" for a column without one or not here.
  std::string ColumnCharset(std::string_view column) const;
  // A column's DATA_TYPE ("int", "uuid"), "" for a column not here.
  std::string ColumnDataType(std::string_view column) const;
  // "shop.orders", for messages.
  std::string Label() const { return database + "." + name; }
};

// Loads `db`.`name`: the exact name first, then ignoring case unless `exact` is set and the
// server keeps names of different case apart. nullopt when there is no such table or view.
Result<std::optional<MysqlTable>> LoadTable(Connection& conn, std::string_view db,
                                            std::string_view name, bool exact = false);

// "<role>: table 'x' not found in database d (did you mean 'y'? tables: ...)".
Status TableNotFound(Connection& conn, std::string_view role, std::string_view db,
                     std::string_view name);

// "<role>: column 'x' not found in table d.t (did you mean 'y'? columns: ...)".
Status ColumnNotFound(const MysqlTable& table, std::string_view role, std::string_view what,
                      std::string_view column);

}  // namespace sluice::mysql
