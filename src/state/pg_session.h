// One libpq connection of the PostgreSQL state store, with a deadline on every statement.
//
// The store's statements are tiny, so a statement that has not answered within the stall
// timeout (core/stall_watch.h, settings.stall_timeout) is taken as a hung server: the connection
// is closed and the call fails, instead of waiting forever on a server that still acknowledges
// TCP (SIGSTOP, a frozen VM). The process-wide StallWatch is not used on purpose: it breaks
// every call once a run is cancelled, and the state calls made after a cancel (discarding the
// run, releasing the lease) are the ones that must still get through. The server side is
// bounded too: statement_timeout, lock_timeout and idle_in_transaction_session_timeout (a
// paused client cannot keep a lease row locked), and TCP keepalives.
//
// Lifecycle: made by Connect, used by one thread at a time (the store holds a mutex), closed
// when destroyed. Once lost() it is never used again: the store connects anew.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "state/pg_store_url.h"

namespace sluice {

// The rows of one statement, text format.
class PgRows {
 public:
  explicit PgRows(PGresult* r) : r_(r) {}
  PGresult* get() const { return r_.get(); }
  int size() const { return PQntuples(r_.get()); }
  bool IsNull(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  std::string Text(int row, int col) const;
  std::optional<std::string> Optional(int row, int col) const;
  int64_t Int(int row, int col) const;
  bool Bool(int row, int col) const { return Text(row, col) == "t"; }
  // "COMMIT", "ROLLBACK", "INSERT 0 1"...
  std::string_view CommandTag() const { return PQcmdStatus(r_.get()); }

 private:
  struct Clear {
    void operator()(PGresult* r) const { PQclear(r); }
  };
  std::unique_ptr<PGresult, Clear> r_;
};

using PgParams = std::vector<std::optional<std::string>>;

class PgSession {
 public:
  // Connects (connect_timeout, keepalives, application_name "sluice state", unless the URL sets
  // them) and sets the session up; `read_only` sessions refuse every write. Errors never hold
  // the password.
  static Result<std::unique_ptr<PgSession>> Connect(const PgStoreUrl& url, bool read_only);
  ~PgSession();
  PgSession(const PgSession&) = delete;
  PgSession& operator=(const PgSession&) = delete;

  // Runs one statement with text parameters ($1...; nullopt is NULL). Errors: the server's
  // message (code by SQLSTATE: kIoError, retryable for lock and statement timeouts,
  // serialization failures and deadlocks), or kConnection when the connection was lost or the
  // server did not answer within the deadline (then lost() is true).
  Result<PgRows> Run(std::string_view sql, const PgParams& params = {});
  bool lost() const { return conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK; }
  // The URL with what the connection reached filled in (PgStoreUrl::SetConnected).
  const PgStoreUrl& url() const { return url_; }

 private:
  PgSession(PGconn* conn, PgStoreUrl url) : conn_(conn), url_(std::move(url)) {}
  // Waits for `events` on the socket until `deadline_ms` (steady clock; -1: no deadline).
  // Returns the events that came, 0 when the deadline passed.
  short Wait(short events, int64_t deadline_ms);
  // Closes the connection: the server did not answer in time.
  Status Stalled(int64_t waited_ms);
  Status ErrorOf(const PGresult* result);

  PGconn* conn_;
  PgStoreUrl url_;
};

}  // namespace sluice
