// What a MySQL target run does to its table, worked out before anything is changed: whether
// the table must be created (and how), how each incoming field reaches its column, and the SQL
// of every step (LOAD DATA, the upsert merge, the overwrite DELETE).
//
// An existing table is checked whole before anything is written: missing columns, columns
// whose type would change the meaning of the incoming values, NOT NULL columns without a
// default that nothing fills, a missing unique key for upsert/replace/ignore, a view, a
// non-transactional engine. Every problem is listed in one message.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "connectors/mysql/mysql_config.h"
#include "connectors/mysql/mysql_connection.h"
#include "connectors/mysql/mysql_types.h"
#include "core/sink.h"

namespace sluice::mysql {

// The temporary table upsert loads each batch into before merging it (one per session).
inline constexpr std::string_view kStagingTable = "_sluice_stage";
inline constexpr std::string_view kStagingSeq = "_sluice_seq";
// 1 when the staged row removes its key (a delete, or an update's old image): change merges.
inline constexpr std::string_view kStagingRemove = "_sluice_remove";
// Realtime change merges: the staged row's unchanged cells (core/column.h), bit c of byte c / 8
// for field c, NULL when it has none; UnchangedFillSql gives them the target's values.
inline constexpr std::string_view kStagingKeep = "_sluice_keep";

struct TargetPlan {
  std::string database;
  std::string table;                 // the existing table's own spelling, or the configured name
  std::string create_sql;            // empty when the table exists
  std::vector<TargetClass> classes;  // per incoming field: the column it is written into
  // The incoming field that is the partition column: its values are replaced by the partition
  // value. nullopt when the incoming rows have no such field (or there is no partition).
  std::optional<size_t> partition_field;
  std::string load_sql;     // LOAD DATA LOCAL INFILE ... (into the table, or staging)
  std::string staging_sql;  // upsert: CREATE TEMPORARY TABLE ... ; else empty
  std::string merge_head;   // upsert: INSERT INTO t (...) SELECT ... FROM staging
  std::string merge_tail;   // upsert: ORDER BY seq ON DUPLICATE KEY UPDATE ...
  // upsert, for staged change streams (one merge per checkpoint, mysql_change_merge.h):
  // deletes every key the staged changes touch, then inserts each key's last change unless it
  // removes the key. Empty for other modes, which refuse updates and deletes.
  std::string change_delete_sql;
  std::string change_insert_sql;
  std::vector<size_t> key_fields;    // incoming fields of target.key (partition value aside)
  bool keep_masks = false;           // realtime upsert: staged rows carry kStagingKeep
  std::vector<std::string> columns;  // the target column of each incoming field
  std::vector<std::string> key;      // target.key
  std::string delete_sql;  // overwrite: DELETE FROM t [WHERE partition = value]; else empty
  // DELETE FROM t [WHERE partition = value]: what a TRUNCATE at a realtime job's source does
  // to the target (not TRUNCATE, which would commit the checkpoint's transaction).
  std::string empty_sql;

  std::string Label() const { return database + "." + table; }
  // The merge for staging rows with seq in [first, last]; the whole staging table without.
  std::string MergeSql(std::optional<std::pair<int64_t, int64_t>> seq_range) const;
};

// The statements that give staged rows the target's values in their unchanged cells of
// `fields` (in order: fill, clear the masks of rows filled, count the rows left with a mask:
// no target row holds their key).
struct UnchangedFill {
  std::string fill_sql;
  std::string clear_sql;
  std::string unmatched_sql;
};
UnchangedFill UnchangedFillSql(const TargetPlan& plan, const std::vector<size_t>& fields);

// Checks (or plans the creation of) the target. `conn` reads information_schema only.
Result<TargetPlan> BuildTargetPlan(Connection& conn, const MysqlConfig& config,
                                   const WriteRequest& request);

// ALTER TABLE ... ADD COLUMN for each of `columns` (fields of request.schema) the existing
// table lacks, typed as a created table types them (nullable), then the MODIFYs that let the
// columns dropped at the source take NULL (mysql_relax_not_null.h). Empty when the table does
// not exist yet (Prepare creates it whole) or needs nothing. Each statement commits implicitly.
Result<std::vector<std::string>> AddColumnsSql(Connection& conn, const MysqlConfig& config,
                                               const WriteRequest& request,
                                               const std::vector<std::string>& columns);

}  // namespace sluice::mysql
