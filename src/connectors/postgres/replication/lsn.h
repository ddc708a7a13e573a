// Lsn: a PostgreSQL WAL position (XLogRecPtr), the one position type of PostgreSQL change capture.
//
// A strong type over the 64-bit byte position so positions are compared as numbers, never as
// text ("0/16B3748" < "0/9" as strings). The text form is PostgreSQL's: the high and low 32 bits
// in hex, "%X/%X" (pg_lsn's output), which is also how it is stored in sluice's state.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace sluice::postgres::replication {

struct Lsn {
  uint64_t value = 0;  // 0 is InvalidXLogRecPtr

  constexpr auto operator<=>(const Lsn&) const = default;
  constexpr bool valid() const { return value != 0; }

  // "0/16B3748": uppercase hex, no leading zeros, as PostgreSQL prints it.
  std::string ToString() const;
  // Accepts what pg_lsn accepts: 1 to 8 hex digits (any case), '/', 1 to 8 hex digits, nothing
  // else (no spaces, no sign). Anything else is an InvalidArgument naming the text.
  static Result<Lsn> Parse(std::string_view text);
};

}  // namespace sluice::postgres::replication
