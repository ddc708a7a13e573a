#include "support/db_clients.h"

#include <stdexcept>

namespace sluice::test_db {
namespace {

struct MysqlUrl {
  std::string user, password, host, database;
  unsigned port = 3306;
};

MysqlUrl ParseUrl(const std::string& url) {
  const size_t scheme = url.find("://");
  const size_t at = url.rfind('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) {
    throw std::runtime_error("not a mysql://user:password@host:port/db URL: " + url);
  }
  MysqlUrl u;
  const std::string auth = url.substr(scheme + 3, at - scheme - 3);
  const size_t colon = auth.find(':');
  u.user = auth.substr(0, colon);
  if (colon != std::string::npos) u.password = auth.substr(colon + 1);
  std::string host = url.substr(at + 1);
  if (const size_t slash = host.find('/'); slash != std::string::npos) {
    u.database = host.substr(slash + 1);
    host.resize(slash);
  }
  if (const size_t port = host.find(':'); port != std::string::npos) {
    u.port = static_cast<unsigned>(std::stoul(host.substr(port + 1)));
    host.resize(port);
  }
  u.host = host;
  return u;
}

}  // namespace

MysqlClient::MysqlClient(const std::string& url) {
  const MysqlUrl u = ParseUrl(url);
  conn_ = mysql_init(nullptr);
  mysql_options(conn_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  if (!mysql_real_connect(conn_, u.host.c_str(), u.user.c_str(), u.password.c_str(),
                          u.database.empty() ? nullptr : u.database.c_str(), u.port, nullptr,
                          CLIENT_MULTI_STATEMENTS)) {
    const std::string error = mysql_error(conn_);
    mysql_close(conn_);
    conn_ = nullptr;
    throw std::runtime_error("cannot connect to MariaDB: " + error);
  }
  Exec("SET time_zone = '+00:00'");
}

MysqlClient::~MysqlClient() {
  if (conn_ != nullptr) mysql_close(conn_);
}

void MysqlClient::Exec(const std::string& sql) {
  if (mysql_real_query(conn_, sql.data(), sql.size()) != 0) {
    throw std::runtime_error("MariaDB: " + std::string(mysql_error(conn_)) +
                             "\n  in: " + sql.substr(0, 400));
  }
  // Drain every result of a multi-statement script; an error in a later statement shows here.
  while (true) {
    if (MYSQL_RES* result = mysql_store_result(conn_)) mysql_free_result(result);
    const int more = mysql_next_result(conn_);
    if (more > 0) {
      throw std::runtime_error("MariaDB: " + std::string(mysql_error(conn_)) +
                               "\n  in: " + sql.substr(0, 400));
    }
    if (more < 0) break;
  }
}

Rows MysqlClient::Query(const std::string& sql) {
  if (mysql_real_query(conn_, sql.data(), sql.size()) != 0) {
    throw std::runtime_error("MariaDB: " + std::string(mysql_error(conn_)) + "\n  in: " + sql);
  }
  MYSQL_RES* result = mysql_store_result(conn_);
  if (result == nullptr) throw std::runtime_error("MariaDB returned no result for: " + sql);
  Rows rows;
  const unsigned n = mysql_num_fields(result);
  while (MYSQL_ROW row = mysql_fetch_row(result)) {
    const unsigned long* lengths = mysql_fetch_lengths(result);
    std::vector<Cell>& out = rows.emplace_back();
    for (unsigned i = 0; i < n; ++i) {
      out.push_back(row[i] != nullptr ? Cell(std::string(row[i], lengths[i])) : std::nullopt);
    }
  }
  mysql_free_result(result);
  return rows;
}

std::string MysqlClient::Value(const std::string& sql) {
  const Rows rows = Query(sql);
  if (rows.empty() || rows[0].empty()) throw std::runtime_error("no value from: " + sql);
  return rows[0][0].value_or("NULL");
}

PgClient::PgClient(const std::string& conninfo) {
  conn_ = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn_) != CONNECTION_OK) {
    const std::string error = PQerrorMessage(conn_);
    PQfinish(conn_);
    conn_ = nullptr;
    throw std::runtime_error("cannot connect to PostgreSQL: " + error);
  }
  Exec("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET client_min_messages = warning");
}

PgClient::~PgClient() {
  if (conn_ != nullptr) PQfinish(conn_);
}

void PgClient::Exec(const std::string& sql) {
  PGresult* result = PQexec(conn_, sql.c_str());
  const ExecStatusType status = PQresultStatus(result);
  PQclear(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw std::runtime_error("PostgreSQL: " + std::string(PQerrorMessage(conn_)) +
                             "  in: " + sql.substr(0, 400));
  }
}

Rows PgClient::Query(const std::string& sql) {
  PGresult* result = PQexec(conn_, sql.c_str());
  if (PQresultStatus(result) != PGRES_TUPLES_OK) {
    PQclear(result);
    throw std::runtime_error("PostgreSQL: " + std::string(PQerrorMessage(conn_)) + "  in: " + sql);
  }
  Rows rows;
  for (int r = 0; r < PQntuples(result); ++r) {
    std::vector<Cell>& out = rows.emplace_back();
    for (int c = 0; c < PQnfields(result); ++c) {
      out.push_back(PQgetisnull(result, r, c)
                        ? std::nullopt
                        : Cell(std::string(PQgetvalue(result, r, c), PQgetlength(result, r, c))));
    }
  }
  PQclear(result);
  return rows;
}

std::string PgClient::Value(const std::string& sql) {
  const Rows rows = Query(sql);
  if (rows.empty() || rows[0].empty()) throw std::runtime_error("no value from: " + sql);
  return rows[0][0].value_or("NULL");
}

std::vector<std::string> Lines(const Rows& rows) {
  std::vector<std::string> lines;
  for (const std::vector<Cell>& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += (i > 0 ? "|" : "") + row[i].value_or("NULL");
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace sluice::test_db
