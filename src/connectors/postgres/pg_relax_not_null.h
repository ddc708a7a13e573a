// A column the source dropped stays in the target and takes NULL from the drop on
// (core/schema_change.h); a target column created NOT NULL from the source would refuse those
// rows and stop the job at its next checkpoint. This makes such columns nullable.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "connectors/postgres/pg_table.h"
#include "core/sink.h"

namespace sluice::postgres {

// The ALTER ... DROP NOT NULL statements that let `table`'s columns take NULL where the rows of
// `request` (a realtime run) will write it: the fields marked dropped_at_source, and the
// table's columns the rows do not name at all (a drop the run no longer knows of:
// docs/guarantees.md) when they have no default. Pure: `table` is the catalog as just read, so
// none is returned for a column already nullable and running them again is harmless. A column
// of the target key (the table's primary key or request.key) cannot take NULL: an error naming
// it and what to do. `filled` names a column the target fills itself (the partition column,
// "" for none): it is never NULL.
Result<std::vector<std::string>> RelaxNotNullSql(const PgTable& table, const WriteRequest& request,
                                                 std::string_view filled = "");

}  // namespace sluice::postgres
