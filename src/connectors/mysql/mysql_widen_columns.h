// A realtime run follows a source column that was widened (VARCHAR(50) -> VARCHAR(300) or
// TEXT, INT -> BIGINT, DECIMAL(10,2) -> DECIMAL(14,4)): the target's VARCHAR(50) or INT would
// refuse the first wider value (strict mode) and stop the job at its next checkpoint. This
// widens such columns (core/sink.h, AddColumns).
#pragma once

#include <string>
#include <vector>

#include "connectors/mysql/mysql_connection.h"
#include "connectors/mysql/mysql_table.h"
#include "core/sink.h"

namespace sluice::mysql {

// The ALTERs that let `table`'s columns take the values of their fields in `request` marked
// Field::widened_at_source (no other column is touched); each MODIFY restates the column as
// the catalog has it (mysql_modify_column.h) with the wider type:
//   - VARCHAR, CHAR, VARBINARY, BINARY for text and bytes: up to 255 characters (bytes), the
//     same kind of type; longer, VARCHAR(n) up to 16,383 characters (VARBINARY(n) up to
//     65,532 bytes); longer still, or without a length, LONGTEXT (LONGBLOB), but never for a
//     column of the target's key, which an index limits to 768 characters: an error naming it;
//   - TINYINT ... BIGINT [UNSIGNED]: the type a created table has for the field, when the
//     column's range does not hold the field's;
//   - DECIMAL(p,s): as many digits before and after the point as either holds (beyond 65 and
//     30, the text a created table keeps).
// None for a column wide enough already (running them again is harmless), and none for a
// column of another type (TEXT and BLOB types, which are left to refuse what they cannot hold)
// or one the MODIFY could not restate (generated, ON UPDATE).
Result<std::vector<std::string>> WidenColumnsSql(Connection& conn, const MysqlTable& table,
                                                 const WriteRequest& request);

}  // namespace sluice::mysql
