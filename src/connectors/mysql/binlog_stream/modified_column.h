// What an ALTER TABLE ... MODIFY (or CHANGE under the same name) did to a column, judged from
// the column in the table's TABLE_MAP before the statement and in the one after it. The binlog
// shows no row changes for what the ALTER did to the rows already there, so a realtime run
// follows only what keeps every value as it was: a longer VARCHAR, CHAR, TEXT or VARBINARY,
// VARCHAR to TEXT, a wider integer (INT to BIGINT, INT UNSIGNED to BIGINT), a DECIMAL with as
// many digits before and after the point or more, ENUM or SET members appended, a new default
// or comment, NULL allowed. Any other change (another type, a shorter length, a narrower
// integer or decimal, another signedness or character set, NOT NULL, a longer BINARY, which
// pads its values) stops the stream, saying what changed. Pure.
#pragma once

#include <string>

#include "connectors/mysql/binlog/table_map.h"
#include "core/types.h"

namespace sluice::mysql::binlog_stream {

// Whether two TABLE_MAP columns have one binlog type: type, real type, length, precision,
// scale and members; signedness and collation when both maps carry them.
bool SameBinlogType(const binlog::TableMapColumn& a, const binlog::TableMapColumn& b);

struct ModifiedColumn {
  bool followed = false;
  bool widened = false;  // followed, and its values may now be wider (the target's too)
  std::string why_not;   // for a change not followed: what changed, for the message
};

ModifiedColumn JudgeModifiedColumn(const binlog::TableMapColumn& before,
                                   const binlog::TableMapColumn& now);

// The type of widened TABLE_MAP column `now`: an integer by its bytes and signedness
// (MEDIUMINT as 32 bits), a decimal by its digits; a text or bytes column (`id`) by its length
// in characters, as many as its bytes hold at the fewest bytes per character of its character
// set (never fewer than it holds), 0 (no length) for TEXT, BLOB, ENUM and SET.
DataType TypeOfWidened(const binlog::TableMapColumn& now, TypeId id);

}  // namespace sluice::mysql::binlog_stream
