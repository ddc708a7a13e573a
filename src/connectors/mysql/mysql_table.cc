#include "connectors/mysql/mysql_table.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "connectors/mysql/mysql_names.h"
#include "connectors/sql_common/positions_table.h"

namespace sluice::mysql {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

int64_t ToInt(const std::optional<std::string>& v) {
  int64_t out = 0;
  if (v) std::from_chars(v->data(), v->data() + v->size(), out);
  return out;
}

// Finds the table's stored name: exact first, then ignoring case.
Result<std::optional<Row>> FindTableRow(Connection& conn, std::string_view db,
                                        std::string_view name, bool exact) {
  SLUICE_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      conn.Query(fmt::format("SELECT TABLE_NAME, TABLE_TYPE, ENGINE, @@lower_case_table_names "
                             "FROM information_schema.TABLES "
                             "WHERE TABLE_SCHEMA = {} AND LOWER(TABLE_NAME) = LOWER({})",
                             QuoteString(db), QuoteString(name))));
  for (const Row& r : rows) {
    if (r[0] && *r[0] == name) return std::optional<Row>(r);
  }
  // A server that keeps case apart has no table of this exact name; one that folds names
  // (lower_case_table_names 1 or 2) means the one it has.
  if (exact && !rows.empty() && rows.front()[3].value_or("0") == "0") {
    return std::optional<Row>();
  }
  for (const Row& r : rows) {
    if (r[0] && EqualsIgnoreCase(*r[0], name)) return std::optional<Row>(r);
  }
  return std::optional<Row>();
}

Status LoadColumns(Connection& conn, MysqlTable& table) {
  SLUICE_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      conn.Query(fmt::format(
          "SELECT COLUMN_NAME, LOWER(DATA_TYPE), COLUMN_TYPE, IS_NULLABLE, CHARACTER_SET_NAME, "
          "CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, DATETIME_PRECISION, "
          "EXTRA, COLUMN_DEFAULT IS NOT NULL OR IS_NULLABLE = 'YES' "
          "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {} AND TABLE_NAME = {} "
          "ORDER BY ORDINAL_POSITION",
          QuoteString(table.database), QuoteString(table.name))));
  for (const Row& r : rows) {
    MysqlColumn c;
    c.name = r[0].value_or("");
    c.data_type = r[1].value_or("");
    c.column_type = Lower(r[2].value_or(""));
    c.nullable = r[3].value_or("") == "YES";
    c.charset = Lower(r[4].value_or(""));
    c.binary_charset = c.charset == "binary";
    c.char_length = ToInt(r[5]);
    c.numeric_precision = static_cast<int>(ToInt(r[6]));
    c.numeric_scale = static_cast<int>(ToInt(r[7]));
    c.datetime_precision = static_cast<int>(ToInt(r[8]));
    c.auto_increment = Lower(r[9].value_or("")).find("auto_increment") != std::string::npos;
    c.has_default = r[10].value_or("0") == "1" || c.auto_increment;
    table.columns.push_back(std::move(c));
  }
  return Status::OK();
}

Status LoadKeys(Connection& conn, MysqlTable& table) {
  SLUICE_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      conn.Query(fmt::format("SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS "
                             "WHERE TABLE_SCHEMA = {} AND TABLE_NAME = {} AND NON_UNIQUE = 0 "
                             "ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX",
                             QuoteString(table.database), QuoteString(table.name))));
  std::string current;
  for (const Row& r : rows) {
    const std::string index = r[0].value_or("");
    if (table.unique_keys.empty() || index != current) table.unique_keys.emplace_back();
    current = index;
    table.unique_keys.back().push_back(r[1].value_or(""));
    if (index == "PRIMARY") table.primary_key.push_back(r[1].value_or(""));
  }
  for (size_t i = 0; i < table.primary_key.size(); ++i) {
    if (std::optional<size_t> c = table.Find(table.primary_key[i])) {
      table.columns[*c].pk = static_cast<int>(i) + 1;
    }
  }
  return Status::OK();
}

