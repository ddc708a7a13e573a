// MariaDB and PostgreSQL: connections and exact table renderings (see readers.h).
#include <bit>
#include <charconv>
#include <cstdlib>
#include <stdexcept>

#include "readers.h"

namespace sluice::matrix {
namespace {

struct UrlParts {
  std::string user, password, host, database;
  unsigned port = 0;
};

UrlParts ParseMysqlUrl(const std::string& url) {
  const size_t scheme = url.find("://");
  const size_t at = url.rfind('@');
  if (scheme == std::string::npos || at == std::string::npos) {
    throw std::runtime_error("unexpected MySQL URL form: " + url);
  }
  UrlParts p;
  const std::string auth = url.substr(scheme + 3, at - scheme - 3);
  const size_t colon = auth.find(':');
  p.user = auth.substr(0, colon);
  if (colon != std::string::npos) p.password = auth.substr(colon + 1);
  std::string rest = url.substr(at + 1);
  const size_t slash = rest.find('/');
  if (slash != std::string::npos) {
    p.database = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  const size_t port = rest.find(':');
  p.host = rest.substr(0, port);
  if (port != std::string::npos) p.port = static_cast<unsigned>(std::stoul(rest.substr(port + 1)));
  return p;
}

std::string QuoteMysql(const std::string& name) {
  return "`" + name + "`";
}
std::string QuotePg(const std::string& name) {
  return "\"" + name + "\"";
}

int64_t IdOf(const Cell& cell, const std::string& table) {
  if (!cell) throw std::runtime_error(table + ": a row has a NULL id");
  return std::stoll(*cell);
}

// Parses the server's text of a double exactly (strtod rounds correctly, and the server's text
// is the shortest round-trip form, so this recovers the stored bits).
double ParseDoubleText(const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) throw std::runtime_error("not a double: " + text);
  return value;
}

uint64_t ParseHexBits(const std::string& hex) {
  uint64_t bits = 0;
  auto [ptr, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), bits, 16);
  if (ec != std::errc() || ptr != hex.data() + hex.size()) {
    throw std::runtime_error("not hex bits: " + hex);
  }
  return bits;
}

Grid ToGrid(const std::vector<std::string>& names, std::vector<std::vector<Cell>> rows,
            const std::string& table) {
  Grid grid;
  grid.columns.assign(names.begin() + 1, names.end());
  for (std::vector<Cell>& row : rows) {
    const int64_t id = IdOf(row.at(0), table);
    row.erase(row.begin());
    if (!grid.rows.emplace(id, std::move(row)).second) {
      throw std::runtime_error(table + ": duplicate id " + std::to_string(id));
    }
  }
  return grid;
}

}  // namespace

std::string WithDatabase(const std::string& url, const std::string& database) {
  const size_t scheme = url.find("://");
  const size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  const std::string base = slash == std::string::npos ? url : url.substr(0, slash);
  return base + "/" + database;
}

std::string WithUser(const std::string& url, const std::string& user, const std::string& password) {
  const size_t scheme = url.find("://");
  const size_t at = url.rfind('@');
  if (scheme == std::string::npos || at == std::string::npos) {
    throw std::runtime_error("unexpected URL form: " + url);
  }
  return url.substr(0, scheme + 3) + user + ":" + password + url.substr(at);
}

// --- MariaDB ---------------------------------------------------------------------------------

