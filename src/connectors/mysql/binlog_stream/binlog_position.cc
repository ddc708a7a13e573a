#include "connectors/mysql/binlog_stream/binlog_position.h"

#include <charconv>

namespace sluice::mysql::binlog_stream {

Result<BinlogPosition> BinlogPosition::Parse(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return Err(
        Status::Invalid("binlog position '{}' is not file:offset (mysql-bin.000003:1234)", text));
  }
  BinlogPosition p;
  p.file = std::string(text.substr(0, colon));
  const std::string_view digits = text.substr(colon + 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), p.offset);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    return Err(Status::Invalid("binlog position '{}': offset '{}' is not a number", text, digits));
  }
  return p;
}

uint64_t BinlogPosition::FileNumber() const {
  const size_t dot = file.rfind('.');
  uint64_t n = 0;
  if (dot == std::string::npos) return 0;
  std::from_chars(file.data() + dot + 1, file.data() + file.size(), n);
  return n;
}

std::strong_ordering BinlogPosition::operator<=>(const BinlogPosition& other) const {
  if (auto c = FileNumber() <=> other.FileNumber(); c != 0) return c;
  return offset <=> other.offset;
}

}  // namespace sluice::mysql::binlog_stream
