#include "config/mask_secrets.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

#include "core/url_userinfo.h"

namespace sluice {

namespace {

constexpr std::string_view kMask = "***";

std::string ToLower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Where the URL whose user-info starts at `pos` may end: at the end of the line, or before
// the word that holds the next "://" (a message may quote two URLs). A password may hold
// spaces, so the URL does not end at the first one.
size_t UrlRegionEnd(std::string_view text, size_t pos) {
  size_t end = text.find('\n', pos);
  if (end == std::string_view::npos) end = text.size();
  const size_t next = text.find("://", pos);
  if (next != std::string_view::npos && next < end) {
    const size_t space = text.find_last_of(" \t", next);
    end = space != std::string_view::npos && space >= pos ? space : next;
  }
  return end;
}

// Masks the password of the user-info that starts at `pos` (right after "://"): appends the
// user name and the mask to `out` and returns where the copying goes on (at the '@'), or
// `pos` when there is no password there.
size_t MaskUserInfo(std::string_view text, size_t pos, std::string& out) {
  const std::string_view region = text.substr(pos, UrlRegionEnd(text, pos) - pos);
  const std::optional<size_t> at = FindUserInfoEnd(region);
  if (!at) return pos;
  const std::string_view userinfo = region.substr(0, *at);
  const size_t colon = userinfo.find(':');
  if (colon == std::string_view::npos) return pos;  // a user name alone is not a secret
  out += userinfo.substr(0, colon + 1);
  out += kMask;
  return pos + *at;
}

// The end of a libpq-style quoted value ('it\\'s a secret') starting at `start`, past the
// closing quote; the end of the text when it is not closed; npos when the value is unquoted.
size_t QuotedValueEnd(const std::string& text, size_t start) {
  if (start >= text.size() || text[start] != '\'') return std::string::npos;
  for (size_t i = start + 1; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '\'') {
      return i + 1;
    }
  }
  return text.size();
}

// What ends an unquoted value, by the character before its key: '&' in a URL query, ';' in
// a "Server=h;Pwd=x" string, only white space in a libpq conninfo (where '&' and ';' are
// password characters like any other).
const char* ValueEnds(char before) {
  if (before == '?' || before == '&') return "&# \t\n";
  if (before == ';') return "; \t\n";
  return " \t\n";
}

// Masks the value of key=value pairs whose key is a password, in `text` (already URL-masked).
std::string MaskPairs(const std::string& text) {
  static constexpr std::array<std::string_view, 4> kKeys = {
      "password=", "passwd=", "pwd=", "secret="};
  const std::string lower = ToLower(text);
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t best = std::string::npos;
    size_t best_len = 0;
    for (std::string_view key : kKeys) {
      size_t found = lower.find(key, pos);
      // Only whole keys: "mypwd=" is not "pwd=".
      while (
          found != std::string::npos && found > 0 &&
          (std::isalnum(static_cast<unsigned char>(lower[found - 1])) || lower[found - 1] == '_')) {
        found = lower.find(key, found + 1);
      }
      if (found < best) {
        best = found;
        best_len = key.size();
      }
    }
    if (best == std::string::npos) break;
    const size_t value_start = best + best_len;
    size_t value_end = QuotedValueEnd(text, value_start);
    if (value_end == std::string::npos) {
      value_end = text.find_first_of(ValueEnds(best == 0 ? ' ' : text[best - 1]), value_start);
    }
    if (value_end == std::string::npos) value_end = text.size();
    out.append(text, pos, value_start - pos);
    if (value_end > value_start) out += kMask;
    pos = value_end;
  }
  out.append(text, pos, std::string::npos);
  return out;
}

}  // namespace

std::string MaskSecrets(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t scheme_end = text.find("://", pos);
    if (scheme_end == std::string_view::npos) break;
    out += text.substr(pos, scheme_end + 3 - pos);
    pos = MaskUserInfo(text, scheme_end + 3, out);
  }
  out += text.substr(pos);
  return MaskPairs(out);
}

bool IsSecretKey(std::string_view key) {
  const std::string lower = ToLower(key);
  for (std::string_view word : {"password", "passwd", "pwd", "secret", "token", "credential",
                                "api_key", "access_key", "private_key"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

}  // namespace sluice
