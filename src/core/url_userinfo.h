// The user-info of a connection URL ("scheme://user:password@host:port/path?query").
//
// One rule, shared by the URL parsers (mysql_url, the PostgreSQL conninfo) and by MaskSecrets,
// so that what a parser takes as the password is exactly what a message masks, whether the URL
// parses or not: the user-info is everything between "://" and the LAST '@' that is followed
// by a host (letters, digits, '.', '-', '_', ':', '[', ']' up to '/', '?', '#', a space or the
// end).
// A password may therefore hold '@', ':', '/', '?', '#' or '%' unescaped; an '@' after the host
// (in a query value) must be written %40.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice {

// The position of the '@' that ends the user-info in `after_scheme` (the text after "://"),
// or nullopt when there is no '@'. When no '@' is followed by a host, the last '@' ends it:
// whatever precedes it may be a password and is never echoed.
std::optional<size_t> FindUserInfoEnd(std::string_view after_scheme);

// %XX decoding; nullopt on a '%' that is not followed by two hex digits. '+' stays '+'.
std::optional<std::string> PercentDecode(std::string_view text);
// Encodes every byte but the unreserved ones (A-Z a-z 0-9 - . _ ~).
std::string PercentEncode(std::string_view text);

}  // namespace sluice
