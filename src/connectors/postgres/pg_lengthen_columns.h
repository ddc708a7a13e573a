// A realtime run follows a source column that became longer (VARCHAR(50) -> VARCHAR(300), or
// TEXT): the target's character varying(50) would refuse the first longer value and stop the
// job at its next checkpoint. This lengthens such columns (core/sink.h, AddColumns).
#pragma once

#include <string>
#include <vector>

#include "connectors/postgres/pg_table.h"
#include "core/sink.h"

namespace sluice::postgres {

// The ALTER ... TYPE statements that let `table`'s character varying(n) and character(n)
// columns take the text of their fields in `request` marked Field::lengthened_at_source (no
// other column is touched): the same type with the field's length,
// or text for a field without one. Pure: `table` is the catalog as just read, so none is
// returned for a column long enough already, and running them again is harmless. Never
// shortens a column, and leaves alone a column of another type (text, a domain, bytea, which
// have no length to lengthen). PostgreSQL lengthens a varchar without rewriting the table.
std::vector<std::string> LengthenColumnsSql(const PgTable& table, const WriteRequest& request);

}  // namespace sluice::postgres
