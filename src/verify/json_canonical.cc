#include "verify/json_canonical.h"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace sluice::verify {
namespace {

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

// Numbers whose plain decimal form needs at most this many zeros are written plainly.
constexpr int64_t kMaxPaddingZeros = 40;
// An exponent with more digits is not a value any database keeps: the document is compared as
// written.
constexpr size_t kMaxExponentDigits = 15;

// A recursive-descent reader of one JSON document that writes its canonical text.
class CanonicalWriter {
 public:
  explicit CanonicalWriter(std::string_view text) : text_(text) {}

  bool Document(std::string& out) {
    SkipSpace();
    if (!Value(out, 0)) return false;
    SkipSpace();
    return pos_ == text_.size();
  }

 private:
  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Value(std::string& out, int depth) {
    if (depth > kMaxJsonDepth || pos_ >= text_.size()) return false;
    const char c = text_[pos_];
    if (c == '{') return Object(out, depth);
    if (c == '[') return Array(out, depth);
    if (c == '"') return String(out);
    if (c == '-' || IsDigit(c)) return Number(out);
    for (std::string_view word : {"true", "false", "null"}) {
      if (text_.substr(pos_, word.size()) == word) {
        out.append(word);
        pos_ += word.size();
        return true;
      }
    }
    return false;
  }

  bool Array(std::string& out, int depth) {
    ++pos_;  // [
    out.push_back('[');
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      out.push_back(']');
      return true;
    }
    while (true) {
      SkipSpace();
      if (!Value(out, depth + 1)) return false;
      SkipSpace();
      if (pos_ >= text_.size()) return false;
      const char c = text_[pos_++];
      if (c == ']') break;
      if (c != ',') return false;
      out.push_back(',');
    }
    out.push_back(']');
    return true;
  }

  bool Object(std::string& out, int depth) {
    ++pos_;                                                    // {
    std::vector<std::pair<std::string, std::string>> members;  // canonical key, value
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
    } else {
      while (true) {
        SkipSpace();
        std::pair<std::string, std::string> member;
        if (pos_ >= text_.size() || text_[pos_] != '"' || !String(member.first)) return false;
        SkipSpace();
        if (pos_ >= text_.size() || text_[pos_++] != ':') return false;
        SkipSpace();
        if (!Value(member.second, depth + 1)) return false;
        members.push_back(std::move(member));
        SkipSpace();
        if (pos_ >= text_.size()) return false;
        const char c = text_[pos_++];
        if (c == '}') break;
        if (c != ',') return false;
      }
    }
    // Sorted by key; of a repeated key the last one stays (stable sort, then the last of each
    // run of equal keys).
    std::stable_sort(members.begin(), members.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    out.push_back('{');
    bool first = true;
    for (size_t i = 0; i < members.size(); ++i) {
      if (i + 1 < members.size() && members[i + 1].first == members[i].first) continue;
      if (!first) out.push_back(',');
      first = false;
      out += members[i].first;
      out.push_back(':');
      out += members[i].second;
    }
    out.push_back('}');
    return true;
  }

  // A string token, decoded and re-escaped by nlohmann (which also checks its UTF-8).
  bool String(std::string& out) {
    const size_t start = pos_++;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      pos_ += text_[pos_] == '\\' ? 2 : 1;
    }
    if (pos_ >= text_.size()) return false;
    ++pos_;  // the closing quote
    nlohmann::json value = nlohmann::json::parse(text_.substr(start, pos_ - start), nullptr,
                                                 /*allow_exceptions=*/false);
    if (value.is_discarded() || !value.is_string()) return false;
    out += value.dump();
    return true;
  }

  bool Number(std::string& out) {
    const size_t start = pos_;
    if (text_[pos_] == '-') ++pos_;
    if (pos_ >= text_.size() || !IsDigit(text_[pos_])) return false;
    if (text_[pos_] == '0') {
      ++pos_;
    } else {
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (pos_ >= text_.size() || !IsDigit(text_[pos_])) return false;
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (pos_ >= text_.size() || !IsDigit(text_[pos_])) return false;
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    }
    return AppendCanonicalNumber(text_.substr(start, pos_ - start), out);
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

bool AppendCanonicalNumber(std::string_view lexeme, std::string& out) {
  size_t i = 0;
  const bool negative = i < lexeme.size() && lexeme[i] == '-';
  if (negative) ++i;
  // value = digits * 10^exponent
  std::string digits;
  int64_t exponent = 0;
  bool any_digit = false;
  for (; i < lexeme.size() && IsDigit(lexeme[i]); ++i) {
    any_digit = true;
    if (!digits.empty() || lexeme[i] != '0') digits.push_back(lexeme[i]);
  }
  if (!any_digit) return false;
  if (i < lexeme.size() && lexeme[i] == '.') {
    ++i;
    if (i >= lexeme.size() || !IsDigit(lexeme[i])) return false;
    for (; i < lexeme.size() && IsDigit(lexeme[i]); ++i) {
      --exponent;
      if (!digits.empty() || lexeme[i] != '0') digits.push_back(lexeme[i]);
    }
  }
  if (i < lexeme.size() && (lexeme[i] == 'e' || lexeme[i] == 'E')) {
    ++i;
    bool exponent_negative = false;
    if (i < lexeme.size() && (lexeme[i] == '+' || lexeme[i] == '-')) {
      exponent_negative = lexeme[i++] == '-';
    }
    while (i < lexeme.size() && lexeme[i] == '0') ++i;
    const size_t exponent_start = i;
    int64_t written = 0;
    for (; i < lexeme.size() && IsDigit(lexeme[i]); ++i) {
      if (i - exponent_start >= kMaxExponentDigits) return false;
      written = written * 10 + (lexeme[i] - '0');
    }
    exponent += exponent_negative ? -written : written;
  }
  if (i != lexeme.size()) return false;
  if (digits.empty()) {  // any zero, -0 and 0e5 included
    out.push_back('0');
    return true;
  }
  while (digits.back() == '0') {
    digits.pop_back();
    ++exponent;
  }
  if (negative) out.push_back('-');
  const auto n = static_cast<int64_t>(digits.size());
  if (exponent >= 0 && exponent <= kMaxPaddingZeros) {
    out += digits;
    out.append(static_cast<size_t>(exponent), '0');
  } else if (exponent < 0 && -exponent <= n + kMaxPaddingZeros) {
    const int64_t point = n + exponent;  // digits before the decimal point
    if (point > 0) {
      out.append(digits, 0, static_cast<size_t>(point));
      out.push_back('.');
      out.append(digits, static_cast<size_t>(point));
    } else {
      out += "0.";
      out.append(static_cast<size_t>(-point), '0');
      out += digits;
    }
  } else {
    out += digits;
    out.push_back('e');
    out += std::to_string(exponent);
  }
  return true;
}

bool AppendCanonicalJson(std::string_view text, std::string& out) {
  const size_t start = out.size();
  CanonicalWriter writer(text);
  if (writer.Document(out)) return true;
  out.resize(start);
  return false;
}

}  // namespace sluice::verify
