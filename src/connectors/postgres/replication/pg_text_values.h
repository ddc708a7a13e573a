// PostgreSQL's text output of dates, timestamps, bytea and money -> sluice values.
//
// pgoutput sends values as their types' output text, printed with the settings of the session
// that decodes (the walsender): DateStyle ISO is required (the replication connection sets it);
// TimeZone is not, since every timestamptz carries its offset, which may have seconds for
// historical local mean times ("+08:05:43"). Years BC are printed with a " BC" suffix; sluice
// counts them astronomically (1 BC is year 0, see core/value_text.h).
// ±infinity is not handled here: callers check for it first (it is a special value, see
// SpecialValues in pg_copy_decoder.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace sluice::postgres::replication {

// Days since 1970-01-01 of "YYYY-MM-DD[ BC]".
Result<int32_t> ParsePgDate(std::string_view text);
// Microseconds since 1970-01-01 (wall clock) of "YYYY-MM-DD HH:MM:SS[.ffffff][ BC]".
Result<int64_t> ParsePgTimestamp(std::string_view text);
// Unix microseconds of "YYYY-MM-DD HH:MM:SS[.ffffff]+HH[:MM[:SS]][ BC]".
Result<int64_t> ParsePgTimestampTz(std::string_view text);
// Appends the bytes of bytea's hex output ("\x0aff") to `out`.
Status AppendByteaHex(std::string_view text, std::string& out);
// money's output in a C-like lc_monetary ("$1,234.56", "-$0.50") -> decimal text ("1234.56").
Result<std::string> MoneyToDecimalText(std::string_view text);

}  // namespace sluice::postgres::replication
