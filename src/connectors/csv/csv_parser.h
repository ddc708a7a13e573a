// CsvRecordParser: splits RFC 4180 text into records and fields without copying.
//
// Quoted fields may hold delimiters, doubled quotes and line breaks; records end at LF, CRLF or
// a lone CR; the last record may lack a line break. Fields are views into the caller's buffer:
// a quoted field is left escaped (has_escapes) and unescaped by AppendUnescaped() straight into
// its destination, so parsing a record never allocates once the field vector has grown.
// One instance per reader thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

struct CsvField {
  std::string_view raw;  // between the quotes for a quoted field, doubled quotes still doubled
  bool quoted = false;
  bool has_escapes = false;  // raw holds doubled quotes
};

class CsvRecordParser {
 public:
  enum class Result {
    kRecord,     // fields() holds the record; consumed() bytes include its line break
    kNeedMore,   // the record runs past the end of `data` and more data may follow
    kMalformed,  // error() says why; consumed() skips past the bad record
  };

  CsvRecordParser(char delimiter, char quote);

  // Parses the record at the start of `data`; `eof` says no byte follows `data`.
  // `data` must not be empty.
  Result Parse(std::string_view data, bool eof);

  const std::vector<CsvField>& fields() const { return fields_; }
  size_t consumed() const { return consumed_; }
  // The record's text without its line break (for reject messages).
  size_t record_size() const { return record_size_; }
  // Line breaks consumed, inside quoted fields included: the next record's line is this
  // record's line plus lines().
  int64_t lines() const { return lines_; }
  const char* error() const { return error_; }

 private:
  // After a field ending at `pos`: a delimiter continues the record, a line break ends it.
  enum class After { kNextField, kEnd, kNeedMore, kBad };
  After AfterField(std::string_view data, size_t& pos, bool eof);
  Result Malformed(std::string_view data, size_t from, bool eof, const char* why);

  char delimiter_;
  char quote_;
  std::array<bool, 256> stop_{};  // ends an unquoted field: delimiter, CR, LF
  std::vector<CsvField> fields_;
  size_t consumed_ = 0;
  size_t record_size_ = 0;
  int64_t lines_ = 0;
  const char* error_ = "";
};

// Appends the text of `field` with doubled quotes undoubled.
void AppendUnescaped(const CsvField& field, char quote, std::string& out);

}  // namespace sluice
