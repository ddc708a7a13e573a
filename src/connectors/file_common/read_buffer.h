// ReadBuffer: streams a file through a large buffer, for parsers that work on records.
//
// A parser looks at view() (the unread bytes), consumes whole records, and calls Fill() when a
// record is cut off at the end of the buffer. Fill() moves the unread tail to the front and
// reads more, growing the buffer only when a single record is larger than it. Whole files are
// never loaded. One thread only; views are invalidated by Fill().
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace sluice {

class ReadBuffer {
 public:
  static constexpr size_t kChunkBytes = 1 << 20;

  ReadBuffer() = default;
  ~ReadBuffer();
  ReadBuffer(const ReadBuffer&) = delete;
  ReadBuffer& operator=(const ReadBuffer&) = delete;

  // Opens `path` and reads the first chunk; a UTF-8 byte order mark is skipped.
  Status Open(const std::string& path, size_t chunk_bytes = kChunkBytes);

  std::string_view view() const { return std::string_view(buf_.data() + begin_, end_ - begin_); }
  void Consume(size_t n) { begin_ += n; }
  // Reads more bytes after the unread ones. Returns false (and sets eof) when the file has no
  // more; the unread bytes stay in view().
  Result<bool> Fill();
  bool eof() const { return eof_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::string buf_;
  size_t begin_ = 0;
  size_t end_ = 0;
  size_t chunk_ = kChunkBytes;
  bool eof_ = false;
};

}  // namespace sluice
