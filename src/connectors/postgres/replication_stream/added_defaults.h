// What a PostgreSQL table's rows hold in a column that was added after they were written
// (Field::added_default, core/schema.h). ALTER TABLE ... ADD COLUMN ... DEFAULT fills the
// existing rows without any WAL change for them: with a non-volatile default (PostgreSQL 11+)
// the value is kept once, in pg_attribute.attmissingval (atthasmissing), and every older row
// reads it; a volatile one (random(), nextval(), an identity) rewrites the table, which
// logical decoding does not carry either. pgoutput's Relation message names the columns only,
// so the stream reads the source's catalog when it opens the table and when a Relation brings a
// column it did not know:
//   - atthasmissing: the constant every older row holds, exact (also for a stable default
//     such as now(), evaluated once by the ALTER) - except a timestamptz, whose text depends on
//     the session's zone: refused like an expression;
//   - no missing value but a default expression, an identity or a generated column: the older
//     rows' values are unknown to the stream (added_default_unknown): a target that must add
//     the column refuses, naming it;
//   - neither: the older rows hold NULL.
// The window accepted: the catalog is read when the stream reaches the Relation, possibly long
// after the ALTER. ALTER COLUMN ... SET DEFAULT in between leaves attmissingval as it was (the
// right value); a table rewrite in between (VACUUM FULL, CLUSTER, a type change) clears it,
// which reads as "unknown" if a default remains (a stop, never a wrong value) and as NULL if
// the default was dropped too (wrong: the older rows hold the old default). A column dropped
// and added again under its name in between reads as the second one.
#pragma once

#include <cstddef>
#include <cstdint>

#include "connectors/postgres/pg_connection.h"
#include "core/schema.h"
#include "core/status.h"

namespace sluice::postgres::replication_stream {

// One column's catalog row, as far as the fill of older rows goes.
struct AttributeDefault {
  bool has_missing = false;  // pg_attribute.atthasmissing
  std::string missing;       // its attmissingval's one value, as text
  std::string default_expr;  // pg_get_expr(pg_attrdef.adbin): empty when none
  bool identity = false;     // attidentity
  bool generated = false;    // attgenerated
};

// Sets field.added_default or field.added_default_unknown from `attribute`; both empty when
// the older rows hold NULL. Pure.
void SetAddedDefault(const AttributeDefault& attribute, Field& field);

// Reads the catalog of table `oid` and sets the added default of `schema`'s fields from index
// `from` on (matched by name).
Status ReadAddedDefaults(PgConnection& conn, uint32_t oid, Schema& schema, size_t from);

}  // namespace sluice::postgres::replication_stream
