#include "connectors/mysql/mysql_connection.h"

#include "core/connection_cache.h"

#include <errmsg.h>
#include <mysqld_error.h>

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <utility>

#include <fmt/format.h>

#include "connectors/mysql/mysql_names.h"

namespace sluice::mysql {
namespace {

// The session every sluice connection works in (see the header comment).
// NO_AUTO_VALUE_ON_ZERO: a copied 0 in an AUTO_INCREMENT column stays 0.
constexpr std::string_view kSessionSql =
    "SET time_zone = '+00:00', "
    "sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
    "NO_ENGINE_SUBSTITUTION,NO_AUTO_VALUE_ON_ZERO', "
    "net_write_timeout = 3600, net_read_timeout = 3600";

void InitLibraryOnce() {
  // mysql_library_init is not thread-safe; mysql_init would call it lazily from any thread.
  static std::once_flag once;
  std::call_once(once, [] { mysql_library_init(0, nullptr, nullptr); });
}

// Why a TCP connection to host:port fails, found by trying it: libmariadb's own message
// carries errno from its non-blocking connect (often EINPROGRESS, "Operation now in progress")
// rather than the real cause. Empty when the probe connects.
std::string ProbeTcp(const MysqlUrl& url) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(url.port);
  if (getaddrinfo(url.host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr) {
    return "unknown host";
  }
  std::string reason;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) continue;
    int err = 0;
    if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      err = errno;
      if (err == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        int ready = poll(&p, 1, url.connect_timeout_s * 1000);
        socklen_t len = sizeof(err);
        if (ready <= 0) {
          err = ETIMEDOUT;
        } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
          err = errno;
        }
      }
    }
    close(fd);
    if (err == 0) {
      reason.clear();
      break;
    }
    reason = std::strerror(err);
  }
  freeaddrinfo(found);
  return reason;
}

// "Can't connect to server on '127.0.0.1' (111)" -> "Connection refused".
std::string SocketReason(std::string_view message) {
  size_t open = message.rfind('(');
  size_t close = message.rfind(')');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open + 1) {
    std::string digits(message.substr(open + 1, close - open - 1));
    char* end = nullptr;
    long code = std::strtol(digits.c_str(), &end, 10);
    if (end != nullptr && *end == '\0' && code > 0) return std::strerror(static_cast<int>(code));
  }
  return std::string(message);
}

void SetTls(MYSQL* m, const MysqlUrl& url) {
  if (url.ssl_mode == SslMode::kDisabled) return;
  auto set = [m](mysql_option option, const std::string& value) {
    if (!value.empty()) mysql_optionsv(m, option, value.c_str());
  };
  set(MYSQL_OPT_SSL_CA, url.ssl_ca);
  set(MYSQL_OPT_SSL_CAPATH, url.ssl_capath);
  set(MYSQL_OPT_SSL_CERT, url.ssl_cert);
  set(MYSQL_OPT_SSL_KEY, url.ssl_key);
  set(MYSQL_OPT_SSL_CIPHER, url.ssl_cipher);
  set(MYSQL_OPT_SSL_CRL, url.ssl_crl);
  // PREFERRED: ask for TLS and fall back to plain text when the server has none.
  if (url.ssl_mode == SslMode::kPreferred) {
    mysql_ssl_set(m, nullptr, nullptr, nullptr, nullptr, nullptr);
    return;
  }
  my_bool enforce = 1;
  mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &enforce);
  // libmariadb checks the CA chain and the host name together.
  my_bool verify = url.ssl_mode == SslMode::kVerifyCa || url.ssl_mode == SslMode::kVerifyIdentity;
  mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
}

// A Status for a failed connect, one line saying what is wrong and where.
Status ConnectError(MYSQL* m, const MysqlUrl& url) {
  const unsigned code = mysql_errno(m);
  const std::string message = mysql_error(m);
  switch (code) {
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR: {
      std::string reason = SocketReason(message);
      if (url.socket.empty()) {
        std::string probed = ProbeTcp(url);
        if (!probed.empty()) reason = probed;
      }
      return Status(StatusCode::kConnection,
                    fmt::format("cannot connect to mysql at {}: {}", url.Endpoint(), reason),
                    /*retryable=*/true);
    }
    case CR_UNKNOWN_HOST:
      return Status(
          StatusCode::kConnection,
          fmt::format("cannot connect to mysql at {}: unknown host '{}'", url.Endpoint(), url.host),
          /*retryable=*/true);
    case ER_ACCESS_DENIED_ERROR:
    case ER_ACCESS_DENIED_NO_PASSWORD_ERROR:
      return Status(
          StatusCode::kConnection,
          fmt::format("authentication failed for user '{}' at mysql {}", url.user, url.Endpoint()));
    case ER_DBACCESS_DENIED_ERROR:
      return Status(StatusCode::kConnection,
                    fmt::format("user '{}' may not use database '{}' at mysql {}", url.user,
                                url.database, url.Endpoint()));
    case ER_HOST_NOT_PRIVILEGED:
      return Status(StatusCode::kConnection,
                    fmt::format("mysql {} does not accept connections from this host for user "
                                "'{}': {}",
                                url.Endpoint(), url.user, message));
    case ER_BAD_DB_ERROR:
      return Status(StatusCode::kNotFound, fmt::format("database '{}' not found at mysql {}",
                                                       url.database, url.Endpoint()));
    default:
      return MysqlError(code, message,
                        fmt::format("cannot connect to mysql at {}", url.Endpoint()));
  }
}

