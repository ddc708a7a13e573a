// pgoutput tuples (text values) -> rows of a sluice Batch, typed as the batch reader types them.
//
// PlanTuple maps a relation's columns once (per Relation message) with the postgres connector's
// own MapForRead, so a column has the same sluice type whether it was read by a snapshot or from
// the change stream; AppendTuple then parses each value's output text into its Column (numeric
// digits exactly, bytea hex, timestamps with their offsets, arrays to the JSON to_json makes).
// Values sluice types cannot hold (numeric NaN/±Infinity, date and timestamp ±infinity) follow
// SpecialValues as in the batch path.
// Unchanged TOASTed values ('u') are appended as unchanged cells (core/column.h), not NULL.
// Requires the decoding session to use DateStyle ISO, IntervalStyle iso_8601, bytea_output hex,
// extra_float_digits >= 1 and lc_monetary C (what the batch reader's sessions use).
// Thread: the caller's; plans are immutable once built and may be shared.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "connectors/postgres/pg_copy_decoder.h"
#include "connectors/postgres/pg_types.h"
#include "connectors/postgres/replication/array_text_to_json.h"
#include "connectors/postgres/replication/pgoutput_messages.h"
#include "connectors/postgres/replication/relation_cache.h"
#include "core/batch.h"
#include "core/schema.h"
#include "core/status.h"

namespace sluice::postgres::replication {

// How one column's text becomes a value.
enum class TextForm : uint8_t {
  kParse,  // core's ParseAndAppend: bool, integers, oid, floats, time, uuid
  kText,   // the text itself: strings, json, jsonb, text-form types
  kNumeric,
  kMoney,
  kBytea,
  kDate,
  kTimestamp,
  kTimestampTz,
  kArray,
};

struct ColumnPlan {
  TextForm form = TextForm::kText;
  ArrayElement element = ArrayElement::kString;  // kArray only
};

struct TuplePlan {
  std::string relation;  // "public.orders", for errors
  Schema schema;         // one field per column of the relation, in its order
  std::vector<ColumnPlan> columns;
};

// What the catalog says about a type the decoder does not know by oid (enums, domains, user and
// non-core types). Domains must come back as their base type with the domain's typmod, as
// pg_table.cc reads them. Built-in scalar and array oids never reach it.
using TypeResolver = std::function<Result<PgType>(uint32_t type_oid, int32_t typmod)>;

// The PgType of a built-in type sluice reads, or nullopt for any other oid.
std::optional<PgType> BuiltinPgType(uint32_t type_oid, int32_t typmod);

// Maps every column; an unsupported type is an InvalidArgument naming relation.column (unless
// `unknown_as_text`). `resolver` may be empty when only built-in types are expected.
Result<TuplePlan> PlanTuple(const CachedRelation& relation, const TypeResolver& resolver,
                            bool unknown_as_text);

// What happened to the row AppendTuple added.
struct AppendedRow {
  bool bad = false;  // a value could not be carried and is NULL; the caller rejects the row
  size_t bad_column = 0;
  std::string reason;    // "public.t.n: numeric NaN"
  bool special = false;  // that value is NaN or ±infinity: special_values: "null" reads it as NULL
  int substituted = 0;   // special values read as NULL (SpecialValues::kNull), for reporting
};

// Appends `tuple` as one row of kind `kind` to `batch` (whose columns follow plan.schema); an
// unchanged TOASTed value ('u') becomes an unchanged cell (core/column.h). A tuple that does not
// fit the plan (column count, binary values) is an error and appends nothing; a value that does not
// parse makes the row `bad` (as the batch reader's CopyDecoder does), with NULL in its place.
Result<AppendedRow> AppendTuple(const TupleData& tuple, const TuplePlan& plan, RowKind kind,
                                SpecialValues special, Batch& batch);

}  // namespace sluice::postgres::replication
