// Sink: the write side of a connector.
//
// Lifecycle, all calls but SinkWriter::Write on the engine's main thread:
//   1. Recover(): if an earlier run of this job was killed before the engine confirmed it,
//      decide whether its writes reached the target and clean up what they left;
//   2. Prepare(): check (or create) the target and start the run (a transaction, a temp file);
//   3. OpenWriter() once per writer thread (at most MaxWriters()); Write() batches; Finish();
//   4. Commit(): make everything durable and visible at once, with the run's marker; or Abort().
//      A run that never ends checkpoints instead, again and again (Checkpoint()), and commits
//      at its end: one batch run is one final checkpoint.
// Exactly-once across kill -9 rests on the run marker: Commit() stores `run_id` atomically with
// the data (in a table of the target database, or as the rename of a temp file) so that
// Recover() can tell a committed run from one that was not.
//
// SQL targets keep the marker and the job's stream positions in one small table of the target,
// `_sluice_positions` (job, stream, position, run_id, fence; one row per job and stream,
// updated in place, never appended; the run itself is stream ""), written in the same
// transaction as the rows (connectors/sql_common/checkpoint_commit.h). `fence` is the job
// lease's fencing token: a commit carrying a token lower than the row's is refused, so a
// process that lost the job's lease can never commit again.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/options.h"
#include "core/reject_sink.h"
#include "core/schema.h"
#include "core/status.h"

namespace sluice {

enum class WriteMode {
  kAppend,     // add rows
  kOverwrite,  // replace the whole target (or partition) atomically
  kUpsert,     // insert or update by key
  kReplace,    // SQL: delete the conflicting row, insert the new one
  kIgnore,     // SQL: keep the existing row on conflict
};
const char* WriteModeName(WriteMode mode);
Result<WriteMode> ParseWriteMode(std::string_view text);

struct WriteRequest {
  std::string job_name;
  std::string run_id;
  // The job lease's fencing token (state/state_store.h): Prepare() raises the target's fence
  // for this job to it, or fails with kConflict if the target already holds a higher one; every
  // commit checks it again. 0 only in tests without a state store.
  int64_t fence = 0;
  WriteMode mode = WriteMode::kAppend;
  std::vector<std::string> key;  // for upsert/replace/ignore and for created tables
  Schema schema;                 // of the rows that will arrive (after transforms)
  // A realtime run (stream_runner.cc): batches may carry change rows, and the run checkpoints.
  bool realtime = false;
  // The source connector's type ("mysql", "postgres", "datagen"), for targets that describe
  // where a change came from (the jsonl target's change events).
  std::string source_connector;
};

// What a killed run left: its id and whatever the sink saved in SinkState at Prepare().
struct PendingRun {
  std::string run_id;
  std::string sink_state;
  std::string job_name;  // whose run it was (the marker row's job)
  int64_t fence = 0;     // the recovering owner's token: Recover raises the target's fence to it
                         // first, so the killed run's writer can no longer commit
};

// A source stream's position (binlog file:offset, LSN, Kafka partition offset), opaque text.
struct StreamPosition {
  std::string stream;  // never "": that row is the run itself
  std::string position;
};

class SinkWriter {
 public:
  virtual ~SinkWriter() = default;
  // Writes the rows of `batch`. Rows the target refuses (a constraint, a value out of range)
  // go to `rejects`; a failure of the target itself is returned as an error.
  virtual Status Write(const Batch& batch, RejectSink& rejects) = 0;
  // Write() for a batch the caller gives away: a writer that must keep the rows after the call
  // (to send them again row by row if the target refuses a chunk) may take `batch` instead of
  // copying it, leaving nullptr; otherwise `batch` stays the caller's. The default writes and
  // takes nothing.
  virtual Status WriteAndTake(std::unique_ptr<Batch>& batch, RejectSink& rejects) {
    return Write(*batch, rejects);
  }
  // Whether Write() applies unchanged cells (core/column.h) by keeping the target's value. The
  // engine refuses a batch with unchanged cells for a writer that does not, rather than let
  // it write NULL over a value.
  virtual bool KeepsUnchangedCells() const { return false; }
  // Empties the target's table as a TRUNCATE at the source did (Batch::truncated), in order:
  // after every row written before, inside the transaction the next checkpoint commits, so a
  // restart from the last checkpoint meets the TRUNCATE again. Rows before it that this writer
  // still buffers are dropped (they are gone at the source too); their bad rows are not
  // rejected. `batch`: the batch whose rows follow the TRUNCATE (its source table and
  // position, for targets that log changes). The default refuses: the target cannot take it.
  virtual Status Truncate(const Batch& batch) {
    (void)batch;
    return Status::Invalid("this target cannot empty its table as a realtime job");
  }
  // Flushes what this writer buffered. Called before Commit(), and before each Checkpoint():
  // a writer of a run that checkpoints is written to again after Finish().
  virtual Status Finish() = 0;
};

class Sink {
 public:
  virtual ~Sink() = default;
  // Called before Prepare when the state store holds a pending run of this job. Returns true
  // if the pending run's data is in the target (the engine then confirms it), false if it is
  // not; in both cases the leftovers (temp files, half-appended bytes) are cleaned up.
  virtual Result<bool> Recover(const PendingRun& pending) = 0;
  // Validates the target against request.schema and begins the run. May create the target.
  // Returns text the engine keeps as PendingRun::sink_state until the run is confirmed
  // (e.g. a file's length before appending).
  virtual Result<std::string> Prepare(const WriteRequest& request) = 0;
  virtual int MaxWriters() const { return 1; }
  virtual Result<std::unique_ptr<SinkWriter>> OpenWriter() = 0;
  // Makes everything written so far durable and visible, with the run's marker. A COMMIT whose
  // outcome is unknown (the connection broke while it was in flight) returns kOutcomeUnknown:
  // the engine then leaves the run pending, and Recover() decides at the next start.
  virtual Status Commit() = 0;
  virtual Status Abort() = 0;

