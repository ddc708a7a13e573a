// ByteReader: a bounds-checked big-endian cursor over one message, for the replication decoders.
//
// Every read checks the bytes left first, so a truncated or corrupt message from the network
// (or a fuzz input) becomes an error, never a read past the end. Errors name the message
// ("pgoutput Insert") and the byte offset where decoding stopped, which is what one needs to
// find the bad byte in a captured stream. The reader only views the input; the caller keeps
// the bytes alive.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "connectors/postgres/pg_wire.h"
#include "core/status.h"

namespace sluice::postgres::replication {

class ByteReader {
 public:
  // `what` names the message in errors; it must outlive the reader (a string literal).
  ByteReader(std::string_view bytes, const char* what) : bytes_(bytes), what_(what) {}

  size_t offset() const { return pos_; }
  size_t remaining() const { return bytes_.size() - pos_; }
  bool done() const { return pos_ == bytes_.size(); }
  const char* what() const { return what_; }
  void set_what(const char* what) { what_ = what; }

  Result<uint8_t> U8(const char* field) {
    SLUICE_RETURN_IF_ERROR(Need(1, field));
    return static_cast<uint8_t>(bytes_[pos_++]);
  }
  Result<int16_t> I16(const char* field) {
    SLUICE_RETURN_IF_ERROR(Need(2, field));
    const int16_t v = ReadI16(bytes_.data() + pos_);
    pos_ += 2;
    return v;
  }
  Result<uint32_t> U32(const char* field) {
    SLUICE_RETURN_IF_ERROR(Need(4, field));
    const uint32_t v = ReadU32(bytes_.data() + pos_);
    pos_ += 4;
    return v;
  }
  Result<int32_t> I32(const char* field) {
    SLUICE_ASSIGN_OR_RETURN(const uint32_t v, U32(field));
    return static_cast<int32_t>(v);
  }
  Result<uint64_t> U64(const char* field) {
    SLUICE_RETURN_IF_ERROR(Need(8, field));
    const uint64_t v = ReadU64(bytes_.data() + pos_);
    pos_ += 8;
    return v;
  }
  Result<int64_t> I64(const char* field) {
    SLUICE_ASSIGN_OR_RETURN(const uint64_t v, U64(field));
    return static_cast<int64_t>(v);
  }
  // `n` bytes as a view into the input.
  Result<std::string_view> Bytes(size_t n, const char* field) {
    SLUICE_RETURN_IF_ERROR(Need(n, field));
    std::string_view v = bytes_.substr(pos_, n);
    pos_ += n;
    return v;
  }
  // A NUL-terminated string (pgoutput's String); the view excludes the terminator.
  Result<std::string_view> CString(const char* field) {
    if (done()) return Err(Error("truncated: {} is missing", field));  // memchr needs a pointer
    const void* nul = std::memchr(bytes_.data() + pos_, '\0', remaining());
    if (nul == nullptr) return Err(Error("unterminated string for {}", field));
    const size_t len = static_cast<const char*>(nul) - (bytes_.data() + pos_);
    std::string_view v = bytes_.substr(pos_, len);
    pos_ += len + 1;
    return v;
  }
  // The rest of the message.
  std::string_view Rest() {
    std::string_view v = bytes_.substr(pos_);
    pos_ = bytes_.size();
    return v;
  }

  // An error at the current offset: "pgoutput Insert at offset 7: <message>".
  template <typename... Args>
  Status Error(fmt::format_string<Args...> f, Args&&... args) const {
    return Status::DataError("{} at offset {}: {}", what_, pos_,
                             fmt::format(f, std::forward<Args>(args)...));
  }
  // An error about the byte at `offset` (a marker or flag just read).
  template <typename... Args>
  Status ErrorAt(size_t offset, fmt::format_string<Args...> f, Args&&... args) const {
    return Status::DataError("{} at offset {}: {}", what_, offset,
                             fmt::format(f, std::forward<Args>(args)...));
  }
  // Fails unless the whole message was consumed: trailing bytes mean we misread it.
  Status ExpectEnd() const {
    if (done()) return Status::OK();
    return Error("{} unexpected trailing bytes", remaining());
  }

 private:
  Status Need(size_t n, const char* field) const {
    if (remaining() >= n) return Status::OK();
    return Error("truncated: {} needs {} bytes, {} left", field, n, remaining());
  }

  std::string_view bytes_;
  const char* what_;
  size_t pos_ = 0;
};

}  // namespace sluice::postgres::replication
