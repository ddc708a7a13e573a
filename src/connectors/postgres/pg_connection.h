// A PostgreSQL connection through libpq: connecting (URL or key=value conninfo), the session
// settings every sluice connection uses, queries, and turning libpq failures into Status.
//
// Lifecycle: a PgConnection is opened by one thread and used by one thread at a time (libpq
// connections are not thread-safe); it is move-only and closes itself. PgResult owns one
// PGresult. Messages never contain the password: connections are described by
// ConnTarget::Describe() ("postgres at 127.0.0.1:5432/shop"), never by the conninfo text.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <libpq-fe.h>

#include "core/stall_watch.h"
#include "core/status.h"

namespace sluice::postgres {

// Where a conninfo points, for messages: host, port, database and user, no password.
struct ConnTarget {
  std::string host;
  std::string port;
  std::string dbname;
  std::string user;
  // "127.0.0.1:5432" (or the socket directory), without the database.
  std::string Address() const;
  // "127.0.0.1:5432/shop".
  std::string Describe() const;
};

// The conninfo as libpq should see it: a postgresql:// URL gets its user-info re-encoded (found
// by core/url_userinfo.h), so a password with '@', '/', '?', '#' or ':' works unescaped and no
// part of it can be taken for the host, path or query; bad percent-escapes in it are an error
// that does not echo it. key=value strings are returned as they are.
Result<std::string> NormalizeConninfo(const std::string& conninfo);

// Parses a postgresql:// URL or a key=value conninfo string (libpq's own parser) without
// connecting. Errors never echo the text, which may hold a password.
Result<ConnTarget> ParseConnTarget(const std::string& conninfo);

// The settings every sluice session runs with, so that text forms and instants never depend
// on the server's or the database's defaults. TimeZone=UTC only affects text forms (binary
// timestamptz is always UTC); IntervalStyle=iso_8601 gives intervals a portable text form.
inline constexpr const char* kSessionSettings =
    "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'iso_8601'; "
    "SET extra_float_digits = 3; SET client_encoding = 'UTF8'; "
    "SET standard_conforming_strings = on";

class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(PGresult* r) : r_(r) {}

  PGresult* get() const { return r_.get(); }
  explicit operator bool() const { return r_ != nullptr; }
  ExecStatusType status() const { return PQresultStatus(r_.get()); }
  int rows() const { return PQntuples(r_.get()); }
  bool IsNull(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  // The text of a text-format cell ("" for NULL).
  std::string_view Text(int row, int col) const {
    return std::string_view(PQgetvalue(r_.get(), row, col),
                            static_cast<size_t>(PQgetlength(r_.get(), row, col)));
  }
  std::string Str(int row, int col) const { return std::string(Text(row, col)); }
  int64_t Int(int row, int col) const;
  bool Bool(int row, int col) const { return Text(row, col) == "t"; }

 private:
  struct Clearer {
    void operator()(PGresult* r) const { PQclear(r); }
  };
  std::unique_ptr<PGresult, Clearer> r_;
};

class PgConnection {
 public:
  PgConnection() = default;

  // Connects and applies kSessionSettings. `application_name` is shown in pg_stat_activity
  // (sinks put their run id there so that Recover can find a writer a killed run left).
  static Result<PgConnection> Connect(const std::string& conninfo,
                                      const std::string& application_name = "sluice");

  PGconn* get() const { return conn_.get(); }
  explicit operator bool() const { return conn_ != nullptr; }
  const ConnTarget& target() const { return target_; }

  // Around a blocking libpq call made on get() directly (COPY): the stall watch may break it,
  // and Explain then says so (core/stall_watch.h). Exec and Query do this themselves.
  [[nodiscard]] SocketWatch::Call Busy() const { return watch_.Busy(); }
  Status Explain(Status st) const { return watch_.Explain(std::move(st)); }

  // Runs statements that return no rows we need (several may be separated by ';').
  Status Exec(std::string_view sql, std::string_view context);
  // Runs a query with text parameters (NULL for nullopt); text results.
  Result<PgResult> Query(std::string_view sql, std::string_view context,
                         const std::vector<std::optional<std::string>>& params = {});
  // The same with binary results, for values decoded like COPY binary fields.
  Result<PgResult> QueryBinary(std::string_view sql, std::string_view context);
  bool InTransaction() const;
  // Whether the connection to the server is still usable.
  bool Healthy() const { return conn_ && PQstatus(conn_.get()) == CONNECTION_OK; }
  // Gives the connection to the ConnectionCache when it is healthy and idle (no transaction,
  // no COPY); closes it otherwise. Connect with the same conninfo takes it back.
  void Recycle();

 private:
  struct Closer {
    void operator()(PGconn* c) const { PQfinish(c); }
  };
  std::unique_ptr<PGconn, Closer> conn_;
  WatchedSocket watch_;  // after conn_: detached before the socket closes
  ConnTarget target_;
  std::string conninfo_;          // the cache key (core/connection_cache.h); never printed
  std::string application_name_;  // as set on the server
};

// A Status for a failed statement: the SQLSTATE decides the code and whether a retry may help
// (connection loss, serialization failure, deadlock); the message is `context: <primary>`
// plus the detail and hint when PostgreSQL gives them.
Status ResultError(const PGresult* result, const PGconn* conn, std::string_view context);
// The SQLSTATE of a failed result ("23505"), "" when there is none.
std::string SqlState(const PGresult* result);
// The primary message of a failed result, with its detail: one line, for reject reasons.
std::string ResultMessage(const PGresult* result, const PGconn* conn);

// "name" with embedded quotes doubled, safe to splice into SQL.
std::string QuoteIdent(std::string_view name);
// 'text' with embedded quotes doubled (the session has standard_conforming_strings on).
std::string QuoteLiteral(std::string_view text);
// "schema"."name"
std::string QualifiedName(std::string_view schema, std::string_view name);

}  // namespace sluice::postgres
