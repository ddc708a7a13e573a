// JSON arrays -> PostgreSQL array literals, for writing JSON (how sluice carries arrays) into
// array columns: [1, [2, null], "a\"b"] -> {1,{2,NULL},"a\"b"}.
//
// Numbers are copied as written (never through a double), strings are unescaped from JSON and
// re-quoted for the array syntax, null becomes NULL. Nested arrays become dimensions, except
// for arrays of json/jsonb, whose elements are JSON texts of their own (`json_elements`).
#pragma once

#include <string>
#include <string_view>

namespace sluice::postgres {

// Appends the array literal for `json` to `out`. Returns false (out may hold partial text;
// callers roll back) when `json` is not a JSON array.
bool JsonToArrayLiteral(std::string_view json, bool json_elements, std::string& out);

}  // namespace sluice::postgres
