// TargetPlan: everything a run does to a PostgreSQL target, worked out before anything is
// changed, so that `sluice check` (Sink::Plan) and Prepare share one code path and every
// mismatch of an existing table is reported at once, before a row is written.
//
// Where the rows go, by write mode:
//   append               COPY into the table (or the run's partition)
//   overwrite            TRUNCATE the table (or only the run's partition), then COPY into it
//   upsert, replace      COPY into a TEMP staging table; at Commit one
//                        INSERT ... SELECT DISTINCT ON (key) ... ON CONFLICT (key) DO UPDATE
//                        (the last row of a key wins; replace is the same as upsert here)
//   ignore               the same with ON CONFLICT (key) DO NOTHING (the first row wins,
//                        rows already in the table are kept)
// Change streams (realtime jobs with updates and deletes) need upsert or replace: the staged
// rows carry whether they remove their key, and the merge deletes and upserts by the last
// staged row of each key (change_merge_sql).
// All of it runs in the run's single transaction (TRUNCATE is transactional in PostgreSQL).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "connectors/postgres/pg_config.h"
#include "connectors/postgres/pg_connection.h"
#include "connectors/postgres/pg_types.h"
#include "core/sink.h"

namespace sluice::postgres {

// The staging table of upsert/replace/ignore and its order column.
inline constexpr const char* kStagingTable = "_sluice_stage";
inline constexpr const char* kRowColumn = "_sluice_row";
// Realtime change merges: the staging table's mask of a row's unchanged cells (CopyEncoder).
inline constexpr const char* kKeepColumn = "_sluice_keep";

struct TargetPlan {
  std::string schema;            // of the target (and of its _sluice_positions table)
  std::string table;             // the target's own spelling
  std::string qualified;         // "schema"."table"
  std::string label;             // schema.table, for messages
  std::vector<std::string> ddl;  // CREATE TABLE / CREATE TABLE ... PARTITION OF, in order
  std::string dest;              // quoted table the rows end up in (the table or partition)
  std::string copy_table;        // dest, or the staging table
  std::vector<std::string> copy_columns;  // quoted, in COPY field order
  std::vector<ColumnWrite> writes;        // one per incoming column
  bool binary = true;
  // Set when the rows lack the partition column: its value and type, filled per row.
  std::optional<std::string> fill_value;
  std::string fill_type;
  std::string truncate_sql;  // overwrite
  std::string staging_ddl;   // upsert, replace, ignore
  std::string merge_sql;
  // upsert, replace with a NOT NULL key: the merge when updates or deletes were staged: the
  // DELETE of keys whose last staged row removes them (run only when a staged row removes its
  // key), then the upsert of the keys whose last staged row is an image.
  std::string change_delete_sql;
  std::string change_merge_sql;
  // Realtime change merges: the staging table has kKeepColumn, and rows whose cells are
  // unchanged take the target's values (UnchangedFillSql) before the merge.
  bool keep_masks = false;
  std::vector<std::string> column_names;  // the target's spelling of each written column
  std::vector<std::string> key;           // the ON CONFLICT columns

  std::string CopySql() const;
};

// The UPDATE that gives staged rows the target's values in their unchanged cells of
// `columns` (indexes of written columns) and clears their masks, and the count of staged rows
// it left with a mask (no target row holds their key).
struct UnchangedFill {
  std::string update_sql;
  std::string unmatched_sql;
};
UnchangedFill UnchangedFillSql(const TargetPlan& plan, const std::vector<size_t>& columns);

// What a run's writer staged since the last merge: updates or deletes (merge with
// change_merge_sql), rows that remove their key (run change_delete_sql first).
struct StagedKinds {
  bool changes = false;
  bool removes = false;
};

// Works the plan out from the catalog without changing anything. Errors name the table;
// incompatibilities of an existing table are all listed in one Conflict error.
Result<TargetPlan> BuildTargetPlan(PgConnection& conn, const PgConfig& config,
                                   const WriteRequest& request);

// ALTER TABLE ... ADD COLUMN IF NOT EXISTS for each of `columns` (fields of request.schema) the
// existing table lacks, typed as a created table types them (nullable), then the DROP NOT NULLs
// the columns dropped at the source need (pg_relax_not_null.h). Empty when the table does not
// exist yet (Prepare creates it whole) or needs nothing.
Result<std::vector<std::string>> AddColumnsSql(PgConnection& conn, const PgConfig& config,
                                               const WriteRequest& request,
                                               const std::vector<std::string>& columns);

// The partition table's name for `value`: <table>_p_<value>, with characters other than
// letters, digits and '_' replaced by '_', cut to PostgreSQL's 63-byte limit.
std::string PartitionTableName(const std::string& table, const std::string& value);

}  // namespace sluice::postgres
