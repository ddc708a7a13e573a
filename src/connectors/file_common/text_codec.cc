#include "connectors/file_common/text_codec.h"

#include <array>

#include "core/value_text_internal.h"

namespace sluice {

namespace {

constexpr char kBase64Chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kHexChars[] = "0123456789abcdef";

// Decoding table: 0..63 for base64 digits, 0xFF for anything else.
constexpr std::array<uint8_t, 256> MakeBase64Table() {
  std::array<uint8_t, 256> t{};
  for (auto& v : t) v = 0xFF;
  for (uint8_t i = 0; i < 64; ++i) t[static_cast<uint8_t>(kBase64Chars[i])] = i;
  return t;
}
constexpr std::array<uint8_t, 256> kBase64Table = MakeBase64Table();

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Status NotEncoded(std::string_view text, const char* what) {
  return Status::DataError("'{}' is not valid {}", text_internal::Excerpt(text), what);
}

Status DecodeBase64(std::string_view text, std::string& out) {
  // Padding is optional on input; '=' may only end the text.
  size_t n = text.size();
  size_t pad = 0;
  while (n > 0 && text[n - 1] == '=' && pad < 2) --n, ++pad;
  if ((pad > 0 && text.size() % 4 != 0) || n % 4 == 1) return NotEncoded(text, "base64");
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t v = kBase64Table[static_cast<uint8_t>(text[i])];
    if (v == 0xFF) return NotEncoded(text, "base64");
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return Status::OK();
}

}  // namespace

Result<BytesEncoding> ParseBytesEncoding(std::string_view text) {
  if (text == "base64") return BytesEncoding::kBase64;
  if (text == "hex") return BytesEncoding::kHex;
  return Err(Status::Invalid("unknown bytes encoding '{}' (expected base64 or hex)", text));
}

const char* BytesEncodingName(BytesEncoding encoding) {
  return encoding == BytesEncoding::kHex ? "hex" : "base64";
}

void EncodeBytes(std::string_view raw, BytesEncoding encoding, std::string& out) {
  const auto* p = reinterpret_cast<const uint8_t*>(raw.data());
  const size_t n = raw.size();
  if (encoding == BytesEncoding::kHex) {
    const size_t at = out.size();
    out.resize(at + n * 2);
    char* o = out.data() + at;
    for (size_t i = 0; i < n; ++i) {
      *o++ = kHexChars[p[i] >> 4];
      *o++ = kHexChars[p[i] & 15];
    }
    return;
  }
  const size_t at = out.size();
  out.resize(at + (n + 2) / 3 * 4);
  char* o = out.data() + at;
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const uint32_t v = (uint32_t{p[i]} << 16) | (uint32_t{p[i + 1]} << 8) | p[i + 2];
    *o++ = kBase64Chars[v >> 18];
    *o++ = kBase64Chars[(v >> 12) & 63];
    *o++ = kBase64Chars[(v >> 6) & 63];
    *o++ = kBase64Chars[v & 63];
  }
  if (i < n) {
    const uint32_t v = (uint32_t{p[i]} << 16) | (i + 1 < n ? uint32_t{p[i + 1]} << 8 : 0);
    *o++ = kBase64Chars[v >> 18];
    *o++ = kBase64Chars[(v >> 12) & 63];
    *o++ = i + 1 < n ? kBase64Chars[(v >> 6) & 63] : '=';
    *o++ = '=';
  }
}

Status DecodeBytes(std::string_view text, BytesEncoding encoding, std::string& out) {
  if (encoding == BytesEncoding::kBase64) return DecodeBase64(text, out);
  std::string_view t = text;
  if (t.starts_with("\\x") || t.starts_with("0x")) t.remove_prefix(2);  // PostgreSQL, MySQL
  if (t.size() % 2 != 0) return NotEncoded(text, "hex");
  for (size_t i = 0; i < t.size(); i += 2) {
    const int hi = HexValue(t[i]);
    const int lo = HexValue(t[i + 1]);
    if (hi < 0 || lo < 0) return NotEncoded(text, "hex");
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return Status::OK();
}

void AppendJsonString(std::string_view s, std::string& out) {
  out.push_back('"');
  size_t run = 0;  // start of the bytes not yet copied
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default: {
        const char esc[6] = {'\\', 'u', '0', '0', kHexChars[c >> 4], kHexChars[c & 15]};
        out.append(esc, 6);
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

}  // namespace sluice
