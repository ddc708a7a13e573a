#include "connectors/sql_common/added_default.h"

#include <cctype>

#include <fmt/format.h>

namespace sluice::sql_common {
namespace {

size_t Digits(std::string_view text, size_t at) {
  size_t n = 0;
  while (at + n < text.size() && std::isdigit(static_cast<unsigned char>(text[at + n]))) ++n;
  return n;
}

}  // namespace

bool IsPlainNumber(std::string_view text) {
  size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
  const size_t whole = Digits(text, i);
  i += whole;
  size_t fraction = 0;
  if (i < text.size() && text[i] == '.') {
    fraction = Digits(text, i + 1);
    i += 1 + fraction;
  }
  if (whole + fraction == 0) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    const size_t exponent = Digits(text, i);
    if (exponent == 0) return false;
    i += exponent;
  }
  return i == text.size();
}

Result<std::string> AddedDefaultClause(const Field& field, std::string_view target,
                                       const std::function<std::string(std::string_view)>& quote) {
  if (!field.added_default_unknown.empty()) {
    return Err(Status::Invalid(
        "{}: column {} was added at the source with {}, which is not a constant sluice can "
        "know: the source filled its existing rows with values the change stream does not "
        "carry, so the target's rows cannot be made to match; re-snapshot the table into a "
        "fresh target (startup: initial)",
        target, field.name, field.added_default_unknown));
  }
  if (!field.added_default) return std::string();
  const std::string& value = *field.added_default;
  if (::sluice::IsNumeric(field.type.id) && IsPlainNumber(value)) return " DEFAULT " + value;
  return " DEFAULT " + quote(value);
}

}  // namespace sluice::sql_common