// Adds the databases that do exist to a "database not found" error.
Status SuggestDatabase(const MysqlUrl& url, Status st) {
  MysqlUrl without_db = url;
  without_db.database.clear();
  Result<Connection> conn = Connection::Open(without_db);
  if (!conn) return st;
  Result<std::vector<Row>> rows = conn->Query("SHOW DATABASES");
  if (!rows) return st;
  std::vector<std::string> names;
  for (const Row& r : *rows) {
    if (!r.empty() && r[0]) names.push_back(*r[0]);
  }
  return Status(st.code(), fmt::format("{} ({}databases: {})", st.message(),
                                       DidYouMean(url.database, names), JoinNames(names)));
}

}  // namespace

bool IsRetryableError(unsigned code) {
  switch (code) {
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_UNKNOWN_HOST:
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_SERVER_LOST_EXTENDED:
    case CR_ERR_NET_READ:
    case CR_ERR_NET_WRITE:
    case ER_CON_COUNT_ERROR:
    case ER_TOO_MANY_USER_CONNECTIONS:
    case ER_SERVER_SHUTDOWN:
    case ER_NET_READ_ERROR:
    case ER_NET_READ_INTERRUPTED:
    case ER_NET_WRITE_INTERRUPTED:
    case ER_LOCK_WAIT_TIMEOUT:
    case ER_LOCK_DEADLOCK:
    case ER_QUERY_INTERRUPTED:
      return true;
    default:
      return false;
  }
}

Status MysqlError(unsigned code, std::string_view message, std::string_view context) {
  StatusCode kind = StatusCode::kIoError;
  if (code >= 2000 && code < 3000) {
    kind = StatusCode::kConnection;  // client-side: network and protocol
  } else if (code == ER_NO_SUCH_TABLE || code == ER_BAD_FIELD_ERROR || code == ER_BAD_DB_ERROR) {
    kind = StatusCode::kNotFound;
  } else if (code == ER_DUP_ENTRY) {
    kind = StatusCode::kConflict;
  } else if (code == ER_PARSE_ERROR) {
    kind = StatusCode::kInvalidArgument;
  } else if (code == ER_ACCESS_DENIED_ERROR || code == ER_TABLEACCESS_DENIED_ERROR ||
             code == ER_DBACCESS_DENIED_ERROR) {
    kind = StatusCode::kConnection;
  }
  std::string text = context.empty()
                         ? fmt::format("{} (mysql error {})", message, code)
                         : fmt::format("{}: {} (mysql error {})", context, message, code);
  return Status(kind, std::move(text), IsRetryableError(code));
}

