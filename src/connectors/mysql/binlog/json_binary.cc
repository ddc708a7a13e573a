#include "connectors/mysql/binlog/json_binary.h"

#include <charconv>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

#include "connectors/mysql/binlog/decimal_binary.h"
#include "connectors/mysql/binlog/field_type.h"
#include "connectors/mysql/binlog/temporal_binary.h"

namespace sluice::mysql::binlog {
namespace {

enum JsonType : uint8_t {
  kSmallObject = 0x00,
  kLargeObject = 0x01,
  kSmallArray = 0x02,
  kLargeArray = 0x03,
  kLiteral = 0x04,
  kInt16 = 0x05,
  kUInt16 = 0x06,
  kInt32 = 0x07,
  kUInt32 = 0x08,
  kInt64 = 0x09,
  kUInt64 = 0x0a,
  kDouble = 0x0b,
  kString = 0x0c,
  kOpaque = 0x0f,
};

constexpr int kMaxDepth = 100;  // MySQL refuses deeper documents; bounds our recursion

class JsonWriter {
 public:
  JsonWriter(std::string& out, std::string& why) : out_(out), why_(why) {}

  bool Value(uint8_t type, std::string_view data, int depth) {
    if (depth > kMaxDepth) return Fail("nesting deeper than 100");
    switch (type) {
      case kSmallObject:
      case kLargeObject:
        return Container(data, type == kLargeObject, true, depth);
      case kSmallArray:
      case kLargeArray:
        return Container(data, type == kLargeArray, false, depth);
      case kLiteral:
        if (data.empty()) return Fail("literal past the end");
        return Literal(static_cast<uint8_t>(data[0]));
      case kInt16:
        return Int(data, 2, true);
      case kUInt16:
        return Int(data, 2, false);
      case kInt32:
        return Int(data, 4, true);
      case kUInt32:
        return Int(data, 4, false);
      case kInt64:
        return Int(data, 8, true);
      case kUInt64:
        return Int(data, 8, false);
      case kDouble:
        return Double(data);
      case kString: {
        std::string_view s;
        if (!VarString(data, s)) return false;
        Quoted(s);
        return true;
      }
      case kOpaque:
        return Opaque(data);
      default:
        return Fail(fmt::format("unknown value type 0x{:02x}", type));
    }
  }

 private:
  bool Fail(std::string why) {
    why_ = std::move(why);
    return false;
  }

  static uint64_t Le(std::string_view d, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= uint64_t{static_cast<uint8_t>(d[i])} << (8 * i);
    return v;
  }

  bool Literal(uint8_t v) {
    if (v == 0)
      out_ += "null";
    else if (v == 1)
      out_ += "true";
    else if (v == 2)
      out_ += "false";
    else
      return Fail(fmt::format("unknown literal {}", v));
    return true;
  }

  bool Int(std::string_view d, size_t n, bool is_signed) {
    if (d.size() < n) return Fail("number past the end");
    const uint64_t v = Le(d, n);
    if (is_signed) {
      const int shift = static_cast<int>(64 - 8 * n);
      fmt::format_to(std::back_inserter(out_), "{}", static_cast<int64_t>(v << shift) >> shift);
    } else {
      fmt::format_to(std::back_inserter(out_), "{}", v);
    }
    return true;
  }

  bool Double(std::string_view d) {
    if (d.size() < 8) return Fail("double past the end");
    const uint64_t bits = Le(d, 8);
    double v = 0;
    std::memcpy(&v, &bits, 8);
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    std::string_view text(buf, end - buf);
    // MySQL prints 1.0 for a double that is whole, and 1e300 without the '+'.
    for (char c : text) {
      if (c != '+') out_ += c;
    }
    if (text.find_first_of(".eni") == std::string_view::npos) out_ += ".0";
    (void)ec;
    return true;
  }

  // Length in 7-bit groups, least significant first, then the bytes.
  bool VarString(std::string_view d, std::string_view& s) {
    uint64_t length = 0;
    size_t i = 0;
    for (;; ++i) {
      if (i >= d.size() || i >= 5) return Fail("string length past the end");
      const auto b = static_cast<uint8_t>(d[i]);
      length |= uint64_t{b & 0x7Fu} << (7 * i);
      if (!(b & 0x80)) break;
    }
    ++i;
    if (length > d.size() - i) return Fail("string past the end");
    s = d.substr(i, length);
    return true;
  }

  void Quoted(std::string_view s) {
    out_ += '"';
    for (char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      switch (c) {
        case '"':
          out_ += "\\\"";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        case '\t':
          out_ += "\\t";
          break;
        case '\b':
          out_ += "\\b";
          break;
        case '\f':
          out_ += "\\f";
          break;
        default:
          if (c < 0x20) {
            fmt::format_to(std::back_inserter(out_), "\\u{:04x}", c);
          } else {
            out_ += ch;
          }
      }
    }
    out_ += '"';
  }

