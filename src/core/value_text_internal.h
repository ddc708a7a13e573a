// Helpers shared by value_text.cc and value_text_parse.cc; not part of the public interface.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace sluice::text_internal {

inline int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// `text` shortened for an error message (long values would flood the reject log).
std::string Excerpt(std::string_view text);
Status OutOfRange(std::string_view text, const char* type_name);

// Integer parsing whose errors name `type_name` ("'12x' is not a valid int32").
Status ParseSignedAs(std::string_view text, const char* type_name, int64_t& out);
Status ParseUnsignedAs(std::string_view text, const char* type_name, uint64_t& out);
Result<float> ParseFloat32(std::string_view text);

// Append the canonical form to `out`; on error `out` may hold partial bytes (callers roll back).
Status AppendCanonicalDecimal(std::string_view text, uint16_t precision, uint16_t scale,
                              std::string& out);
Status AppendCanonicalUuid(std::string_view text, std::string& out);

}  // namespace sluice::text_internal
