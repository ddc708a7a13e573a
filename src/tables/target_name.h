// Target table names of multi-table jobs: templates with ${db}, ${table} and ${1}.. (a route's
// capture groups), then a case rule.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sluice {

enum class NameCase { kKeep, kLower, kUpper };
Result<NameCase> ParseNameCase(std::string_view text);

// Fills ${db}, ${table} and ${N} (captures[N-1]; ${0} is db.table) into `pattern`. An
// unknown ${...} or a capture the route does not have is an error naming it.
Result<std::string> ExpandTableTemplate(std::string_view pattern, const std::string& db,
                                        const std::string& table,
                                        const std::vector<std::string>& captures, NameCase rule);

}  // namespace sluice
