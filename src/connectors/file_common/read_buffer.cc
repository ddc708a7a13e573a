#include "connectors/file_common/read_buffer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sluice {

ReadBuffer::~ReadBuffer() {
  if (fd_ >= 0) ::close(fd_);
}

Status ReadBuffer::Open(const std::string& path, size_t chunk_bytes) {
  path_ = path;
  chunk_ = chunk_bytes == 0 ? kChunkBytes : chunk_bytes;
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) return Status::IoError("cannot open '{}': {}", path, std::strerror(errno));
  buf_.resize(chunk_);
  while (view().size() < 3) {  // enough to see a byte order mark, even with tiny chunks
    SLUICE_ASSIGN_OR_RETURN(bool more, Fill());
    if (!more) break;
  }
  if (view().starts_with("\xEF\xBB\xBF")) Consume(3);
  return Status::OK();
}

Result<bool> ReadBuffer::Fill() {
  if (eof_) return false;
  if (begin_ > 0) {  // keep the unread tail, at the front
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  // Grow only when a record fills most of the buffer; never read into zero bytes of room.
  if (buf_.size() - end_ < std::max<size_t>(1, chunk_ / 2)) {
    buf_.resize(std::max(buf_.size() * 2, end_ + chunk_));
  }
  while (true) {
    const ssize_t n = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Err(Status::IoError("cannot read '{}': {}", path_, std::strerror(errno)));
    if (n == 0) {
      eof_ = true;
      return false;
    }
    end_ += static_cast<size_t>(n);
    return true;
  }
}

}  // namespace sluice