Result<Connection> Connection::Open(const MysqlUrl& url, bool local_infile) {
  InitLibraryOnce();
  // Every setting that shapes the session is part of the key; it stays in memory.
  std::string key =
      fmt::format("mysql|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", url.Masked(), url.password, url.socket,
                  static_cast<int>(url.ssl_mode), url.ssl_ca, url.ssl_capath, url.ssl_cert,
                  url.ssl_key, url.ssl_cipher, url.ssl_crl, local_infile);
  ConnectionCache* cache = ConnectionCache::Current();
  if (std::optional<Connection> cached = cache ? cache->Take<Connection>(key) : std::nullopt) {
    return std::move(*cached);
  }
  Connection conn;
  conn.cache_key_ = std::move(key);
  conn.mysql_ = mysql_init(nullptr);
  if (conn.mysql_ == nullptr) return Err(Status::Internal("mysql: out of memory in mysql_init"));
  conn.endpoint_ = url.Endpoint();
  MYSQL* m = conn.mysql_;
  mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  unsigned int timeout = static_cast<unsigned int>(url.connect_timeout_s);
  mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  unsigned int infile = local_infile ? 1 : 0;
  mysql_optionsv(m, MYSQL_OPT_LOCAL_INFILE, &infile);
  // Option files are not read: the URL is the whole configuration.
  SetTls(m, url);
  const char* host = url.socket.empty() ? url.host.c_str() : nullptr;
  const char* socket = url.socket.empty() ? nullptr : url.socket.c_str();
  const char* db = url.database.empty() ? nullptr : url.database.c_str();
  if (mysql_real_connect(m, host, url.user.c_str(), url.password.c_str(), db,
                         static_cast<unsigned int>(url.port), socket, 0) == nullptr) {
    Status st = ConnectError(m, url);
    const bool unknown_db = mysql_errno(m) == ER_BAD_DB_ERROR;
    conn.Close();
    if (unknown_db) st = SuggestDatabase(url, std::move(st));
    return Err(std::move(st));
  }
  // libmariadb goes on without TLS when the server has none, whatever MYSQL_OPT_SSL_ENFORCE
  // says; REQUIRED and stricter modes are enforced here. (The password never crosses the wire
  // in clear: the handshake sends only a scramble.)
  if (url.ssl_mode >= SslMode::kRequired && mysql_get_ssl_cipher(m) == nullptr) {
    return Err(Status(
        StatusCode::kConnection,
        fmt::format("mysql at {} does not offer TLS, which ssl-mode requires", url.Endpoint())));
  }
  conn.watch_ =
      WatchedSocket(SocketWatch::Register(mysql_get_socket(m), "mysql at " + url.Endpoint()));
  SLUICE_RETURN_IF_ERROR(conn.Exec(kSessionSql));
  return conn;
}

Connection::~Connection() {
  Close();
}

Connection::Connection(Connection&& other) noexcept
    : mysql_(std::exchange(other.mysql_, nullptr)),
      watch_(std::move(other.watch_)),
      endpoint_(std::move(other.endpoint_)),
      cache_key_(std::move(other.cache_key_)) {}

void Connection::Recycle() {
  if (mysql_ == nullptr) return;
  ConnectionCache* cache = ConnectionCache::Current();
  if (cache_key_.empty() || cache == nullptr) {
    Close();
    return;
  }
  const std::string key = cache_key_;
  cache->Give(key, std::move(*this));
}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    Close();
    mysql_ = std::exchange(other.mysql_, nullptr);
    watch_ = std::move(other.watch_);
    endpoint_ = std::move(other.endpoint_);
    cache_key_ = std::move(other.cache_key_);
  }
  return *this;
}

void Connection::Close() {
  watch_.Reset();  // before the socket closes
  if (mysql_ != nullptr) mysql_close(mysql_);
  mysql_ = nullptr;
}

Status Connection::LastError(std::string_view context) const {
  return watch_.Explain(MysqlError(mysql_errno(mysql_), mysql_error(mysql_), context));
}

Status Connection::Exec(std::string_view sql) {
  auto busy = Busy();
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return LastError("mysql");
  // Drain every result (a statement may return one; multi-statements are off).
  MYSQL_RES* res = mysql_store_result(mysql_);
  if (res != nullptr) mysql_free_result(res);
  if (mysql_errno(mysql_) != 0) return LastError("mysql");
  return Status::OK();
}

Result<std::vector<Row>> Connection::Query(std::string_view sql) {
  auto busy = Busy();
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return Err(LastError("mysql"));
  MYSQL_RES* res = mysql_store_result(mysql_);
  if (res == nullptr) {
    if (mysql_errno(mysql_) != 0) return Err(LastError("mysql"));
    return std::vector<Row>();
  }
  std::vector<Row> rows;
  const unsigned n = mysql_num_fields(res);
  while (MYSQL_ROW r = mysql_fetch_row(res)) {
    unsigned long* lengths = mysql_fetch_lengths(res);
    Row row(n);
    for (unsigned i = 0; i < n; ++i) {
      if (r[i] != nullptr) row[i] = std::string(r[i], lengths[i]);
    }
    rows.push_back(std::move(row));
  }
  mysql_free_result(res);
  return rows;
}

Result<std::optional<Row>> Connection::QueryRow(std::string_view sql) {
  SLUICE_ASSIGN_OR_RETURN(std::vector<Row> rows, Query(sql));
  if (rows.empty()) return std::optional<Row>();
  return std::optional<Row>(std::move(rows.front()));
}

std::string QuoteIdent(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  return out + "`";
}

std::string QuoteQualified(std::string_view db, std::string_view table) {
  return QuoteIdent(db) + "." + QuoteIdent(table);
}

std::string QuoteString(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    switch (c) {
      case '\0':
        out += "\\0";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\'':
        out += "\\'";
        break;
      case '\x1a':
        out += "\\Z";
        break;
      default:
        out += c;
    }
  }
  return out + "'";
}

}  // namespace sluice::mysql
