#include "connectors/postgres/pg_array_literal.h"

#include <cstdint>

#include "core/utf8.h"

namespace sluice::postgres {
namespace {

class Converter {
 public:
  Converter(std::string_view in, bool json_elements, std::string& out)
      : in_(in), json_elements_(json_elements), out_(out) {}

  bool Run() {
    SkipSpace();
    if (!Array(/*top=*/true)) return false;
    SkipSpace();
    return pos_ == in_.size();
  }

 private:
  bool AtEnd() const { return pos_ >= in_.size(); }
  char Peek() const { return in_[pos_]; }
  void SkipSpace() {
    while (!AtEnd() && (Peek() == ' ' || Peek() == '\t' || Peek() == '\n' || Peek() == '\r')) {
      ++pos_;
    }
  }

  bool Array(bool top) {
    if (AtEnd() || Peek() != '[') return false;
    ++pos_;
    out_ += '{';
    SkipSpace();
    if (!AtEnd() && Peek() == ']') {
      ++pos_;
      out_ += '}';
      return true;
    }
    while (true) {
      SkipSpace();
      if (!Element(top)) return false;
      SkipSpace();
      if (AtEnd()) return false;
      if (Peek() == ',') {
        ++pos_;
        out_ += ',';
        continue;
      }
      if (Peek() != ']') return false;
      ++pos_;
      out_ += '}';
      return true;
    }
  }

  bool Element(bool top) {
    if (AtEnd()) return false;
    if (json_elements_ && top) {
      // An element of json[] is a JSON text: quote it verbatim (null stays NULL).
      size_t start = pos_;
      if (!SkipValue()) return false;
      std::string_view raw = in_.substr(start, pos_ - start);
      if (raw == "null") {
        out_ += "NULL";
      } else {
        Quote(raw);
      }
      return true;
    }
    char c = Peek();
    if (c == '[') return Array(false);
    if (c == '"') {
      std::string text;
      if (!String(text)) return false;
      Quote(text);
      return true;
    }
    if (c == '{') {  // an object inside a non-JSON array: pass its text to the element type
      size_t start = pos_;
      if (!SkipValue()) return false;
      Quote(in_.substr(start, pos_ - start));
      return true;
    }
    size_t start = pos_;
    while (!AtEnd() && Peek() != ',' && Peek() != ']' && Peek() != ' ' && Peek() != '\n' &&
           Peek() != '\t' && Peek() != '\r') {
      ++pos_;
    }
    std::string_view token = in_.substr(start, pos_ - start);
    if (token.empty()) return false;
    if (token == "null") {
      out_ += "NULL";
    } else {
      out_.append(token);  // a number, true or false, as written
    }
    return true;
  }

  // Skips one JSON value of any kind.
  bool SkipValue() {
    if (AtEnd()) return false;
    if (Peek() == '"') {
      std::string ignored;
      return String(ignored);
    }
    if (Peek() == '[' || Peek() == '{') {
      int depth = 0;
      while (!AtEnd()) {
        char c = Peek();
        if (c == '"') {
          std::string ignored;
          if (!String(ignored)) return false;
          continue;
        }
        ++pos_;
        if (c == '[' || c == '{') ++depth;
        if (c == ']' || c == '}') {
          if (--depth == 0) return true;
        }
      }
      return false;
    }
    size_t start = pos_;
    while (!AtEnd() && Peek() != ',' && Peek() != ']' && Peek() != '}' && Peek() != ' ') ++pos_;
    return pos_ > start;
  }

  bool Hex4(uint32_t& v) {
    if (in_.size() - pos_ < 4) return false;
    v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = in_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
    }
    return true;
  }

  // A JSON string, unescaped into `text`.
  bool String(std::string& text) {
    ++pos_;  // the opening quote
    while (!AtEnd()) {
      char c = in_[pos_++];
      if (c == '"') return true;
      if (c != '\\') {
        text += c;
        continue;
      }
      if (AtEnd()) return false;
      char e = in_[pos_++];
      switch (e) {
        case '"':
          text += '"';
          break;
        case '\\':
          text += '\\';
          break;
        case '/':
          text += '/';
          break;
        case 'b':
          text += '\b';
          break;
        case 'f':
          text += '\f';
          break;
        case 'n':
          text += '\n';
          break;
        case 'r':
          text += '\r';
          break;
        case 't':
          text += '\t';
          break;
        case 'u': {
          uint32_t cp = 0;
          if (!Hex4(cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00) {  // a surrogate pair
            uint32_t low = 0;
            if (in_.substr(pos_, 2) != "\\u") return false;
            pos_ += 2;
            if (!Hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          AppendUtf8(cp, text);
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }

  // An array element in double quotes, with '"' and '\' escaped by a backslash.
  void Quote(std::string_view text) {
    out_ += '"';
    for (char c : text) {
      if (c == '"' || c == '\\') out_ += '\\';
      out_ += c;
    }
    out_ += '"';
  }

  std::string_view in_;
  bool json_elements_;
  std::string& out_;
  size_t pos_ = 0;
};

}  // namespace

bool JsonToArrayLiteral(std::string_view json, bool json_elements, std::string& out) {
  return Converter(json, json_elements, out).Run();
}

}  // namespace sluice::postgres
