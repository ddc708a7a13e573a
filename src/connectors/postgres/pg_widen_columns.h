// A realtime run follows a source column that was widened (VARCHAR(50) -> VARCHAR(300) or
// TEXT, INT -> BIGINT, DECIMAL(10,2) -> DECIMAL(14,4)): the target's character varying(50) or
// integer would refuse the first wider value and stop the job at its next checkpoint. This
// widens such columns (core/sink.h, AddColumns).
#pragma once

#include <string>
#include <vector>

#include "connectors/postgres/pg_table.h"
#include "core/sink.h"

namespace sluice::postgres {

// The ALTER ... TYPE statements that let `table`'s columns take the values of their fields in
// `request` marked Field::widened_at_source (no other column is touched):
//   - character varying(n) and character(n): the same type with the field's length, or text
//     for a field without one (PostgreSQL lengthens a varchar without rewriting the table);
//   - smallint, integer, bigint: the type a created table has for the field (bigint for
//     int64, numeric(20,0) for an unsigned 64-bit one), which rewrites the table;
//   - numeric(p,s): as many digits before and after the point as either holds, or numeric.
// Pure: `table` is the catalog as just read, so none is returned for a column wide enough
// already, and running them again is harmless. Never narrows a column, and leaves alone a
// column of another type (text, a domain, bytea, which have no width to change).
std::vector<std::string> WidenColumnsSql(const PgTable& table, const WriteRequest& request);

}  // namespace sluice::postgres