// MariaDB's JSON is LONGTEXT plus CHECK (json_valid(`col`)). MySQL has a real JSON type and a
// CHECK_CONSTRAINTS view without TABLE_NAME; the query then fails and nothing is marked.
void MarkJsonColumns(Connection& conn, MysqlTable& table) {
  Result<std::vector<Row>> rows =
      conn.Query(fmt::format("SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS "
                             "WHERE CONSTRAINT_SCHEMA = {} AND TABLE_NAME = {}",
                             QuoteString(table.database), QuoteString(table.name)));
  if (!rows) return;
  for (const Row& r : *rows) {
    std::string clause = Lower(r[0].value_or(""));
    for (MysqlColumn& c : table.columns) {
      if (clause == Lower("json_valid(" + QuoteIdent(c.name) + ")")) c.json = true;
    }
  }
}

}  // namespace

std::optional<size_t> MysqlTable::Find(std::string_view column) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == column) return i;
  }
  for (size_t i = 0; i < columns.size(); ++i) {
    if (EqualsIgnoreCase(columns[i].name, column)) return i;
  }
  return std::nullopt;
}

std::vector<std::string> MysqlTable::ColumnNames() const {
  std::vector<std::string> names;
  for (const MysqlColumn& c : columns) names.push_back(c.name);
  return names;
}

std::string MysqlTable::ColumnCharset(std::string_view column) const {
  const std::optional<size_t> at = Find(column);
  return at ? columns[*at].charset : std::string();
}

std::string MysqlTable::ColumnDataType(std::string_view column) const {
  const std::optional<size_t> at = Find(column);
  return at ? columns[*at].data_type : std::string();
}

Result<std::optional<MysqlTable>> LoadTable(Connection& conn, std::string_view db,
                                            std::string_view name, bool exact) {
  SLUICE_ASSIGN_OR_RETURN(std::optional<Row> found, FindTableRow(conn, db, name, exact));
  if (!found) return std::optional<MysqlTable>();
  MysqlTable table;
  table.database = std::string(db);
  table.name = (*found)[0].value_or("");
  table.is_view = (*found)[1].value_or("") == "VIEW";
  table.system_versioned = (*found)[1].value_or("") == "SYSTEM VERSIONED";
  table.engine = (*found)[2].value_or("");
  table.names_fold = (*found)[3].value_or("0") != "0";
  SLUICE_RETURN_IF_ERROR(LoadColumns(conn, table));
  SLUICE_RETURN_IF_ERROR(LoadKeys(conn, table));
  MarkJsonColumns(conn, table);
  return std::optional<MysqlTable>(std::move(table));
}

Status TableNotFound(Connection& conn, std::string_view role, std::string_view db,
                     std::string_view name) {
  Result<std::vector<Row>> rows = conn.Query(
      fmt::format("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = {} AND "
                  "TABLE_NAME NOT IN ({}, {}) ORDER BY TABLE_NAME",
                  QuoteString(db), QuoteString(sql_common::kPositionsTable),
                  QuoteString(sql_common::kLegacyRunsTable)));
  std::vector<std::string> names;
  if (rows) {
    for (const Row& r : *rows) names.push_back(r[0].value_or(""));
  }
  return Status::NotFound("{}: table '{}' not found in database {} at mysql {} ({}tables: {})",
                          role, name, db, conn.endpoint(), DidYouMean(name, names),
                          JoinNames(names));
}

Status ColumnNotFound(const MysqlTable& table, std::string_view role, std::string_view what,
                      std::string_view column) {
  std::vector<std::string> names = table.ColumnNames();
  return Status::NotFound("{}: {}column '{}' not found in table {} ({}columns: {})", role, what,
                          column, table.Label(), DidYouMean(column, names), JoinNames(names));
}

}  // namespace sluice::mysql
