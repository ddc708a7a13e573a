// Masking secrets before a value is echoed in a message or a log line.
//
// Job files carry credentials (url: mysql://user:pass@host/db, password: ...). Errors that quote
// a value run it through MaskSecrets first, so a typo never prints a password to a terminal or
// a CI log.
#pragma once

#include <string>
#include <string_view>

namespace sluice {

// Replaces the password of URL user-info ("mysql://u:secret@h/db" -> "mysql://u:***@h/db") and
// the value of password=/pwd= pairs in connection strings ("host=h password=x" ->
// "host=h password=***"). Everything else is returned unchanged.
std::string MaskSecrets(std::string_view text);

// Whether an option named `key` holds a secret whose value must never be echoed at all
// (password, passwd, secret, token, ...).
bool IsSecretKey(std::string_view key);

}  // namespace sluice
