#include "connectors/mysql/binlog/multi_byte_text.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/utf8.h"

namespace sluice::mysql::binlog {
namespace {

bool In(unsigned char b, unsigned lo, unsigned hi) {
  return b >= lo && b <= hi;
}

// The bytes of the character that starts with `lead` (1 for a single byte).
size_t CharLength(CharLayout layout, unsigned char lead) {
  switch (layout) {
    case CharLayout::kSjis:
      return In(lead, 0x81, 0x9F) || In(lead, 0xE0, 0xFC) ? 2 : 1;
    case CharLayout::kBig5:
      return In(lead, 0xA1, 0xF9) ? 2 : 1;
    case CharLayout::kGbk:
    case CharLayout::kEuckr:
      return In(lead, 0x81, 0xFE) ? 2 : 1;
    case CharLayout::kGb2312:
      return In(lead, 0xA1, 0xFE) ? 2 : 1;
    case CharLayout::kEucjp:
      if (lead == 0x8F) return 3;
      return lead == 0x8E || In(lead, 0xA1, 0xFE) ? 2 : 1;
  }
  return 1;
}

// Whether the bytes after the lead are the trail bytes the layout allows.
bool TrailsFit(CharLayout layout, std::string_view c) {
  const auto t = static_cast<unsigned char>(c[1]);
  switch (layout) {
    case CharLayout::kSjis:
      return In(t, 0x40, 0x7E) || In(t, 0x80, 0xFC);
    case CharLayout::kBig5:
      return In(t, 0x40, 0x7E) || In(t, 0xA1, 0xFE);
    case CharLayout::kGbk:
      return In(t, 0x40, 0x7E) || In(t, 0x80, 0xFE);
    case CharLayout::kEuckr:
      return In(t, 0x41, 0x5A) || In(t, 0x61, 0x7A) || In(t, 0x81, 0xFE);
    case CharLayout::kGb2312:
      return In(t, 0xA1, 0xFE);
    case CharLayout::kEucjp:
      if (static_cast<unsigned char>(c[0]) == 0x8E) return In(t, 0xA1, 0xDF);
      return In(t, 0xA1, 0xFE) &&
             (c.size() < 3 || In(static_cast<unsigned char>(c[2]), 0xA1, 0xFE));
  }
  return false;
}

const CharOverride* FindOverride(const MultiByteCharset& charset, std::string_view c) {
  uint32_t code = 0;
  for (unsigned char b : c) code = (code << 8) | b;
  const auto& list = charset.overrides;
  auto it = std::lower_bound(list.begin(), list.end(), code,
                             [](const CharOverride& o, uint32_t v) { return o.code < v; });
  return it != list.end() && it->code == code ? &*it : nullptr;
}

// Converts [pos, end) of `in`, all whole characters without overrides; a character iconv
// refuses is '?'.
void ConvertRun(const MultiByteCharset& charset, iconv_t cd, std::string_view in,
                std::string& out) {
  size_t pos = 0;
  while (pos < in.size()) {
    iconv(cd, nullptr, nullptr, nullptr, nullptr);
    const size_t start = out.size();
    out.resize(start + (in.size() - pos) * 4 + 4);
    char* src = const_cast<char*>(in.data() + pos);
    size_t src_left = in.size() - pos;
    char* dst = out.data() + start;
    size_t dst_left = out.size() - start;
    const size_t done = iconv(cd, &src, &src_left, &dst, &dst_left);
    out.resize(out.size() - dst_left);
    if (done != static_cast<size_t>(-1)) return;
    pos = in.size() - src_left;
    out += '?';
    pos +=
        std::min(CharLength(charset.layout, static_cast<unsigned char>(in[pos])), in.size() - pos);
  }
}

}  // namespace

bool AppendMultiByteUtf8(const MultiByteCharset& charset, iconv_t cd, std::string_view in,
                         std::string& out, std::string& why) {
  size_t run = 0;  // where the bytes not yet converted begin
  size_t i = 0;
  while (i < in.size()) {
    const size_t len = CharLength(charset.layout, static_cast<unsigned char>(in[i]));
    if (i + len > in.size()) {
      why = fmt::format("a {} character cut short at byte {} of {}", charset.name, i, in.size());
      return false;
    }
    const std::string_view c = in.substr(i, len);
    if (len > 1 && !TrailsFit(charset.layout, c)) {
      // A lead byte without its trail: the server reads '?' and goes on from the next byte.
      ConvertRun(charset, cd, in.substr(run, i - run), out);
      out += '?';
      run = ++i;
      continue;
    }
    if (const CharOverride* o = FindOverride(charset, c)) {
      ConvertRun(charset, cd, in.substr(run, i - run), out);
      AppendUtf8(o->code_point, out);
      run = i + len;
    }
    i += len;
  }
  ConvertRun(charset, cd, in.substr(run), out);
  return true;
}

}  // namespace sluice::mysql::binlog
