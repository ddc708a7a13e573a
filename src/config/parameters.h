// Job parameters: ${bizdate}, ${env:NAME}, ${NAME} in the scalar values of a job file.
//
// Syntax (docs/job-file.md has the user's view):
//   ${bizdate}              the business date as yyyyMMdd
//   ${bizdate-N}/${bizdate+N}   N days before/after it
//   ${bizdate:PATTERN}      formatted with yyyy, MM, dd; every other non-letter is literal
//   ${bizdate+N:PATTERN}    both
//   ${env:NAME}             an environment variable (an error when unset)
//   ${env:NAME:-fallback}   ... or `fallback` when unset or empty, as in the shell
//   ${NAME}                 a value given with --set NAME=value (taken literally)
//   ${db} ${table} ${1}     left as written (unless --set gives them): filled in per table
//                           by multi-table jobs
//   $${                     a literal "${"
// A ParameterResolver is built once per load on the main thread and is read-only afterwards.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time_zone.h"

namespace sluice {

// Whether `name` can be used as ${name} and in --set name=value: [A-Za-z_][A-Za-z0-9_]*.
bool IsParameterName(std::string_view name);
// ${db}, ${table}, ${0}..${9}: filled in per table of a multi-table job (target names), never
// by the resolver, which leaves them as written.
bool IsTableNameParameter(std::string_view name);
// Parses --bizdate: "20240301" or "2024-03-01", a real calendar date in years 0001..9999.
// Returns days since 1970-01-01.
Result<int32_t> ParseBizdate(std::string_view text);
// Yesterday in `zone` at the instant `now_micros` (micros since the Unix epoch), as days since
// 1970-01-01: jobs run after midnight load the day that just ended.
int32_t DefaultBizdate(int64_t now_micros, const TimeZone& zone);
// Formats `days` with a pattern of yyyy, MM and dd ("yyyy-MM-dd" -> "2024-03-01"). Any other
// ASCII letter is an error, so "yyyy-mm-dd" (minutes in Java) is caught rather than guessed.
Result<std::string> FormatDatePattern(int32_t days, std::string_view pattern);

class ParameterResolver {
 public:
  // `bizdate` in days since 1970-01-01; `values` are the --set NAME=value parameters.
  ParameterResolver(int32_t bizdate, std::map<std::string, std::string> values)
      : bizdate_(bizdate), values_(std::move(values)) {}

  // Replaces every parameter in `text`. Errors are InvalidArgument with a message that names
  // the parameter but not where it was written: the caller adds file, line and path.
  Result<std::string> Substitute(std::string_view text) const;

  int32_t bizdate() const { return bizdate_; }
  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  Result<std::string> Resolve(std::string_view body) const;
  Result<std::string> ResolveBizdate(std::string_view body) const;
  Result<std::string> ResolveEnv(std::string_view body) const;

  int32_t bizdate_;
  std::map<std::string, std::string> values_;
};

}  // namespace sluice
