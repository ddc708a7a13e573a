#include "connectors/postgres/pg_connection.h"

#include "core/connection_cache.h"

#include <charconv>
#include <optional>

#include <fmt/format.h>

#include "core/url_userinfo.h"

namespace sluice::postgres {
namespace {

std::string FirstLine(std::string_view text) {
  size_t end = text.find('\n');
  std::string_view line = text.substr(0, end);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
  return std::string(line);
}

// The text between the first two double quotes after `marker`, e.g. the user name in
// `password authentication failed for user "x"`.
std::string QuotedAfter(std::string_view text, std::string_view marker) {
  size_t at = text.find(marker);
  if (at == std::string_view::npos) return "";
  size_t open = text.find('"', at + marker.size());
  if (open == std::string_view::npos) return "";
  size_t close = text.find('"', open + 1);
  if (close == std::string_view::npos) return "";
  return std::string(text.substr(open + 1, close - open - 1));
}

// libpq's connection failure text, reduced to its reason: `connection to server at "h",
// port 1 failed: FATAL:  password authentication failed ...` -> `password authentication...`.
std::string ConnectReason(std::string_view raw) {
  std::string line = FirstLine(raw);
  std::string_view reason = line;
  if (size_t at = reason.find("failed: "); at != std::string_view::npos) {
    reason.remove_prefix(at + 8);
  }
  for (std::string_view prefix : {"FATAL:  ", "ERROR:  "}) {
    if (reason.starts_with(prefix)) reason.remove_prefix(prefix.size());
  }
  return std::string(reason);
}

Status ConnectError(const ConnTarget& target, std::string_view raw) {
  const std::string reason = ConnectReason(raw);
  const std::string where = target.Address();
  if (reason.find("password authentication failed") != std::string::npos ||
      reason.find("no password supplied") != std::string::npos ||
      reason.find("password is required") != std::string::npos) {
    std::string user = QuotedAfter(reason, "for user");
    if (user.empty()) user = target.user;
    return Status(StatusCode::kConnection,
                  fmt::format("postgres at {}: authentication failed for user '{}'", where, user));
  }
  if (std::string role = QuotedAfter(reason, "role");
      !role.empty() && reason.find("does not exist") != std::string::npos) {
    return Status(StatusCode::kConnection,
                  fmt::format("postgres at {}: authentication failed for user '{}' (no such role)",
                              where, role));
  }
  if (std::string db = QuotedAfter(reason, "database");
      !db.empty() && reason.find("does not exist") != std::string::npos) {
    return Status(StatusCode::kNotFound,
                  fmt::format("postgres at {}: database '{}' does not exist", where, db));
  }
  // Refused, unreachable, timed out, too many clients, starting up: worth retrying.
  return Status(StatusCode::kConnection,
                fmt::format("cannot connect to postgres at {}: {}", where, reason),
                /*retryable=*/true);
}

StatusCode CodeForState(std::string_view state) {
  if (state.starts_with("08") || state == "57P01" || state == "57P02" || state == "57P03") {
    return StatusCode::kConnection;
  }
  if (state == "42P01" || state == "42703" || state == "3D000" || state == "3F000" ||
      state == "42704") {
    return StatusCode::kNotFound;
  }
  if (state.starts_with("22") || state.starts_with("23")) return StatusCode::kDataError;
  if (state.starts_with("42")) return StatusCode::kInvalidArgument;
  if (state == "57014") return StatusCode::kCancelled;
  return StatusCode::kIoError;
}

bool RetryableState(std::string_view state) {
  return state.starts_with("08") || state == "40001" || state == "40P01" || state == "57P01" ||
         state == "57P02" || state == "57P03" || state == "53300";
}

bool IsUrl(std::string_view conninfo) {
  return conninfo.starts_with("postgresql://") || conninfo.starts_with("postgres://");
}

// libpq's parse error for a key=value conninfo, with every quoted token that is part of a
// password value replaced: libpq quotes what it could not parse (`missing "=" after "cd"`), and
// an unquoted password with a space is split into such tokens. The password value is taken to
// run to the end of the text (or of its quotes), so no part of it is ever quoted back.
std::string ScrubParseError(std::string_view conninfo, std::string message) {
  std::string secrets;
  for (size_t at = conninfo.find("password"); at != std::string_view::npos;
       at = conninfo.find("password", at + 1)) {
    secrets += conninfo.substr(at + 8);
    secrets += '\n';
  }
  if (secrets.empty()) return message;
  std::string out;
  size_t pos = 0;
  while (pos < message.size()) {
    const size_t open = message.find('"', pos);
    const size_t close = open == std::string::npos ? open : message.find('"', open + 1);
    if (close == std::string::npos) break;
    const std::string_view token = std::string_view(message).substr(open + 1, close - open - 1);
    out.append(message, pos, open + 1 - pos);
    const bool secret = token != "=" && secrets.find(token) != std::string::npos;
    out += secret ? "***" : std::string(token);
    out += '"';
    pos = close + 1;
  }
  out.append(message, pos, std::string::npos);
  return out;
}

}  // namespace

Result<std::string> NormalizeConninfo(const std::string& conninfo) {
  if (!IsUrl(conninfo)) return conninfo;
  const size_t scheme_end = conninfo.find("://") + 3;
  const std::string_view rest = std::string_view(conninfo).substr(scheme_end);
  const std::optional<size_t> at = FindUserInfoEnd(rest);
  if (!at) return conninfo;
  const std::string_view userinfo = rest.substr(0, *at);
  const size_t colon = userinfo.find(':');
  std::optional<std::string> user = PercentDecode(userinfo.substr(0, colon));
  std::optional<std::string> password;
  if (colon != std::string_view::npos) {
    password = PercentDecode(userinfo.substr(colon + 1));
    if (!password) {
      return Err(Status::Invalid(
          "invalid postgres url: bad percent-escape in the password (a '%' must start %XX; "
          "write a literal '%' as %25)"));
    }
  }
  if (!user) return Err(Status::Invalid("invalid postgres url: bad percent-escape in the user"));
  std::string out = conninfo.substr(0, scheme_end) + PercentEncode(*user);
  if (password) out += ":" + PercentEncode(*password);
  out += rest.substr(*at);
  return out;
}

std::string ConnTarget::Address() const {
  std::string h = host.empty() ? "localhost" : host;
  return port.empty() ? h : h + ":" + port;
}

std::string ConnTarget::Describe() const {
  return dbname.empty() ? Address() : Address() + "/" + dbname;
}

Result<ConnTarget> ParseConnTarget(const std::string& text) {
  SLUICE_ASSIGN_OR_RETURN(const std::string conninfo, NormalizeConninfo(text));
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &err);
  if (options == nullptr) {
    // libpq's message names the bad part (a key, a token, the URI syntax). A URL's user-info
    // is encoded by NormalizeConninfo, so it is never that part; a key=value password may be.
    std::string why = err != nullptr ? FirstLine(err) : "not a conninfo string";
    if (!IsUrl(conninfo)) why = ScrubParseError(conninfo, std::move(why));
    if (err != nullptr) PQfreemem(err);
    return Err(Status::Invalid("invalid postgres url or conninfo: {}", why));
  }
  ConnTarget target;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    std::string_view key = o->keyword;
    if (key == "host" || (key == "hostaddr" && target.host.empty())) target.host = o->val;
    if (key == "port") target.port = o->val;
    if (key == "dbname") target.dbname = o->val;
    if (key == "user") target.user = o->val;
  }
  PQconninfoFree(options);
  if (target.port.empty()) target.port = "5432";
  return target;
}

