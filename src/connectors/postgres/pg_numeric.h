// PostgreSQL numeric in its binary form <-> sluice's canonical decimal text.
//
// The binary form (numeric_send): int16 ndigits, int16 weight, uint16 sign, uint16 dscale,
// then ndigits base-10000 digits; the value is sum(digit[i] * 10000^(weight - i)) and dscale
// is the number of decimal digits after the point it is shown with. Decoding keeps dscale
// ("1.50" stays "1.50"), so no digit is ever lost or invented.
#pragma once

#include <string>
#include <string_view>

namespace sluice::postgres {

enum class NumericKind { kFinite, kNaN, kInfinity, kMinusInfinity, kInvalid };

// Appends the canonical text of a finite value to `out`; for NaN and ±Infinity appends
// nothing and says which it was; kInvalid for malformed bytes.
NumericKind DecodeNumeric(const char* data, size_t len, std::string& out);

// Appends the binary form of canonical decimal text ("-12.340", as CanonicalDecimal makes
// it) or of "NaN", "Infinity", "-Infinity". Returns false, appending nothing, for text that
// is not such a value or is out of numeric's range.
bool EncodeNumeric(std::string_view text, std::string& out);

}  // namespace sluice::postgres
