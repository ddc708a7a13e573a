#include "connectors/file_common/line_reader.h"

#include <cstring>

namespace sluice {

Result<std::optional<std::string_view>> LineReader::Next() {
  buffer_.Consume(pending_consume_);
  pending_consume_ = 0;
  size_t searched = 0;  // bytes already known to hold no LF, so refills do not rescan them
  while (true) {
    const std::string_view data = buffer_.view();
    const void* nl = std::memchr(data.data() + searched, '\n', data.size() - searched);
    if (nl != nullptr || buffer_.eof()) {
      if (nl == nullptr && data.empty()) return std::optional<std::string_view>();
      const size_t end =
          nl ? static_cast<size_t>(static_cast<const char*>(nl) - data.data()) : data.size();
      pending_consume_ = nl ? end + 1 : end;
      ++line_number_;
      std::string_view line = data.substr(0, end);
      if (line.ends_with('\r')) line.remove_suffix(1);
      return std::optional<std::string_view>(line);
    }
    searched = data.size();
    SLUICE_RETURN_IF_ERROR(buffer_.Fill());
  }
}

}  // namespace sluice
