#include "state/pg_session.h"

#include <poll.h>

#include <cerrno>
#include <charconv>
#include <chrono>

#include <fmt/format.h>

#include "core/stall_watch.h"

namespace sluice {
namespace {

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string FirstLine(std::string_view text) {
  std::string_view line = text.substr(0, text.find('\n'));
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
  return std::string(line);
}

// libpq's connection failure, reduced to its reason: `connection to server at "h", port 1
// failed: FATAL:  password authentication failed for user "u"` -> `password authentication...`.
std::string ConnectReason(std::string_view raw) {
  std::string line = FirstLine(raw);
  std::string_view reason = line;
  if (const size_t at = reason.find("failed: "); at != std::string_view::npos) {
    reason.remove_prefix(at + 8);
  }
  for (std::string_view prefix : {"FATAL:  ", "ERROR:  "}) {
    if (reason.starts_with(prefix)) reason.remove_prefix(prefix.size());
  }
  return std::string(reason.empty() ? std::string_view("unknown error") : reason);
}

// Lock and statement timeouts, serialization failures, deadlocks, too many connections, a
// server shutting down: the same call may well succeed later.
bool RetryableState(std::string_view state) {
  return state == "55P03" || state == "57014" || state == "40001" || state == "40P01" ||
         state == "53300" || state.starts_with("57P") || state.starts_with("08");
}

// The session the store's statements rely on. Timeouts the server, role or URL already set
// are kept; where none is set, ours bound how long a stuck lock or a paused client can hold
// others up. `$1`: "on" for a read-only session.
constexpr const char* kSessionSetup = R"sql(
SELECT set_config('client_encoding', 'UTF8', false),
       set_config('default_transaction_read_only', $1, false),
       CASE WHEN current_setting('statement_timeout') = '0'
            THEN set_config('statement_timeout', '30s', false) END,
       CASE WHEN current_setting('lock_timeout') = '0'
            THEN set_config('lock_timeout', '10s', false) END,
       CASE WHEN current_setting('idle_in_transaction_session_timeout') = '0'
            THEN set_config('idle_in_transaction_session_timeout', '30s', false) END
)sql";

}  // namespace

std::string PgRows::Text(int row, int col) const {
  return std::string(PQgetvalue(r_.get(), row, col),
                     static_cast<size_t>(PQgetlength(r_.get(), row, col)));
}

std::optional<std::string> PgRows::Optional(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return Text(row, col);
}

int64_t PgRows::Int(int row, int col) const {
  const char* text = PQgetvalue(r_.get(), row, col);
  int64_t v = 0;
  std::from_chars(text, text + PQgetlength(r_.get(), row, col), v);
  return v;
}

Result<std::unique_ptr<PgSession>> PgSession::Connect(const PgStoreUrl& url, bool read_only) {
  // Ours first: the URL's own values (dbname is expanded in place) win over them.
  const char* keys[] = {"connect_timeout",
                        "keepalives",
                        "keepalives_idle",
                        "keepalives_count",
                        "keepalives_interval",
                        "tcp_user_timeout",
                        "application_name",
                        "dbname",
                        nullptr};
  const char* values[] = {
      "10", "1", "30", "3", "10", "30000", "sluice state", url.conninfo().c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr) {
    return Err(Status(StatusCode::kConnection, "libpq: out of memory", /*retryable=*/true));
  }
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string reason = url.Scrub(ConnectReason(PQerrorMessage(conn)));
    PQfinish(conn);
    const bool auth = reason.find("password") != std::string::npos ||
                      reason.find("authentication") != std::string::npos ||
                      reason.find("does not exist") != std::string::npos;
    return Err(Status(StatusCode::kConnection,
                      fmt::format("cannot connect to {}: {}", url.Describe(), reason),
                      /*retryable=*/!auth));
  }
  PgStoreUrl reached = url;
  reached.SetConnected(PQuser(conn), PQhost(conn), PQport(conn), PQdb(conn));
  std::unique_ptr<PgSession> session(new PgSession(conn, std::move(reached)));
  // NOTICEs ("relation already exists, skipping") are not for the user's terminal.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  if (PQsetnonblocking(conn, 1) != 0) {
    return Err(Status(StatusCode::kConnection, "libpq: cannot make the connection non-blocking"));
  }
  SLUICE_RETURN_IF_ERROR(session->Run(kSessionSetup, {read_only ? "on" : "off"}));
  return session;
}

