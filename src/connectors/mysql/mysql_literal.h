// SQL literals for values sluice puts into its own queries: split boundaries (taken from the
// server's text of a key) and watermark bounds (from sluice's canonical text). A literal must
// compare with the column exactly as the column's own values compare, so each is written in
// the column's own form: numbers bare, strings and temporals quoted (TIMESTAMP in UTC, the
// session's zone), binary strings as X'hex'.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "connectors/mysql/mysql_types.h"
#include "core/status.h"
#include "core/time_zone.h"

namespace sluice::mysql {

// Whether a column read as `kind` can cut a parallel read: its ORDER BY order must agree with
// comparisons against literals (not so for ENUM, floats, BIT, JSON).
bool IsSplittable(ReadKind kind);

// The literal for a key value as the server sent it (text protocol), or nullopt when `kind`
// is not splittable.
std::optional<std::string> LiteralFromServerText(ReadKind kind, std::string_view text);

// The literal for a canonical text value (value_text.h) of `type`, read from a column as
// `kind`. `zone` is the source's time_zone for DATETIME read as instants.
Result<std::string> LiteralFromCanonical(ReadKind kind, const DataType& type,
                                         std::string_view canonical, const TimeZone& zone);

}  // namespace sluice::mysql
