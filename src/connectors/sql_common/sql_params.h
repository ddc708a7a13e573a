// The ?1, ?2, ... placeholders of the shared statements (checkpoint_commit.cc), turned into a
// driver's own form: PostgreSQL's $1, or inline literals for a text protocol (MySQL).
// Only for sluice's own fixed statements: a '?' inside a string literal would be rewritten too.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "connectors/sql_common/checkpoint_session.h"

namespace sluice::sql_common {

// Replaces each `?N` (N >= 1) with replace(N - 1); other text is copied as it is.
std::string RewriteParams(std::string_view sql, const std::function<std::string(size_t)>& replace);
// A parameter's text form: the string itself, or the integer's decimal digits.
std::string ParamText(const SqlParam& param);

}  // namespace sluice::sql_common
