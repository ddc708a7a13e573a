#include "connectors/postgres/replication/lsn.h"

#include <fmt/format.h>

namespace sluice::postgres::replication {
namespace {

// Parses 1..8 hex digits; false for anything else.
bool ParseHalf(std::string_view text, uint32_t& out) {
  if (text.empty() || text.size() > 8) return false;
  uint32_t v = 0;
  for (char ch : text) {
    uint32_t d = 0;
    if (ch >= '0' && ch <= '9') {
      d = static_cast<uint32_t>(ch - '0');
    } else if (ch >= 'a' && ch <= 'f') {
      d = static_cast<uint32_t>(ch - 'a' + 10);
    } else if (ch >= 'A' && ch <= 'F') {
      d = static_cast<uint32_t>(ch - 'A' + 10);
    } else {
      return false;
    }
    v = (v << 4) | d;
  }
  out = v;
  return true;
}

}  // namespace

std::string Lsn::ToString() const {
  return fmt::format("{:X}/{:X}", static_cast<uint32_t>(value >> 32),
                     static_cast<uint32_t>(value & 0xffffffffu));
}

Result<Lsn> Lsn::Parse(std::string_view text) {
  const size_t slash = text.find('/');
  uint32_t hi = 0;
  uint32_t lo = 0;
  if (slash == std::string_view::npos || !ParseHalf(text.substr(0, slash), hi) ||
      !ParseHalf(text.substr(slash + 1), lo)) {
    return Err(Status::Invalid("'{}' is not a valid LSN (expected hex/hex, like 0/16B3748)",
                               text.substr(0, 64)));
  }
  return Lsn{(uint64_t{hi} << 32) | lo};
}

}  // namespace sluice::postgres::replication
