// Reading every target back without sluice's code: libmariadb, libpq and the sqlite3 C API
// directly, and a small CSV parser, so a connector bug cannot hide by reading back what it
// wrote wrongly. Each reader renders a cell exactly:
//   floats   from their bits (PostgreSQL float4send/float8send, SQLite's double, MySQL's
//            shortest round-trip text parsed with strtod) as the shortest text that reads back
//            to the same bits (std::to_chars: "5e-324", "-0", "inf", "nan");
//   binaries as lowercase hex (MySQL LOWER(HEX(c)), PostgreSQL encode(c, 'hex'), SQLite
//            lower(hex(c))), the form the CSV sink writes with bytes_encoding: hex;
//   BIT      as its unsigned value; everything else as the server's own text output
//            (PostgreSQL with TimeZone UTC, DateStyle ISO and IntervalStyle iso_8601; MySQL
//            with time_zone +00:00).
// Helpers throw std::runtime_error on any failure: the test reports it and stops.
#pragma once

#include <libpq-fe.h>
#include <mysql.h>

#include <string>
#include <vector>

#include "matrix.h"

namespace sluice::matrix {

// A connection to MariaDB; the session runs with time_zone +00:00 unless told otherwise.
class MysqlDb {
 public:
  // `url`: mysql://user:password@host:port[/database]. `utc`: SET time_zone = '+00:00'.
  explicit MysqlDb(const std::string& url, bool utc = true);
  ~MysqlDb();
  MysqlDb(const MysqlDb&) = delete;
  MysqlDb& operator=(const MysqlDb&) = delete;

  // Fails on a warning too (MariaDB adjusting a literal), unless `allow_warnings`.
  void Exec(const std::string& sql, bool allow_warnings = false);
  std::vector<std::vector<Cell>> Query(const std::string& sql);
  Cell Value(const std::string& sql);  // first column of the first row

 private:
  MYSQL* conn_ = nullptr;
};

// A connection to PostgreSQL, with TimeZone UTC, DateStyle ISO and IntervalStyle iso_8601.
class PgDb {
 public:
  explicit PgDb(const std::string& conninfo);
  ~PgDb();
  PgDb(const PgDb&) = delete;
  PgDb& operator=(const PgDb&) = delete;

  void Exec(const std::string& sql);
  std::vector<std::vector<Cell>> Query(const std::string& sql);
  Cell Value(const std::string& sql);

 private:
  PGconn* conn_ = nullptr;
};

// `url` with its database replaced: mysql://u:p@h:1/db or postgresql://u:p@h:1/db.
std::string WithDatabase(const std::string& url, const std::string& database);
// `url` with another user and password.
std::string WithUser(const std::string& url, const std::string& user, const std::string& password);

// A whole table, rows keyed by the integer column `id`, cells rendered as described above.
Grid ReadMysqlTable(MysqlDb& db, const std::string& table);
Grid ReadPgTable(PgDb& db, const std::string& table);
Grid ReadSqliteTable(const std::string& path, const std::string& table);

// CSV as the csv sink writes it (header, comma, '"', NULL as an empty unquoted field).
Grid ParseCsv(const std::string& text);
// The exact file text the csv sink must write for `grid` (rows in id order).
std::string CsvText(const Grid& grid);

// Shortest round-trip text of the value with these bits.
std::string RenderDouble(double value);
std::string RenderFloat(float value);

}  // namespace sluice::matrix
