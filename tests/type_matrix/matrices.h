// The two source tables of the matrix and their expected renderings on every leg.
#pragma once

#include <string>

#include "matrix.h"

namespace sluice::matrix {

// MariaDB `matrix_src`. Legs: kSource (MariaDB), kOther (PostgreSQL, tables sluice creates),
// kBack (PostgreSQL -> MariaDB, created), kCsv, kSqlite, and kInstant: column dtm read with
// the source option `time_zone: Asia/Shanghai` into PostgreSQL (DATETIME as instants).
// Its setup statements run the inserting session at time_zone +08:00, so TIMESTAMP literals
// are +08:00 wall-clock times and render (in UTC) eight hours earlier.
Matrix MysqlMatrix();

// PostgreSQL `matrix_src`. Legs: kSource, kOther (MariaDB, created, with `time_zone:
// Asia/Shanghai` on the target and on the read back), kBack (MariaDB -> PostgreSQL, created,
// the MariaDB source with `tinyint1_as_bool: true`), kCsv (source `special_values: null`),
// kSqlite, kSqliteBack (SQLite -> PostgreSQL, created).
Matrix PgMatrix();

// Statements that create and fill `matrix.table`: setup, CREATE TABLE, one INSERT per row.
std::vector<std::string> MysqlSourceSql(const Matrix& matrix);
std::vector<std::string> PgSourceSql(const Matrix& matrix);

// Text helpers for the tables: a quoted SQL string literal whose rendering is the text itself.
Value MyStr(const std::string& text);  // MariaDB escapes: '' and backslash
Value PgStr(const std::string& text);  // standard_conforming_strings: only ''
std::string Repeat(const std::string& text, int times);
std::string AllBytesHex();  // 00 01 ... ff as lowercase hex

}  // namespace sluice::matrix
