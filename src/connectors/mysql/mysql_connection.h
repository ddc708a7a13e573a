// Connection: one libmariadb session (MYSQL*), set up the way every sluice session needs it.
//
// Every session is opened with charset utf8mb4, time_zone '+00:00' (TIMESTAMP values travel as
// UTC instants), a fixed sql_mode (strict, no zero dates, backslash escapes on, so our literals
// mean what we think) and long network timeouts (a reader may wait on a full pipeline queue).
// Lifecycle: move-only; used by one thread at a time; closes itself.
// Errors are mapped once, here: connection-level failures (refused, lost, too many connections)
// and lock timeouts/deadlocks are retryable; access denied and SQL errors are not.
#pragma once

#include <mysql.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/mysql/mysql_url.h"
#include "core/stall_watch.h"
#include "core/status.h"

namespace sluice::mysql {

// A result row of a small, buffered query; NULL is nullopt.
using Row = std::vector<std::optional<std::string>>;

class Connection {
 public:
  Connection() = default;
  // Connects, authenticates and sets the session up. `local_infile` enables LOAD DATA LOCAL.
  static Result<Connection> Open(const MysqlUrl& url, bool local_infile = false);
  ~Connection();
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  MYSQL* get() const { return mysql_; }
  explicit operator bool() const { return mysql_ != nullptr; }
  const std::string& endpoint() const { return endpoint_; }

  // Runs one statement and discards its result, if any.
  Status Exec(std::string_view sql);
  // Runs a query and buffers its rows: for metadata and other small results only.
  Result<std::vector<Row>> Query(std::string_view sql);
  // The first row of a query, if any.
  Result<std::optional<Row>> QueryRow(std::string_view sql);

  // Around a blocking call made on get() directly (LOAD DATA, a streamed fetch): the stall
  // watch may break it, and LastError then says so (core/stall_watch.h).
  [[nodiscard]] SocketWatch::Call Busy() const { return watch_.Busy(); }

  // The Status for the session's last error, prefixed with `context`; a call the stall watch
  // broke says that instead.
  Status LastError(std::string_view context) const;
  void Close();
  // Gives an idle connection (no transaction, no pending result) to the ConnectionCache for
  // the next Open with the same settings; closes it when reuse is off.
  void Recycle();

 private:
  MYSQL* mysql_ = nullptr;
  WatchedSocket watch_;
  std::string endpoint_;
  std::string cache_key_;  // the settings it was opened with (core/connection_cache.h)
};

// The Status for error `code` with the server's `message`: the code decides kind and
// retryability. `context` prefixes the message ("mysql target: LOAD DATA").
Status MysqlError(unsigned code, std::string_view message, std::string_view context);
// Whether `code` is one that a retry of the whole run may cure (network, deadlock, timeouts).
bool IsRetryableError(unsigned code);

// `name` with embedded backquotes doubled.
std::string QuoteIdent(std::string_view name);
// `db`.`table`
std::string QuoteQualified(std::string_view db, std::string_view table);
// 'text' with ', \, NUL, newline, CR and Ctrl-Z backslash-escaped (the session's sql_mode
// keeps backslash escapes on).
std::string QuoteString(std::string_view text);

}  // namespace sluice::mysql