  bool Container(std::string_view d, bool large, bool object, int depth) {
    const size_t w = large ? 4 : 2;  // width of counts, sizes and offsets
    if (d.size() < 2 * w) return Fail("container header past the end");
    const uint64_t count = Le(d, w);
    const uint64_t size = Le(d.substr(w), w);
    if (size > d.size()) return Fail("container size past the end");
    d = d.substr(0, size);
    const size_t key_entry = w + 2;
    const size_t value_entry = 1 + w;
    const size_t keys_at = 2 * w;
    const size_t values_at = keys_at + (object ? count * key_entry : 0);
    if (count > size || values_at + count * value_entry > size) {
      return Fail("container entries past the end");
    }
    out_ += object ? '{' : '[';
    for (uint64_t i = 0; i < count; ++i) {
      if (i) out_ += ", ";
      if (object) {
        const std::string_view e = d.substr(keys_at + i * key_entry);
        const uint64_t key_offset = Le(e, w);
        const uint64_t key_length = Le(e.substr(w), 2);
        if (key_offset > size || key_length > size - key_offset) return Fail("key past the end");
        Quoted(d.substr(key_offset, key_length));
        out_ += ": ";
      }
      const std::string_view e = d.substr(values_at + i * value_entry);
      const auto type = static_cast<uint8_t>(e[0]);
      // Small scalars sit in the entry itself.
      const bool inlined = type == kLiteral || type == kInt16 || type == kUInt16 ||
                           (large && (type == kInt32 || type == kUInt32));
      if (inlined) {
        if (!Value(type, e.substr(1, w), depth + 1)) return false;
        continue;
      }
      const uint64_t offset = Le(e.substr(1), w);
      if (offset >= size) return Fail("value offset past the end");
      if (!Value(type, d.substr(offset), depth + 1)) return false;
    }
    out_ += object ? '}' : ']';
    return true;
  }

  bool Opaque(std::string_view d) {
    if (d.empty()) return Fail("opaque value past the end");
    const auto field = static_cast<FieldType>(d[0]);
    std::string_view data;
    if (!VarString(d.substr(1), data)) return false;
    switch (field) {
      case FieldType::kNewDecimal: {
        if (data.size() < 2) return Fail("decimal past the end");
        const int precision = static_cast<uint8_t>(data[0]);
        const int scale = static_cast<uint8_t>(data[1]);
        const std::string_view digits = data.substr(2);
        if (digits.size() < DecimalBinarySize(precision, scale) ||
            !AppendDecimalText(digits.substr(0, DecimalBinarySize(precision, scale)), precision,
                               scale, out_)) {
          return Fail("bad decimal");
        }
        return true;
      }
      case FieldType::kDate:
      case FieldType::kDateTime:
      case FieldType::kTimestamp:
      case FieldType::kTime: {
        if (data.size() < 8) return Fail("date/time past the end");
        const auto packed = static_cast<int64_t>(Le(data, 8));
        if (field == FieldType::kTime) {
          int64_t us = UnpackTimeMicros(packed);
          const bool neg = us < 0;
          if (neg) us = -us;
          const int64_t s = us / 1000000;
          fmt::format_to(std::back_inserter(out_), "\"{}{:02}:{:02}:{:02}.{:06}\"", neg ? "-" : "",
                         s / 3600, s / 60 % 60, s % 60, us % 1000000);
          return true;
        }
        const DateTimeParts p = UnpackDateTime(packed);
        if (field == FieldType::kDate) {
          fmt::format_to(std::back_inserter(out_), "\"{:04}-{:02}-{:02}\"", p.year, p.month, p.day);
        } else {
          fmt::format_to(std::back_inserter(out_), "\"{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}\"",
                         p.year, p.month, p.day, p.hour, p.minute, p.second, p.micros);
        }
        return true;
      }
      default:
        fmt::format_to(std::back_inserter(out_), "\"base64:type{}:", static_cast<int>(field));
        Base64(data);
        out_ += '"';
        return true;
    }
  }

  void Base64(std::string_view d) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i = 0;
    for (; i + 3 <= d.size(); i += 3) {
      const uint32_t v = uint32_t{static_cast<uint8_t>(d[i])} << 16 |
                         uint32_t{static_cast<uint8_t>(d[i + 1])} << 8 |
                         static_cast<uint8_t>(d[i + 2]);
      for (int k = 3; k >= 0; --k) out_ += kAlphabet[(v >> (6 * k)) & 63];
    }
    const size_t left = d.size() - i;
    if (left) {
      uint32_t v = uint32_t{static_cast<uint8_t>(d[i])} << 16;
      if (left == 2) v |= uint32_t{static_cast<uint8_t>(d[i + 1])} << 8;
      out_ += kAlphabet[(v >> 18) & 63];
      out_ += kAlphabet[(v >> 12) & 63];
      out_ += left == 2 ? kAlphabet[(v >> 6) & 63] : '=';
      out_ += '=';
    }
  }

  std::string& out_;
  std::string& why_;
};

}  // namespace

bool AppendJsonText(std::string_view bytes, std::string& out, std::string& why) {
  // An empty value is what MySQL writes for a JSON NULL stored by some paths: the JSON null.
  if (bytes.empty()) {
    out += "null";
    return true;
  }
  JsonWriter w(out, why);
  return w.Value(static_cast<uint8_t>(bytes[0]), bytes.substr(1), 0);
}

}  // namespace sluice::mysql::binlog
