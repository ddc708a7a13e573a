#include "connectors/mysql/mysql_url.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

#include <fmt/format.h>

#include "core/url_userinfo.h"

namespace sluice::mysql {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return c == '_' ? '-' : static_cast<char>(std::tolower(c));
  });
  return out;
}

// Percent-decoding; '+' stays '+' (it is a legal password character). The text is never
// echoed: it may be (part of) a password.
Result<std::string> Decode(std::string_view text, std::string_view what) {
  std::optional<std::string> decoded = PercentDecode(text);
  if (!decoded) {
    return Err(Status::Invalid(
        "mysql url: bad percent-escape in the {} (a '%' must start %XX; write a literal '%' as "
        "%25)",
        what));
  }
  return std::move(*decoded);
}

Result<SslMode> ParseSslMode(std::string_view text) {
  std::string v = Lower(text);
  if (v == "disabled" || v == "disable") return SslMode::kDisabled;
  if (v == "preferred" || v == "prefer") return SslMode::kPreferred;
  if (v == "required" || v == "require") return SslMode::kRequired;
  if (v == "verify-ca") return SslMode::kVerifyCa;
  if (v == "verify-identity" || v == "verify-full") return SslMode::kVerifyIdentity;
  return Err(Status::Invalid(
      "mysql url: ssl-mode '{}' is not one of DISABLED, PREFERRED, REQUIRED, VERIFY_CA, "
      "VERIFY_IDENTITY",
      text));
}

Status ApplyParam(MysqlUrl& url, std::string_view key_raw, std::string value) {
  std::string key = Lower(key_raw);
  if (key == "ssl-mode" || key == "sslmode") {
    SLUICE_ASSIGN_OR_RETURN(url.ssl_mode, ParseSslMode(value));
  } else if (key == "ssl-ca") {
    url.ssl_ca = std::move(value);
  } else if (key == "ssl-capath") {
    url.ssl_capath = std::move(value);
  } else if (key == "ssl-cert") {
    url.ssl_cert = std::move(value);
  } else if (key == "ssl-key") {
    url.ssl_key = std::move(value);
  } else if (key == "ssl-cipher") {
    url.ssl_cipher = std::move(value);
  } else if (key == "ssl-crl") {
    url.ssl_crl = std::move(value);
  } else if (key == "socket") {
    url.socket = std::move(value);
  } else if (key == "connect-timeout") {
    int v = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || p != value.data() + value.size() || v <= 0) {
      return Status::Invalid("mysql url: connect-timeout must be a positive number of seconds");
    }
    url.connect_timeout_s = v;
  } else {
    return Status::Invalid(
        "mysql url: unknown parameter '{}' (known: ssl-mode, ssl-ca, ssl-capath, ssl-cert, "
        "ssl-key, ssl-cipher, ssl-crl, socket, connect-timeout)",
        key_raw);
  }
  return Status::OK();
}

Status ParseHostPort(std::string_view hostport, MysqlUrl& url) {
  if (hostport.empty()) return Status::OK();
  std::string_view host = hostport;
  std::string_view port;
  if (hostport.front() == '[') {  // [::1]:3306
    size_t close = hostport.find(']');
    if (close == std::string_view::npos) return Status::Invalid("mysql url: unclosed '[' in host");
    host = hostport.substr(1, close - 1);
    std::string_view rest = hostport.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return Status::Invalid("mysql url: expected ':' after ']'");
      port = rest.substr(1);
    }
  } else if (size_t colon = hostport.rfind(':'); colon != std::string_view::npos) {
    host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
  }
  if (!host.empty()) url.host = std::string(host);
  if (!port.empty()) {
    int v = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    if (ec != std::errc() || p != port.data() + port.size() || v <= 0 || v > 65535) {
      return Status::Invalid("mysql url: port '{}' is not a number between 1 and 65535", port);
    }
    url.port = v;
  }
  return Status::OK();
}

}  // namespace

std::string MysqlUrl::Endpoint() const {
  if (!socket.empty()) return socket;
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

std::string MysqlUrl::Masked() const {
  std::string userinfo = user.empty() ? "" : user + (password.empty() ? "@" : ":***@");
  return fmt::format("mysql://{}{}/{}", userinfo, Endpoint(), database);
}

Result<MysqlUrl> ParseMysqlUrl(std::string_view text) {
  MysqlUrl url;
  std::string_view rest;
  for (std::string_view scheme : {"mysql://", "mariadb://"}) {
    if (text.starts_with(scheme)) rest = text.substr(scheme.size());
  }
  if (rest.data() == nullptr) {
    // The text is not echoed: it may hold a password.
    return Err(Status::Invalid(
        "mysql url must look like mysql://user:password@host:port/database (or mariadb://...)"));
  }
  // The user-info first (core/url_userinfo.h): a password may hold '/', '?', '#' or '@'
  // unescaped, and no part of it may reach the host, path or query parsing below (whose
  // errors echo what they got).
  if (std::optional<size_t> at = FindUserInfoEnd(rest)) {
    std::string_view userinfo = rest.substr(0, *at);
    rest = rest.substr(*at + 1);
    std::string_view user = userinfo;
    if (size_t colon = userinfo.find(':'); colon != std::string_view::npos) {
      user = userinfo.substr(0, colon);
      SLUICE_ASSIGN_OR_RETURN(url.password, Decode(userinfo.substr(colon + 1), "password"));
    }
    SLUICE_ASSIGN_OR_RETURN(url.user, Decode(user, "user name"));
  }
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view authority = rest;
  std::string_view path;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    authority = rest.substr(0, slash);
    path = rest.substr(slash + 1);
  }
  SLUICE_RETURN_IF_ERROR(ParseHostPort(authority, url));
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  SLUICE_ASSIGN_OR_RETURN(url.database, Decode(path, "database name"));
  if (url.database.find('/') != std::string::npos) {
    return Err(Status::Invalid("mysql url: '{}' is not a database name", url.database));
  }
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    SLUICE_ASSIGN_OR_RETURN(
        std::string value,
        Decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1),
               "parameters"));
    SLUICE_RETURN_IF_ERROR(ApplyParam(url, key, std::move(value)));
  }
  return url;
}

}  // namespace sluice::mysql
