// Builds pgoutput message bytes for the unit tests (test-only header).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "connectors/postgres/pg_wire.h"

namespace sluice::postgres::replication::testing {

class Bytes {
 public:
  explicit Bytes(char kind) { b_ += kind; }
  Bytes& U8(uint8_t v) {
    b_ += static_cast<char>(v);
    return *this;
  }
  Bytes& I16(int16_t v) {
    PutI16(b_, v);
    return *this;
  }
  Bytes& U32(uint32_t v) {
    PutU32(b_, v);
    return *this;
  }
  Bytes& U64(uint64_t v) {
    PutU64(b_, v);
    return *this;
  }
  Bytes& Str(std::string_view s) {
    b_.append(s);
    b_ += '\0';
    return *this;
  }
  Bytes& Raw(std::string_view s) {
    b_.append(s);
    return *this;
  }
  // One TupleData column: 'n', 'u', or 't'/'b' with a value.
  Bytes& Null() { return U8('n'); }
  Bytes& Unchanged() { return U8('u'); }
  Bytes& Text(std::string_view v) {
    U8('t').U32(static_cast<uint32_t>(v.size()));
    return Raw(v);
  }
  const std::string& str() const { return b_; }

 private:
  std::string b_;
};

}  // namespace sluice::postgres::replication::testing
