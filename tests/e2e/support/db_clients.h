// Minimal MariaDB and PostgreSQL clients for the integration tests that drive the sluice
// binary (tests/multi_table, tests/verify): set up sources, change them between runs, and read
// targets back with libmariadb and libpq directly (never
// sluice's code, so a connector bug cannot hide by reading back what it wrote wrongly).
//
// One connection per object, used by the test's main thread only. Every failure throws
// std::runtime_error with the server's message and the statement: the test reports it.
#pragma once

#include <libpq-fe.h>
#include <mysql.h>

#include <optional>
#include <string>
#include <vector>

namespace sluice::test_db {

using Cell = std::optional<std::string>;  // nullopt = NULL
using Rows = std::vector<std::vector<Cell>>;

class MysqlClient {
 public:
  // `url`: mysql://user:password@host:port[/database]. The session runs in UTC.
  explicit MysqlClient(const std::string& url);
  ~MysqlClient();
  MysqlClient(const MysqlClient&) = delete;
  MysqlClient& operator=(const MysqlClient&) = delete;

  void Exec(const std::string& sql);
  Rows Query(const std::string& sql);
  // The first column of the first row, as text; "NULL" for NULL.
  std::string Value(const std::string& sql);

 private:
  MYSQL* conn_ = nullptr;
};

class PgClient {
 public:
  // A postgresql:// URL or libpq key=value string. The session runs in UTC with ISO dates.
  explicit PgClient(const std::string& conninfo);
  ~PgClient();
  PgClient(const PgClient&) = delete;
  PgClient& operator=(const PgClient&) = delete;

  void Exec(const std::string& sql);
  Rows Query(const std::string& sql);
  std::string Value(const std::string& sql);

 private:
  PGconn* conn_ = nullptr;
};

// Rows as "a|b|NULL" lines, for exact comparisons with readable failures.
std::vector<std::string> Lines(const Rows& rows);

}  // namespace sluice::test_db