MysqlDb::MysqlDb(const std::string& url, bool utc) {
  const UrlParts p = ParseMysqlUrl(url);
  conn_ = mysql_init(nullptr);
  mysql_options(conn_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  if (!mysql_real_connect(conn_, p.host.c_str(), p.user.c_str(), p.password.c_str(),
                          p.database.empty() ? nullptr : p.database.c_str(), p.port, nullptr, 0)) {
    const std::string error = mysql_error(conn_);
    mysql_close(conn_);
    conn_ = nullptr;
    throw std::runtime_error("cannot connect to MariaDB: " + error);
  }
  if (utc) Exec("SET time_zone = '+00:00'");
}

MysqlDb::~MysqlDb() {
  if (conn_) mysql_close(conn_);
}

void MysqlDb::Exec(const std::string& sql, bool allow_warnings) {
  if (mysql_real_query(conn_, sql.data(), sql.size()) != 0) {
    throw std::runtime_error("MariaDB: " + std::string(mysql_error(conn_)) +
                             "\n  in: " + sql.substr(0, 500));
  }
  if (MYSQL_RES* result = mysql_store_result(conn_)) mysql_free_result(result);
  if (!allow_warnings && mysql_warning_count(conn_) != 0) {
    // A warning means MariaDB adjusted a literal: the source would not hold what the matrix
    // says it holds.
    throw std::runtime_error("MariaDB warned on: " + sql.substr(0, 500));
  }
}

std::vector<std::vector<Cell>> MysqlDb::Query(const std::string& sql) {
  if (mysql_real_query(conn_, sql.data(), sql.size()) != 0) {
    throw std::runtime_error("MariaDB: " + std::string(mysql_error(conn_)) + "\n  in: " + sql);
  }
  MYSQL_RES* result = mysql_store_result(conn_);
  if (!result) throw std::runtime_error("MariaDB returned no rows for: " + sql);
  std::vector<std::vector<Cell>> rows;
  const unsigned n = mysql_num_fields(result);
  while (MYSQL_ROW row = mysql_fetch_row(result)) {
    const unsigned long* lengths = mysql_fetch_lengths(result);
    std::vector<Cell>& out = rows.emplace_back();
    for (unsigned i = 0; i < n; ++i) {
      out.push_back(row[i] ? Cell(std::string(row[i], lengths[i])) : std::nullopt);
    }
  }
  mysql_free_result(result);
  return rows;
}

Cell MysqlDb::Value(const std::string& sql) {
  std::vector<std::vector<Cell>> rows = Query(sql);
  if (rows.empty() || rows[0].empty()) throw std::runtime_error("no value from: " + sql);
  return rows[0][0];
}

Grid ReadMysqlTable(MysqlDb& db, const std::string& table) {
  std::vector<std::vector<Cell>> columns = db.Query(
      "SELECT COLUMN_NAME, DATA_TYPE, COALESCE(CHARACTER_SET_NAME, '') FROM "
      "information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '" +
      table + "' ORDER BY ORDINAL_POSITION");
  if (columns.empty()) throw std::runtime_error("MariaDB table " + table + " not found");
  std::vector<std::string> names;
  std::vector<std::string> kinds;
  std::string select;
  for (const std::vector<Cell>& c : columns) {
    const std::string& name = *c[0];
    const std::string& type = *c[1];
    const bool binary =
        type == "binary" || type == "varbinary" || type.ends_with("blob") || *c[2] == "binary";
    std::string expr = QuoteMysql(name);
    if (binary) expr = "LOWER(HEX(" + expr + "))";
    if (type == "bit") expr = "CAST(" + expr + " AS UNSIGNED)";
    // FLOAT's own text has 6 digits; the DOUBLE holding it prints in shortest round-trip form.
    if (type == "float") expr = "CAST(" + expr + " AS DOUBLE)";
    select += (select.empty() ? "" : ", ") + expr;
    names.push_back(name);
    kinds.push_back(type);
  }
  if (names.empty() || names[0] != "id") throw std::runtime_error(table + ": id is not first");
  std::vector<std::vector<Cell>> rows =
      db.Query("SELECT " + select + " FROM " + QuoteMysql(table) + " ORDER BY id");
  for (std::vector<Cell>& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (!row[i]) continue;
      if (kinds[i] == "float") {
        row[i] = RenderFloat(static_cast<float>(ParseDoubleText(*row[i])));
      } else if (kinds[i] == "double") {
        row[i] = RenderDouble(ParseDoubleText(*row[i]));
      }
    }
  }
  return ToGrid(names, std::move(rows), table);
}

// --- PostgreSQL ------------------------------------------------------------------------------

PgDb::PgDb(const std::string& conninfo) {
  conn_ = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn_) != CONNECTION_OK) {
    const std::string error = PQerrorMessage(conn_);
    PQfinish(conn_);
    conn_ = nullptr;
    throw std::runtime_error("cannot connect to PostgreSQL: " + error);
  }
  Exec("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'iso_8601'");
}

PgDb::~PgDb() {
  if (conn_) PQfinish(conn_);
}

void PgDb::Exec(const std::string& sql) {
  PGresult* result = PQexec(conn_, sql.c_str());
  const ExecStatusType status = PQresultStatus(result);
  PQclear(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw std::runtime_error("PostgreSQL: " + std::string(PQerrorMessage(conn_)) +
                             "  in: " + sql.substr(0, 500));
  }
}

std::vector<std::vector<Cell>> PgDb::Query(const std::string& sql) {
  PGresult* result = PQexec(conn_, sql.c_str());
  if (PQresultStatus(result) != PGRES_TUPLES_OK) {
    PQclear(result);
    throw std::runtime_error("PostgreSQL: " + std::string(PQerrorMessage(conn_)) + "  in: " + sql);
  }
  std::vector<std::vector<Cell>> rows;
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

Cell PgDb::Value(const std::string& sql) {
  std::vector<std::vector<Cell>> rows = Query(sql);
  if (rows.empty() || rows[0].empty()) throw std::runtime_error("no value from: " + sql);
  return rows[0][0];
}

Grid ReadPgTable(PgDb& db, const std::string& table) {
  std::vector<std::vector<Cell>> columns =
      db.Query("SELECT attname, atttypid::regtype::text FROM pg_attribute WHERE attrelid = '" +
               table + "'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum");
  std::vector<std::string> names;
  std::vector<std::string> kinds;
  std::string select;
  for (const std::vector<Cell>& c : columns) {
    const std::string& type = *c[1];
    std::string expr = QuotePg(*c[0]);
    // The binary send forms carry the exact bits; float4out/float8out would be exact too
    // (extra_float_digits >= 1), but the bits leave no doubt.
    if (type == "real") expr = "encode(float4send(" + expr + "), 'hex')";
    if (type == "double precision") expr = "encode(float8send(" + expr + "), 'hex')";
    if (type == "bytea") expr = "encode(" + expr + ", 'hex')";
    select += (select.empty() ? "" : ", ") + expr;
    names.push_back(*c[0]);
    kinds.push_back(type);
  }
  if (names.empty() || names[0] != "id") throw std::runtime_error(table + ": id is not first");
  std::vector<std::vector<Cell>> rows =
      db.Query("SELECT " + select + " FROM " + QuotePg(table) + " ORDER BY id");
  for (std::vector<Cell>& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (!row[i]) continue;
      if (kinds[i] == "real") {
        row[i] = RenderFloat(std::bit_cast<float>(static_cast<uint32_t>(ParseHexBits(*row[i]))));
      } else if (kinds[i] == "double precision") {
        row[i] = RenderDouble(std::bit_cast<double>(ParseHexBits(*row[i])));
      }
    }
  }
  return ToGrid(names, std::move(rows), table);
}

}  // namespace sluice::matrix
