#include "config/mask_secrets.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace sluice {

namespace {

constexpr std::string_view kMask = "***";

std::string ToLower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Masks "scheme://user:password@" user-info; `text` starts right after "://".
// Appends the authority to `out` and returns how many characters of `text` it consumed.
size_t MaskAuthority(std::string_view text, std::string& out) {
  size_t end = text.find_first_of("/?# \t\n");
  if (end == std::string_view::npos) end = text.size();
  std::string_view authority = text.substr(0, end);
  const size_t at = authority.rfind('@');
  if (at == std::string_view::npos) {
    out += authority;
    return end;
  }
  std::string_view userinfo = authority.substr(0, at);
  const size_t colon = userinfo.find(':');
  if (colon == std::string_view::npos) {
    out += authority;  // a user name alone is not a secret
    return end;
  }
  out += userinfo.substr(0, colon + 1);
  out += kMask;
  out += authority.substr(at);
  return end;
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
    size_t value_end = text.find_first_of(";& \t\n", value_start);
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
    pos = scheme_end + 3;
    pos += MaskAuthority(text.substr(pos), out);
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
