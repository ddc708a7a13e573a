// PositionsTable: where a SQL target keeps the job's run marker and stream positions, and the
// dialect bits the shared commit sequence needs to reach it.
//
// `_sluice_positions (job, stream, position, run_id, fence, updated_at)`, primary key (job,
// stream). One row per job and stream, updated in place (never appended, so the table stays
// as small as the number of jobs times their streams). The row with stream '' is the run
// itself: run_id is the last run of the job that committed, fence the highest fencing token
// the job's owners have shown this target. Each connector builds its PositionsTable (names,
// column types, the query that says whether the table exists).
#pragma once

#include <string>
#include <string_view>

namespace sluice::sql_common {

inline constexpr std::string_view kPositionsTable = "_sluice_positions";
// Before positions, one marker row per run was appended here. Recover still looks for a
// pending run's marker in it (an upgrade while a run was pending); nothing writes it.
inline constexpr std::string_view kLegacyRunsTable = "_sluice_runs";

struct PositionsTable {
  std::string name;        // quoted (and qualified where the target has schemas)
  std::string label;       // for messages: public._sluice_positions
  std::string create_sql;  // CREATE TABLE IF NOT EXISTS ...; runs outside the data transaction
  std::string exists_sql;  // returns a row when the table exists
  std::string now_sql;     // the current time as the column wants it
  // The old marker table (quoted) and the query that says whether it exists; empty when the
  // target cannot have one.
  std::string legacy_name;
  std::string legacy_exists_sql;
};

}  // namespace sluice::sql_common