int64_t PgResult::Int(int row, int col) const {
  std::string_view t = Text(row, col);
  int64_t v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

Result<PgConnection> PgConnection::Connect(const std::string& conninfo,
                                           const std::string& application_name) {
  ConnectionCache* cache = ConnectionCache::Current();
  if (std::optional<PgConnection> cached =
          cache ? cache->Take<PgConnection>("postgres|" + conninfo) : std::nullopt) {
    if (cached->application_name_ != application_name) {
      SLUICE_RETURN_IF_ERROR(
          cached->Exec(fmt::format("SET application_name = {}", QuoteLiteral(application_name)),
                       "postgres: application_name"));
      cached->application_name_ = application_name;
    }
    return std::move(*cached);
  }
  SLUICE_ASSIGN_OR_RETURN(ConnTarget target, ParseConnTarget(conninfo));
  SLUICE_ASSIGN_OR_RETURN(const std::string normalized, NormalizeConninfo(conninfo));
  // Later keywords override earlier ones and the expanded dbname: a timeout the user gave in
  // the conninfo wins over ours; our application_name wins over theirs (Recover relies on it).
  const char* keys[] = {"connect_timeout", "dbname", "application_name", nullptr};
  const char* values[] = {"10", normalized.c_str(), application_name.c_str(), nullptr};
  PgConnection c;
  c.target_ = std::move(target);
  c.conn_.reset(PQconnectdbParams(keys, values, /*expand_dbname=*/1));
  if (!c.conn_) return Err(Status(StatusCode::kConnection, "libpq: out of memory", true));
  if (PQstatus(c.conn_.get()) != CONNECTION_OK) {
    return Err(ConnectError(c.target_, PQerrorMessage(c.conn_.get())));
  }
  if (c.target_.user.empty()) c.target_.user = PQuser(c.conn_.get());
  c.watch_ = WatchedSocket(
      SocketWatch::Register(PQsocket(c.conn_.get()), "postgres at " + c.target_.Address()));
  // NOTICEs ("relation already exists, skipping") are not for the user's terminal.
  PQsetNoticeProcessor(
      c.conn_.get(), [](void*, const char*) {}, nullptr);
  SLUICE_RETURN_IF_ERROR(c.Exec(kSessionSettings, "postgres: session settings"));
  c.conninfo_ = conninfo;
  c.application_name_ = application_name;
  return c;
}

void PgConnection::Recycle() {
  if (!conn_) return;
  const bool idle = Healthy() && PQtransactionStatus(conn_.get()) == PQTRANS_IDLE;
  ConnectionCache* cache = ConnectionCache::Current();
  if (!idle || conninfo_.empty() || cache == nullptr) {
    watch_.Reset();
    conn_.reset();
    return;
  }
  const std::string key = "postgres|" + conninfo_;
  cache->Give(key, std::move(*this));
}

Status PgConnection::Exec(std::string_view sql, std::string_view context) {
  auto busy = Busy();
  PgResult r(PQexec(conn_.get(), std::string(sql).c_str()));
  ExecStatusType st = r ? r.status() : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) {
    return Status::OK();
  }
  return Explain(ResultError(r.get(), conn_.get(), context));
}

