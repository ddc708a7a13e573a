// Canonical JSON text for comparisons: two documents that hold the same value get the same
// text, whichever database printed them.
//
//   objects   keys sorted (bytes of the decoded key); a repeated key keeps its last value, as
//             PostgreSQL jsonb does
//   strings   decoded and re-escaped one way ("\u00e9" and "é" alike)
//   numbers   by exact decimal value, never through double: 2e3, 2000 and 2000.0 alike;
//             9007199254740993 and 9007199254740992 apart; 1e400 kept. The form is the plain
//             decimal when it is short, else <digits>e<exponent> ("1e400")
//   spacing   none
//
// Used by ValueNormalizer for kJson columns. Pure functions; allocate per call.
#pragma once

#include <string>
#include <string_view>

namespace sluice::verify {

// Appends the canonical text of the JSON document `text` to `out` and returns true; returns
// false (and leaves `out` as it was) when `text` is not one JSON value or nests deeper than
// kMaxJsonDepth.
bool AppendCanonicalJson(std::string_view text, std::string& out);

// Appends the canonical text of one JSON number lexeme ("-1.50e+3" -> "-1500"); false when
// `lexeme` is not a JSON number. Exposed for tests.
bool AppendCanonicalNumber(std::string_view lexeme, std::string& out);

inline constexpr int kMaxJsonDepth = 512;

}  // namespace sluice::verify
