// LineReader: the lines of a file, streamed through a ReadBuffer (JSON lines, one record each).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "connectors/file_common/read_buffer.h"

namespace sluice {

class LineReader {
 public:
  Status Open(const std::string& path, size_t chunk_bytes = ReadBuffer::kChunkBytes) {
    return buffer_.Open(path, chunk_bytes);
  }

  // The next line without its LF (and CR), or nullopt at the end of the file. The view stays
  // valid until the next call. A last line without a line break is still a line.
  Result<std::optional<std::string_view>> Next();
  // 1-based number of the line Next() returned last.
  int64_t line_number() const { return line_number_; }
  const std::string& path() const { return buffer_.path(); }

 private:
  ReadBuffer buffer_;
  size_t pending_consume_ = 0;
  int64_t line_number_ = 0;
};

}  // namespace sluice