  // Checkpoints, for runs that never end. A sink that supports them (SupportsCheckpoints())
  // commits everything its writers finished (SinkWriter::Finish() was called on each since the
  // last checkpoint) together with `positions` in one target transaction, then begins the next
  // one; the writers stay open and are written to again. Errors as for Commit().
  virtual bool SupportsCheckpoints() const { return false; }
  virtual Status Checkpoint(const std::vector<StreamPosition>& positions);
  // The final checkpoint: Commit() plus positions.
  virtual Status CommitWithPositions(const std::vector<StreamPosition>& positions);
  // The positions the target holds for `job` (an empty list when it holds none, or keeps no
  // positions: then the state store's are the truth). Called before Prepare().
  virtual Result<std::vector<StreamPosition>> CommittedPositions(const std::string& job);
  // A target without transactions (a file) cannot hold positions with its rows: the engine
  // then writes them to the state store after each checkpoint, in one store transaction with
  // CheckpointState(), the sink state as of that checkpoint; Recover() of that state brings
  // the target back to the checkpoint and returns true.
  virtual bool PositionsInStateStore() const { return false; }
  virtual std::string CheckpointState() const { return ""; }
  // Realtime runs follow columns added at the source (StreamSource::schema_version()).
  // request.schema is the new schema of the rows; `columns` names its fields that are new.
  // Adds each of them the target lacks, typed as a created table would type it; a column the
  // target has is left as it is, so asking again after a crash is harmless. Called between
  // checkpoints with no writer open: everything written before is committed, and the DDL never
  // shares a transaction with rows (MySQL commits DDL implicitly). Writers opened after it take
  // rows of request.schema. The default refuses: the job stops with the message.
  // It also makes every target column of a field marked Field::dropped_at_source accept NULL
  // (a column created NOT NULL from the source would refuse the rows after the drop): called
  // for a drop with `columns` empty; a column of the target key stops the job instead, naming
  // it. Also idempotent: it reads the target's catalog first.
  // And it widens a target column narrower than its field in request.schema where the field
  // is marked Field::widened_at_source (the source's VARCHAR(50) became VARCHAR(300) or TEXT,
  // INT became BIGINT, DECIMAL(10,2) became DECIMAL(14,2) while the run streamed): called for
  // that with `columns` empty too; never narrows one. A target that keeps no lengths or widths
  // does nothing. (A restart after a kill before the widening meets the source's change
  // again: the stream marks the field again, PostgreSQL's by the committed column types, the
  // binlog's by the MODIFY.)
  // (A SQL target's Prepare for a realtime run also adds the columns of request.schema its
  // table lacks and relaxes the dropped ones: a restart after a kill between a checkpoint and
  // this call needs them.)
  virtual Status AddColumns(const WriteRequest& request, const std::vector<std::string>& columns);
  // What Prepare would do (DDL, files), for `sluice check`; must not change anything.
  virtual Result<std::vector<std::string>> Plan(const WriteRequest& request) = 0;
  virtual std::string Describe() const = 0;
};

}  // namespace sluice
