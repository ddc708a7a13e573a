// StateStore: what a job remembers between runs (watermarks, the run in flight, CDC positions).
//
// The commit protocol that makes re-runs after kill -9 exact (see docs/guarantees.md):
//   BeginRun   records the run as pending, with the sink's recovery note and the watermark the
//              run will reach, BEFORE any row is written;
//   ConfirmRun after the target committed: atomically the new watermark, the pending run
//              cleared, a history row;
//   DiscardRun after a failed run was rolled back.
// A pending run found at start-up therefore means "the target may or may not have this run";
// the sink's Recover() decides which, and the engine confirms or discards accordingly.
//
// Behind an interface so a shared PostgreSQL store can replace the embedded SQLite one when
// workers on several machines share a job. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace sluice {

struct PendingRunRecord {
  std::string run_id;
  std::string sink_state;                    // the sink's recovery note (Sink::Prepare)
  std::optional<std::string> new_watermark;  // becomes the watermark if the run is confirmed
  std::string started_at;                    // ISO-8601 UTC
};

struct RunRecord {
  std::string run_id;
  std::string started_at;
  std::string finished_at;
  std::string outcome;  // "committed", "recovered", "discarded"
  int64_t rows_written = 0;
  int64_t rows_rejected = 0;
};

struct JobState {
  std::string job;
  std::string watermark_column;          // empty: the job never ran incrementally
  std::optional<std::string> watermark;  // canonical text; the next run reads values >= this
  std::optional<PendingRunRecord> pending;
  std::optional<RunRecord> last_run;
};

class StateStore {
 public:
  virtual ~StateStore() = default;
  // A job never seen has an empty JobState (job set, nothing else).
  virtual Result<JobState> Load(const std::string& job) = 0;
  virtual Result<std::vector<JobState>> List() = 0;
  // Fails with kConflict if the job already has a pending run (resolve it first).
  virtual Status BeginRun(const std::string& job, const std::string& watermark_column,
                          const PendingRunRecord& pending) = 0;
  virtual Status ConfirmRun(const std::string& job, const std::string& run_id,
                            const RunRecord& record) = 0;
  virtual Status DiscardRun(const std::string& job, const std::string& run_id) = 0;
  // Forgets the job's watermark and pending run (`sluice state reset`); history is kept.
  virtual Status Reset(const std::string& job) = 0;
  // Sets the watermark by hand (`sluice state set-watermark`), e.g. to skip or replay history.
  virtual Status SetWatermark(const std::string& job, const std::string& column,
                              const std::optional<std::string>& watermark) = 0;

  // Opaque positions for change streams (binlog file:pos, LSN, Kafka offsets) keyed per job
  // and stream; written only after the sink made everything before them durable.
  virtual Result<std::optional<std::string>> GetPosition(const std::string& job,
                                                         const std::string& stream) = 0;
  virtual Status PutPosition(const std::string& job, const std::string& stream,
                             const std::string& position) = 0;
};

// Opens (creating if needed, migrating if older) the embedded store at `path`.
Result<std::unique_ptr<StateStore>> OpenSqliteStateStore(const std::string& path);

// Opens an existing store only to read it (`sluice state show`, `sluice check`): needs no write
// access to the file or its folder, creates and migrates nothing. kNotFound if there is no
// store at `path`; an error naming both versions if its schema is older than this sluice's.
Result<std::unique_ptr<StateStore>> OpenSqliteStateStoreReadOnly(const std::string& path);

// The error for a failed SQLite call on the store at `path`: `rc` and `system_errno` as SQLite
// reports them (sqlite3_extended_errcode, sqlite3_system_errno). A full disk says so and
// where, whichever code SQLite chose for it (SQLITE_FULL, or an I/O error from ENOSPC).
Status StateStoreError(const std::string& path, const std::string& what, int rc, int system_errno,
                       const std::string& sqlite_message);

}  // namespace sluice
