// A column the source dropped stays in the target and takes NULL from the drop on
// (core/schema_change.h). SQLite cannot drop a NOT NULL constraint in place (ALTER TABLE has no
// ALTER COLUMN): it would take rebuilding the table (create a copy, copy the rows, drop, rename,
// and restate its indexes and triggers) inside a live run's file, which is more than a change
// stream should do to a user's table unasked. So a NOT NULL target column that must take NULL
// stops the job, before anything is written, naming the column and the way out.
#pragma once

#include "connectors/sqlite/sqlite_table.h"
#include "core/sink.h"

namespace sluice::sqlite {

// An error naming the first column of `table` that is NOT NULL while the rows of `request` (a
// realtime run) will write NULL there: a field marked dropped_at_source, or a column the rows
// do not name at all, without a default; OK when there is none.
Status CheckDroppedColumnsTakeNull(const TableInfo& table, const WriteRequest& request);

}  // namespace sluice::sqlite
