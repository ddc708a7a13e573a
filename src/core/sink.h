// Sink: the write side of a connector.
//
// Lifecycle, all calls but SinkWriter::Write on the engine's main thread:
//   1. Recover(): if an earlier run of this job was killed before the engine confirmed it,
//      decide whether its writes reached the target and clean up what they left;
//   2. Prepare(): check (or create) the target and start the run (a transaction, a temp file);
//   3. OpenWriter() once per writer thread (at most MaxWriters()); Write() batches; Finish();
//   4. Commit(): make everything durable and visible at once, with the run's marker; or Abort().
// Exactly-once across kill -9 rests on the run marker: Commit() stores `run_id` atomically with
// the data (in a table of the target database, or as the rename of a temp file) so that
// Recover() can tell a committed run from one that was not.
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
  WriteMode mode = WriteMode::kAppend;
  std::vector<std::string> key;  // for upsert/replace/ignore and for created tables
  Schema schema;                 // of the rows that will arrive (after transforms)
};

// What a killed run left: its id and whatever the sink saved in SinkState at Prepare().
struct PendingRun {
  std::string run_id;
  std::string sink_state;
};

class SinkWriter {
 public:
  virtual ~SinkWriter() = default;
  // Writes the rows of `batch`. Rows the target refuses (a constraint, a value out of range)
  // go to `rejects`; a failure of the target itself is returned as an error.
  virtual Status Write(const Batch& batch, RejectSink& rejects) = 0;
  // Flushes what this writer buffered. Called once, before Commit().
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
  virtual Status Commit() = 0;
  virtual Status Abort() = 0;
  // What Prepare would do (DDL, files), for `sluice check`; must not change anything.
  virtual Result<std::vector<std::string>> Plan(const WriteRequest& request) = 0;
  virtual std::string Describe() const = 0;
};

}  // namespace sluice
