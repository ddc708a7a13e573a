#include "connectors/csv/csv_parser.h"

#include <algorithm>
#include <cstring>

namespace sluice {

CsvRecordParser::CsvRecordParser(char delimiter, char quote)
    : delimiter_(delimiter), quote_(quote) {
  stop_[static_cast<unsigned char>(delimiter)] = true;
  stop_['\n'] = true;
  stop_['\r'] = true;
}

CsvRecordParser::After CsvRecordParser::AfterField(std::string_view data, size_t& pos, bool eof) {
  if (pos == data.size()) {
    if (!eof) return After::kNeedMore;
    record_size_ = consumed_ = pos;
    return After::kEnd;
  }
  const char c = data[pos];
  if (c == delimiter_) {
    ++pos;
    return After::kNextField;
  }
  if (c == '\n') {
    record_size_ = pos;
    consumed_ = pos + 1;
    ++lines_;
    return After::kEnd;
  }
  if (c == '\r') {
    if (pos + 1 == data.size() && !eof) return After::kNeedMore;  // CR LF split across reads
    record_size_ = pos;
    consumed_ = pos + 1 + (pos + 1 < data.size() && data[pos + 1] == '\n' ? 1 : 0);
    ++lines_;
    return After::kEnd;
  }
  return After::kBad;
}

CsvRecordParser::Result CsvRecordParser::Malformed(std::string_view data, size_t from, bool eof,
                                                   const char* why) {
  // Skip to the end of the physical line so reading resumes at the next record.
  const void* nl = std::memchr(data.data() + from, '\n', data.size() - from);
  if (nl == nullptr && !eof) return Result::kNeedMore;
  const size_t end =
      nl ? static_cast<size_t>(static_cast<const char*>(nl) - data.data()) : data.size();
  record_size_ = end;
  consumed_ = nl ? end + 1 : end;
  lines_ = std::count(data.data(), data.data() + consumed_, '\n');
  error_ = why;
  return Result::kMalformed;
}

CsvRecordParser::Result CsvRecordParser::Parse(std::string_view data, bool eof) {
  fields_.clear();
  lines_ = 0;
  error_ = "";
  const char* const base = data.data();
  const size_t n = data.size();
  size_t pos = 0;
  while (true) {
    CsvField field;
    if (pos < n && data[pos] == quote_) {
      const size_t start = pos + 1;
      size_t i = start;
      while (true) {
        const void* q = std::memchr(base + i, quote_, n - i);
        if (q == nullptr) {
          if (!eof) return Result::kNeedMore;
          return Malformed(data, n, eof, "unterminated quoted field");
        }
        i = static_cast<size_t>(static_cast<const char*>(q) - base);
        if (i + 1 == n && !eof) return Result::kNeedMore;  // "" may be split across reads
        if (i + 1 < n && data[i + 1] == quote_) {
          field.has_escapes = true;
          i += 2;
          continue;
        }
        break;
      }
      field.raw = data.substr(start, i - start);
      field.quoted = true;
      lines_ += std::count(field.raw.begin(), field.raw.end(), '\n');
      pos = i + 1;
    } else {
      const size_t start = pos;
      while (pos < n && !stop_[static_cast<unsigned char>(data[pos])]) ++pos;
      field.raw = data.substr(start, pos - start);
    }
    fields_.push_back(field);
    switch (AfterField(data, pos, eof)) {
      case After::kNextField:
        continue;
      case After::kEnd:
        return Result::kRecord;
      case After::kNeedMore:
        return Result::kNeedMore;
      case After::kBad:
        return Malformed(data, pos, eof, "unexpected character after a closing quote");
    }
  }
}

void AppendUnescaped(const CsvField& field, char quote, std::string& out) {
  if (!field.has_escapes) {
    out.append(field.raw.data(), field.raw.size());
    return;
  }
  std::string_view rest = field.raw;
  while (!rest.empty()) {
    const size_t q = rest.find(quote);
    if (q == std::string_view::npos) {
      out.append(rest.data(), rest.size());
      break;
    }
    out.append(rest.data(), q + 1);  // keep one quote of the pair
    rest.remove_prefix(std::min(q + 2, rest.size()));
  }
}

}  // namespace sluice