PgSession::~PgSession() {
  if (conn_ != nullptr) PQfinish(conn_);
}

short PgSession::Wait(short events, int64_t deadline_ms) {
  pollfd fd{PQsocket(conn_), events, 0};
  while (true) {
    const int timeout =
        deadline_ms < 0 ? -1 : static_cast<int>(std::max<int64_t>(0, deadline_ms - SteadyMs()));
    const int n = ::poll(&fd, 1, timeout);
    if (n > 0) return fd.revents;
    if (n == 0) return 0;
    if (errno != EINTR) return POLLERR;  // let libpq find out what is wrong
  }
}

Status PgSession::Stalled(int64_t waited_ms) {
  PQfinish(conn_);
  conn_ = nullptr;
  return Status(StatusCode::kConnection,
                fmt::format("no answer from the server for {} s (settings.stall_timeout); the "
                            "connection was dropped",
                            waited_ms / 1000),
                /*retryable=*/true);
}

Status PgSession::ErrorOf(const PGresult* result) {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary =
      result != nullptr ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  if (state == nullptr || primary == nullptr || lost()) {
    std::string raw = conn_ != nullptr ? PQerrorMessage(conn_) : "";
    if (result != nullptr && *PQresultErrorMessage(result) != '\0') {
      raw = PQresultErrorMessage(result);
    }
    return Status(StatusCode::kConnection,
                  url_.Scrub("connection lost: " + FirstLine(raw.empty() ? "unknown error" : raw)),
                  /*retryable=*/true);
  }
  std::string message = primary;
  if (const char* detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL)) {
    message += fmt::format(" ({})", FirstLine(detail));
  }
  return Status(StatusCode::kIoError, url_.Scrub(std::move(message)), RetryableState(state));
}

Result<PgRows> PgSession::Run(std::string_view sql, const PgParams& params) {
  if (conn_ == nullptr) {
    return Err(Status(StatusCode::kConnection, "connection lost earlier", /*retryable=*/true));
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) {
    // libpq takes parameters as C strings: a NUL would cut the value short, silently.
    if (p && p->find('\0') != std::string::npos) {
      return Err(Status::DataError("a value holds a NUL byte, which PostgreSQL text cannot hold"));
    }
    values.push_back(p ? p->c_str() : nullptr);
  }
  const int64_t start = SteadyMs();
  const int stall_s = StallTimeoutSeconds();
  const int64_t deadline = stall_s > 0 ? start + int64_t{stall_s} * 1000 : -1;
  if (PQsendQueryParams(conn_, std::string(sql).c_str(), static_cast<int>(params.size()), nullptr,
                        values.data(), nullptr, nullptr, /*resultFormat=*/0) == 0) {
    return Err(ErrorOf(nullptr));
  }
  // Non-blocking: send what libpq buffered, reading whatever the server sends meanwhile.
  int flushed;
  while ((flushed = PQflush(conn_)) == 1) {
    const short got = Wait(POLLIN | POLLOUT, deadline);
    if (got == 0) return Err(Stalled(SteadyMs() - start));
    if ((got & POLLIN) != 0 && PQconsumeInput(conn_) == 0) break;
  }
  // One statement: one result, then nullptr. PQgetResult would block (without a deadline)
  // while a result is incomplete, so input is awaited here first, before each call. A broken
  // connection yields its error result.
  std::optional<PgRows> first;
  std::optional<Status> stalled;
  while (flushed == 0 && !stalled) {
    while (PQisBusy(conn_) != 0) {
      if (Wait(POLLIN, deadline) == 0) {
        stalled = Stalled(SteadyMs() - start);
        break;
      }
      if (PQconsumeInput(conn_) == 0) break;
    }
    if (stalled) break;  // a result that came before the stall still counts
    PGresult* r = PQgetResult(conn_);
    if (r == nullptr) break;
    if (!first) {
      first.emplace(r);
    } else {
      PQclear(r);
    }
    if (lost()) break;
  }
  if (!first) return Err(stalled ? *stalled : ErrorOf(nullptr));
  const ExecStatusType st = PQresultStatus(first->get());
  // A result that came back is the truth even if the connection broke right after it (a COMMIT
  // that answered is committed).
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return std::move(*first);
  return Err(ErrorOf(first->get()));
}

}  // namespace sluice