Result<PgResult> PgConnection::Query(std::string_view sql, std::string_view context,
                                     const std::vector<std::optional<std::string>>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  auto busy = Busy();
  PgResult r(PQexecParams(conn_.get(), std::string(sql).c_str(), static_cast<int>(params.size()),
                          nullptr, values.data(), nullptr, nullptr, /*resultFormat=*/0));
  ExecStatusType st = r ? r.status() : PGRES_FATAL_ERROR;
  if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) return r;
  return Err(Explain(ResultError(r.get(), conn_.get(), context)));
}

Result<PgResult> PgConnection::QueryBinary(std::string_view sql, std::string_view context) {
  auto busy = Busy();
  PgResult r(PQexecParams(conn_.get(), std::string(sql).c_str(), 0, nullptr, nullptr, nullptr,
                          nullptr, /*resultFormat=*/1));
  ExecStatusType st = r ? r.status() : PGRES_FATAL_ERROR;
  if (st == PGRES_TUPLES_OK) return r;
  return Err(Explain(ResultError(r.get(), conn_.get(), context)));
}

bool PgConnection::InTransaction() const {
  if (!conn_) return false;
  PGTransactionStatusType t = PQtransactionStatus(conn_.get());
  return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

std::string SqlState(const PGresult* result) {
  if (result == nullptr) return "";
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  return state != nullptr ? state : "";
}

std::string ResultMessage(const PGresult* result, const PGconn* conn) {
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  if (primary == nullptr) {
    // No server error: the connection broke or libpq itself failed.
    std::string raw = conn != nullptr ? PQerrorMessage(conn) : "";
    if (result != nullptr && *PQresultErrorMessage(result) != '\0') {
      raw = PQresultErrorMessage(result);
    }
    return raw.empty() ? "unknown error" : FirstLine(raw);
  }
  std::string message = primary;
  if (const char* detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL)) {
    message += fmt::format(" ({})", FirstLine(detail));
  }
  if (const char* column = PQresultErrorField(result, PG_DIAG_COLUMN_NAME)) {
    message += fmt::format(" [column {}]", column);
  }
  return message;
}

Status ResultError(const PGresult* result, const PGconn* conn, std::string_view context) {
  std::string state = SqlState(result);
  std::string message = fmt::format("{}: {}", context, ResultMessage(result, conn));
  if (result != nullptr) {
    if (const char* hint = PQresultErrorField(result, PG_DIAG_MESSAGE_HINT)) {
      message += fmt::format(" (hint: {})", FirstLine(hint));
    }
  }
  if (state.empty()) {
    // No SQLSTATE: the connection was lost (or never there).
    bool broken = conn == nullptr || PQstatus(conn) != CONNECTION_OK;
    return Status(broken ? StatusCode::kConnection : StatusCode::kIoError, message, broken);
  }
  return Status(CodeForState(state), message, RetryableState(state));
}

std::string QuoteIdent(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string QuoteLiteral(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string QualifiedName(std::string_view schema, std::string_view name) {
  return schema.empty() ? QuoteIdent(name) : QuoteIdent(schema) + "." + QuoteIdent(name);
}

}  // namespace sluice::postgres
