#include "connectors/postgres/replication/array_text_to_json.h"

#include <fmt/format.h>

#include "connectors/file_common/text_codec.h"
#include "connectors/postgres/replication/pg_text_values.h"
#include "core/value_text.h"

namespace sluice::postgres::replication {
namespace {

bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    const size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

// Strings are escaped with AppendJsonString (file_common/text_codec.h): exactly as
// PostgreSQL's escape_json does.
class ArrayParser {
 public:
  ArrayParser(std::string_view text, ArrayElement element, std::string& out)
      : text_(text), element_(element), out_(out) {}

  Status Run() {
    // "[1:3]={...}": bounds other than 1 are printed before '='; to_json drops them.
    if (Peek() == '[') {
      const size_t eq = text_.find('=');
      if (eq == std::string_view::npos) return Fail("dimension decoration without '='");
      pos_ = eq + 1;
    }
    SLUICE_RETURN_IF_ERROR(Array());
    if (pos_ != text_.size()) return Fail("trailing text");
    return Status::OK();
  }

 private:
  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

  Status Fail(const char* what) const {
    return Status::DataError("array text at offset {}: {}", pos_, what);
  }

  Status Array() {
    if (Peek() != '{') return Fail("expected '{'");
    ++pos_;
    out_ += '[';
    if (Peek() == '}') {
      ++pos_;
      out_ += ']';
      return Status::OK();
    }
    while (true) {
      if (Peek() == '{') {
        SLUICE_RETURN_IF_ERROR(Array());
      } else {
        SLUICE_RETURN_IF_ERROR(Element());
      }
      const char ch = Peek();
      ++pos_;
      if (ch == '}') break;
      if (ch != ',') return Fail("expected ',' or '}'");
      out_ += ',';
    }
    out_ += ']';
    return Status::OK();
  }

  Status Element() {
    scratch_.clear();
    if (Peek() == '"') {
      ++pos_;
      while (true) {
        if (pos_ >= text_.size()) return Fail("unterminated quoted element");
        char ch = text_[pos_++];
        if (ch == '"') break;
        if (ch == '\\') {
          if (pos_ >= text_.size()) return Fail("unterminated escape");
          ch = text_[pos_++];
        }
        scratch_ += ch;
      }
    } else {
      const size_t start = pos_;
      while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '}') {
        if (text_[pos_] == '"' || text_[pos_] == '{' || text_[pos_] == '\\') {
          return Fail("unexpected character in an unquoted element");
        }
        ++pos_;
      }
      if (pos_ == start) return Fail("empty element");
      scratch_.assign(text_.substr(start, pos_ - start));
      if (scratch_.size() == 4 && (scratch_[0] | 0x20) == 'n' && (scratch_[1] | 0x20) == 'u' &&
          (scratch_[2] | 0x20) == 'l' && (scratch_[3] | 0x20) == 'l') {
        out_ += "null";
        return Status::OK();
      }
    }
    return Scalar(scratch_);
  }

  Status Scalar(std::string_view v) {
    switch (element_) {
      case ArrayElement::kNumber:
        if (IsJsonNumber(v)) {
          out_ += v;
        } else {
          AppendJsonString(v, out_);
        }
        return Status::OK();
      case ArrayElement::kBool:
        if (v == "t" || v == "f") {
          out_ += v == "t" ? "true" : "false";
          return Status::OK();
        }
        return Fail("not a boolean element");
      case ArrayElement::kJson:
        out_ += v;
        return Status::OK();
      case ArrayElement::kDate:
      case ArrayElement::kTimestamp:
      case ArrayElement::kTimestampTz:
        return Temporal(v);
      case ArrayElement::kString:
        AppendJsonString(v, out_);
        return Status::OK();
    }
    return Fail("unknown element kind");
  }

  // to_json prints dates and timestamps in ISO 8601 (XSD) form; ±infinity as is.
  Status Temporal(std::string_view v) {
    if (v == "infinity" || v == "-infinity") {
      AppendJsonString(v, out_);
      return Status::OK();
    }
    std::string text;
    if (element_ == ArrayElement::kDate) {
      SLUICE_ASSIGN_OR_RETURN(const int32_t days, ParsePgDate(v));
      FormatDate(days, text);
    } else if (element_ == ArrayElement::kTimestamp) {
      SLUICE_ASSIGN_OR_RETURN(const int64_t micros, ParsePgTimestamp(v));
      FormatTimestamp(micros, text);
      const size_t space = text.find(' ');
      if (space != std::string::npos) text[space] = 'T';
    } else {
      SLUICE_ASSIGN_OR_RETURN(const int64_t micros, ParsePgTimestampTz(v));
      FormatTimestampTz(micros, text);  // "...Z"
      if (!text.empty() && text.back() == 'Z') text.pop_back();
      text += "+00:00";
    }
    AppendJsonString(text, out_);
    return Status::OK();
  }

  std::string_view text_;
  ArrayElement element_;
  std::string& out_;
  size_t pos_ = 0;
  std::string scratch_;
};

}  // namespace

Status ArrayTextToJson(std::string_view text, ArrayElement element, std::string& out) {
  return ArrayParser(text, element, out).Run();
}

}  // namespace sluice::postgres::replication
