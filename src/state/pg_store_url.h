// Where a PostgreSQL state store lives: its URL parsed once into what libpq is given, what
// messages show, and the password they must never show.
//
// A value type, built by Parse and then only read (any thread). The URL's user-info is found by
// core/url_userinfo.h (the rule the connectors and MaskSecrets share) and re-encoded, so a
// password holding '@', ':', '/', '?' or '#' works written as is or percent-encoded.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace sluice {

class PgStoreUrl {
 public:
  // `url`: postgresql://[USER[:PASSWORD]@]HOST[:PORT]/DATABASE[?PARAMS] (or postgres://).
  // Errors never echo the URL.
  static Result<PgStoreUrl> Parse(const std::string& url);

  // The URL for libpq (holds the password: never print it).
  const std::string& conninfo() const { return conninfo_; }
  // "postgresql://USER@HOST:PORT/DATABASE": for messages, never a password.
  std::string Describe() const;
  // `text` with every form of the password (as written, decoded, percent-encoded) replaced by
  // "***": for messages that quote libpq or the server, which may quote connection options.
  std::string Scrub(std::string text) const;

  // What the connection actually reached, once connected (libpq fills in defaults: $PGUSER,
  // the socket directory, port 5432).
  void SetConnected(std::string user, std::string host, std::string port, std::string dbname);

 private:
  void SortSecrets();

  std::string conninfo_;
  std::string user_;
  std::string host_;
  std::string port_;
  std::string dbname_;
  std::vector<std::string> secrets_;  // longest first
};

}  // namespace sluice
