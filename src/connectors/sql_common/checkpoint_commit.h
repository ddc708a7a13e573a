// The one commit sequence of the SQL targets (PostgreSQL, MySQL/MariaDB, SQLite), over a
// CheckpointSession each connector implements, against the PositionsTable it describes.
//
// A run of job J with fencing token F (the job lease's, state/state_store.h):
//   StartRun      at Prepare, before the data transaction: create the positions table if
//                 needed, then raise J's fence to F in a short committed transaction, or fail
//                 with kConflict if the target already holds a higher fence (a newer owner).
//   CommitCheckpoint  inside the data transaction, after the rows: UPDATE J's run row
//                 guarded by `fence <= F` (exactly one row must match, else ROLLBACK and
//                 kConflict: this process lost the lease), upsert one row per stream position,
//                 COMMIT, and for a checkpoint BEGIN the next transaction.
//   RecoverRun    for a run R left pending: raise the fence to the recovering owner's token
//                 (committed) first, then let the connector stop whatever the killed run left
//                 on the server, then answer whether R is the run row's run_id.
// Why that is exactly-once: the rows, the positions and the run row commit in one
// transaction, so the target either holds all of a checkpoint or none of it. The guarded
// UPDATE takes the run row's lock, so two writers of one job serialize on it, and once
// Recover has committed a higher fence no older writer's commit can match the guard: after
// Recover has looked, nothing of the killed run can still land. The run row holds only the
// last committed run: Recover is asked only about the job's newest run (the engine never
// starts a run while one is pending), so that is enough.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "connectors/sql_common/checkpoint_session.h"
#include "connectors/sql_common/positions_table.h"
#include "core/sink.h"

namespace sluice::sql_common {

struct RunIdentity {
  std::string job;
  std::string run_id;
  int64_t fence = 0;
};

// Creates the positions table if missing (outside any transaction), then RaiseFence.
Status StartRun(CheckpointSession& session, const PositionsTable& table, const std::string& job,
                int64_t fence);

// Raises the fence of `job` to `fence` in its own committed transaction (creating the run row
// if the job has none); kConflict naming the job and both tokens when the target holds a
// higher one.
Status RaiseFence(CheckpointSession& session, const PositionsTable& table, const std::string& job,
                  int64_t fence);

// Writes the run row and `positions` in the open data transaction, checks the fence, and
// commits (kOutcomeUnknown when the connection broke during COMMIT). With `begin_next` a new
// transaction is begun after the commit. On a lost lease the transaction is rolled back.
Status CommitCheckpoint(CheckpointSession& session, const PositionsTable& table,
                        const RunIdentity& run, const std::vector<StreamPosition>& positions,
                        bool begin_next);

// Whether `pending` committed (at least one of its checkpoints, for a streaming run). Raises
// the fence to pending.fence first (skipped when pending.job_name is empty: an old pending
// record without its job), then calls `stop_old_writer` (may be empty), then looks at the run
// row and, if there is one, the old _sluice_runs table.
Result<bool> RecoverRun(CheckpointSession& session, const PositionsTable& table,
                        const PendingRun& pending, const std::function<Status()>& stop_old_writer);

// The stream rows of `job` (stream <> ''), by stream; empty when the table does not exist.
Result<std::vector<StreamPosition>> ReadPositions(CheckpointSession& session,
                                                  const PositionsTable& table,
                                                  const std::string& job);

// The CREATE TABLE for `name` with the dialect's column types; each connector passes its own
// (text type for keys, for positions, the bigint and timestamp types, table options).
struct PositionsColumnTypes {
  std::string key_text;       // job, stream, run_id
  std::string position_text;  // position: may be long (a GTID set)
  std::string bigint;
  std::string timestamp;
  std::string table_options;  // after the closing parenthesis
};
std::string PositionsTableDdl(const std::string& name, const PositionsColumnTypes& types);

}  // namespace sluice::sql_common
