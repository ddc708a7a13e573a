// A column the source dropped stays in the target and takes NULL from the drop on
// (core/schema_change.h); a target column created NOT NULL from the source would refuse those
// rows and stop the job at its next checkpoint. This makes such columns nullable.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "connectors/mysql/mysql_config.h"
#include "connectors/mysql/mysql_connection.h"
#include "connectors/mysql/mysql_table.h"
#include "core/sink.h"

namespace sluice::mysql {

// The ALTERs that let `table`'s columns take NULL where the rows of `request` (a realtime run)
// will write it: the fields marked dropped_at_source, and the table's columns the rows do not
// name at all (a drop the run no longer knows of: docs/guarantees.md), when they are NOT NULL
// without a default. `MODIFY` restates the column exactly as the catalog has it (type,
// character set and collation, default, comment) but NULL. None when nothing is NOT NULL, so
// running them again after a crash is harmless. A column of the target key (the table's
// primary key or request.key) cannot take NULL: an error naming it. `filled` names a column
// the target fills itself (the partition column, "" for none): it is never NULL.
Result<std::vector<std::string>> RelaxNotNullSql(Connection& conn, const MysqlTable& table,
                                                 const WriteRequest& request,
                                                 std::string_view filled = "");

}  // namespace sluice::mysql
