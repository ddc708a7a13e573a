// A realtime run follows a source column that became longer (VARCHAR(50) -> VARCHAR(300), or
// TEXT): the target's VARCHAR(50) would refuse the first longer value (strict mode) and stop
// the job at its next checkpoint. This lengthens such columns (core/sink.h, AddColumns).
#pragma once

#include <string>
#include <vector>

#include "connectors/mysql/mysql_connection.h"
#include "connectors/mysql/mysql_table.h"
#include "core/sink.h"

namespace sluice::mysql {

// The ALTERs that let `table`'s VARCHAR, CHAR, VARBINARY and BINARY columns take the values of
// their fields in `request` marked Field::lengthened_at_source (text for the first two, bytes
// for the others; no other column is touched): each MODIFY
// restates the column as the catalog has it (mysql_modify_column.h) with the longer type:
//   - up to 255 characters (bytes), the same kind of type: VARCHAR(300) for VARCHAR(50);
//   - longer, VARCHAR(n) up to 16,383 characters (VARBINARY(n) up to 65,532 bytes), the most
//     a row of one such column holds; a CHAR or BINARY becomes VARCHAR or VARBINARY;
//   - longer still, or without a length: LONGTEXT (LONGBLOB), but never for a column of the
//     target's key, which an index limits to 768 characters: an error naming the column.
// None for a column long enough already (running them again is harmless), and none for a
// column of another type (TEXT and BLOB types, which are left to refuse what they cannot hold)
// or one the MODIFY could not restate (generated, ON UPDATE).
Result<std::vector<std::string>> LengthenColumnsSql(Connection& conn, const MysqlTable& table,
                                                    const WriteRequest& request);

}  // namespace sluice::mysql
