#include "core/url_userinfo.h"

namespace sluice {
namespace {

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_' || c == ':' || c == '[' || c == ']';
}

// Whether `text` starts with a host (and port), ended by '/', '?', '#', white space (a URL
// quoted in a message) or the end.
bool StartsWithHost(std::string_view text) {
  for (char c : text) {
    if (c == '/' || c == '?' || c == '#' || c == ' ' || c == '\t' || c == '\n') return true;
    if (!IsHostChar(c)) return false;
  }
  return true;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<size_t> FindUserInfoEnd(std::string_view after_scheme) {
  const size_t last = after_scheme.rfind('@');
  if (last == std::string_view::npos) return std::nullopt;
  for (size_t at = last; at != std::string_view::npos;
       at = at == 0 ? std::string_view::npos : after_scheme.rfind('@', at - 1)) {
    if (StartsWithHost(after_scheme.substr(at + 1))) return at;
  }
  return last;
}

std::optional<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    const int hi = i + 2 < text.size() ? HexDigit(text[i + 1]) : -1;
    const int lo = hi >= 0 ? HexDigit(text[i + 2]) : -1;
    if (lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

}  // namespace sluice
