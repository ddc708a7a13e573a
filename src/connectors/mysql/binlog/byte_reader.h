// ByteReader: a bounds-checked cursor over the bytes of one binlog event.
//
// Every length in a binlog comes from the bytes themselves, so every read goes through here
// and fails (returns false, remembers where) instead of reading past the end. The decoders
// check the flag once per structure and turn it into an error naming the byte offset, which is
// relative to the start of the event (the caller adds the event's file offset).
// Lifecycle: a value on the stack of one decode call; it borrows the bytes, never owns them.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace sluice::mysql::binlog {

class ByteReader {
 public:
  // `base` is the offset of data[0] within the event, so positions in errors are event offsets.
  explicit ByteReader(std::string_view data, size_t base = 0) : data_(data), base_(base) {}

  size_t remaining() const { return data_.size() - pos_; }
  size_t offset() const { return base_ + pos_; }  // the event offset of the next byte
  bool ok() const { return ok_; }
  bool empty() const { return pos_ >= data_.size(); }
  std::string_view rest() const { return data_.substr(pos_); }

  // Little-endian unsigned integer of `n` bytes (1..8).
  bool Le(size_t n, uint64_t& out) {
    if (!Need(n)) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(Byte(pos_ + i)) << (8 * i);
    pos_ += n;
    out = v;
    return true;
  }
  // Big-endian unsigned integer of `n` bytes (1..8).
  bool Be(size_t n, uint64_t& out) {
    if (!Need(n)) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | Byte(pos_ + i);
    pos_ += n;
    out = v;
    return true;
  }
  template <typename T>
  bool U(size_t n, T& out) {
    uint64_t v = 0;
    if (!Le(n, v)) return false;
    out = static_cast<T>(v);
    return true;
  }
  // The length-encoded ("packed") integer of the client protocol: < 251 is the value;
  // 252, 253, 254 prefix 2, 3, 8 bytes. 251 (NULL) and 255 are invalid here.
  bool Packed(uint64_t& out) {
    uint64_t first = 0;
    if (!Le(1, first)) return false;
    if (first < 251) {
      out = first;
      return true;
    }
    if (first == 252) return Le(2, out);
    if (first == 253) return Le(3, out);
    if (first == 254) return Le(8, out);
    return Fail();
  }
  bool Bytes(size_t n, std::string_view& out) {
    if (!Need(n)) return false;
    out = data_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool Skip(size_t n) {
    if (!Need(n)) return false;
    pos_ += n;
    return true;
  }
  // Marks the reader failed at the current position (a value out of its domain).
  bool Fail() {
    if (ok_) fail_offset_ = offset();
    ok_ = false;
    return false;
  }
  // Where the first failure happened (the event offset of the read that did not fit).
  size_t fail_offset() const { return fail_offset_; }

 private:
  bool Need(size_t n) {
    if (ok_ && n <= data_.size() - pos_) return true;
    return Fail();
  }
  uint8_t Byte(size_t i) const { return static_cast<uint8_t>(data_[i]); }

  std::string_view data_;
  size_t base_ = 0;
  size_t pos_ = 0;
  size_t fail_offset_ = 0;
  bool ok_ = true;
};

}  // namespace sluice::mysql::binlog
