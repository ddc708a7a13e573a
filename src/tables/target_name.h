// Target table names of multi-table jobs: templates with ${db}, ${table} and ${1}.. (a route's
// capture groups), then a case rule.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sluice {

enum class NameCase { kKeep, kLower, kUpper };
Result<NameCase> ParseNameCase(std::string_view text);

// How one filled-in name (a db, a table, a capture) is written into the target's option:
// quoted in the target's syntax, so that the connector reads back exactly that name and never
// splits it again at a dot or a quote it holds (ConnectorInfo::template_value). An error when
// the target cannot hold the name (a file name with a '/').
using TemplateValue = std::function<Result<std::string>(std::string_view name)>;

// Fills ${db}, ${table} and ${N} (captures[N-1]; ${0} is db.table) into `pattern`, each
// through `value` (as is when empty) after the case rule; the rule applies to the pattern's
// own text too. An unknown ${...} or a capture the route does not have is an error naming it.
Result<std::string> ExpandTableTemplate(std::string_view pattern, const std::string& db,
                                        const std::string& table,
                                        const std::vector<std::string>& captures, NameCase rule,
                                        const TemplateValue& value = nullptr);

}  // namespace sluice
