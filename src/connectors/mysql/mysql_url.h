// MysqlUrl: where and how to connect, parsed from a job file's `url`.
//
//   mysql://user:password@host:port/database?ssl-mode=REQUIRED&ssl-ca=/path/ca.pem
//   mariadb://user@host/database?socket=/run/mysqld/mysqld.sock
//
// User and password are percent-decoded; the user-info ends at the last `@` before the host
// (core/url_userinfo.h), so a password may hold `@ : / ? #` unescaped.
// Parameters (case-insensitive, '-' or '_'):
//   ssl-mode         DISABLED (default) | PREFERRED | REQUIRED | VERIFY_CA | VERIFY_IDENTITY
//   ssl-ca, ssl-capath, ssl-cert, ssl-key, ssl-cipher, ssl-crl   passed to the client library
//   socket           a Unix socket path; host and port are then ignored
//   connect-timeout  seconds (default 10)
// The password is never part of Describe()/Masked() and so never reaches a message or a log.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace sluice::mysql {

enum class SslMode { kDisabled, kPreferred, kRequired, kVerifyCa, kVerifyIdentity };

struct MysqlUrl {
  std::string user;
  std::string password;
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string socket;
  std::string database;  // may be empty when the table names its database
  SslMode ssl_mode = SslMode::kDisabled;
  std::string ssl_ca;
  std::string ssl_capath;
  std::string ssl_cert;
  std::string ssl_key;
  std::string ssl_cipher;
  std::string ssl_crl;
  int connect_timeout_s = 10;

  // "127.0.0.1:3306" or the socket path: where, for "cannot connect to mysql at ...".
  std::string Endpoint() const;
  // mysql://user:***@host:port/db, safe to print.
  std::string Masked() const;
};

Result<MysqlUrl> ParseMysqlUrl(std::string_view url);

}  // namespace sluice::mysql
