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
// One owner per job: a run holds the job's lease (AcquireLease) from before it resolves a
// pending run until it ends. Every lease carries a fencing token, larger for each new owner;
// calls that change a job's state take a Fence and fail with kConflict when the lease named by
// the fence is no longer held with that token, so a process that lost its lease (paused
// longer than the lease lasts, then woke up) can never change the state again. Targets check
// the same token at every commit (Sink, WriteRequest::fence).
//
// Two implementations pass one conformance suite (state/state_store_conformance_test.cc): the
// embedded SQLite file and a shared PostgreSQL database, so that jobs launched on several
// machines share watermarks, runs and leases. Nothing outside src/state/ knows which one it
// has (OpenStateStore). Implementations are thread-safe.
//
// Errors every caller must expect from the shared store (SQLite has its own I/O errors):
//   kConnection (retryable)  the connection broke or the server did not answer before the call
//                            committed: nothing was changed; the next call connects anew.
//   kOutcomeUnknown          a state-changing call's COMMIT got no answer: it may or may not have
//                            landed. Read back to find out (Load: is the run still pending?
//                            GetLease: does it name this owner, and with which token?).
// Keys, watermarks and positions are text: valid UTF-8 without NUL bytes. The PostgreSQL store
// refuses other bytes (kDataError or the server's encoding error); SQLite keeps them, but a job
// must not rely on it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace sluice {

// A change of one position (job, stream), applied atomically with others.
struct PositionUpdate {
  std::string job;
  std::string stream;
  std::string position;
};

// Which lease a state change is made under. token 0: unfenced (tests, a store being set up);
// every engine path passes the token of the lease it holds.
struct Fence {
  std::string job;  // the job whose lease is held (a multi-table job's name for its tables)
  int64_t token = 0;
};

struct PendingRunRecord {
  std::string run_id;
  std::string sink_state;                    // the sink's recovery note (Sink::Prepare)
  std::optional<std::string> new_watermark;  // becomes the watermark if the run is confirmed
  std::string started_at;                    // ISO-8601 UTC
  // Positions written atomically with the confirmation, whether by the run itself or by the
  // recovery of the run after a crash (a multi-table job's "table done" flag).
  std::vector<PositionUpdate> on_confirm;
};

// Given to ConfirmRun, only outcome and the row counts are read: the store takes run_id and
// started_at from the pending run, and finished_at from its own clock.
struct RunRecord {
  std::string run_id;
  std::string started_at;
  std::string finished_at;
  std::string outcome;  // "committed", "recovered", "discarded"
  int64_t rows_written = 0;
  int64_t rows_rejected = 0;
};

struct LeaseOwner {
  std::string host;  // gethostname()
  int64_t pid = 0;
};

struct Lease {
  std::string job;
  LeaseOwner owner;
  int64_t token = 0;       // fencing token: one more than the previous owner's, never reused
  std::string since;       // ISO-8601 UTC, to the second (for messages): when this owner took it
  std::string expires_at;  // ISO-8601 UTC, to the second: unless renewed before
};

// The outcome of AcquireLease: `lease` is the caller's when `acquired`, else the holder's.
struct LeaseAttempt {
  bool acquired = false;
  Lease lease;
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
  // Every job with a watermark, a pending run or history, by name; a job known only by its
  // positions or its lease is not listed.
  virtual Result<std::vector<JobState>> List() = 0;
  // Fails with kConflict if the job already has a pending run (resolve it first).
  // Every call taking a Fence fails with kConflict, changing nothing, when fence.token is not 0
  // and the lease of fence.job is not held with that token (expired leases still count as
  // held until someone else takes them).
  virtual Status BeginRun(const std::string& job, const std::string& watermark_column,
                          const PendingRunRecord& pending, const Fence& fence) = 0;
  // Atomically: the pending run's watermark becomes the job's, its on_confirm positions are
  // written, the pending run is cleared, `record` joins the history (bounded: old history rows
  // of the job are pruned, the newest 1,000 are kept).
  virtual Status ConfirmRun(const std::string& job, const std::string& run_id,
                            const RunRecord& record, const Fence& fence) = 0;
  virtual Status DiscardRun(const std::string& job, const std::string& run_id,
                            const Fence& fence) = 0;
  // Forgets the job's watermark, watermark column and pending run (`sluice state reset`);
  // history, positions and the lease are kept.
  virtual Status Reset(const std::string& job, const Fence& fence) = 0;
  // Sets the watermark by hand (`sluice state set-watermark`), e.g. to skip or replay history.
  virtual Status SetWatermark(const std::string& job, const std::string& column,
                              const std::optional<std::string>& watermark, const Fence& fence) = 0;

  // Opaque positions for change streams (binlog file:pos, LSN, Kafka offsets) keyed per job
  // and stream; written only after the sink made everything before them durable.
  virtual Result<std::optional<std::string>> GetPosition(const std::string& job,
                                                         const std::string& stream) = 0;
  virtual Status PutPosition(const std::string& job, const std::string& stream,
                             const std::string& position, const Fence& fence) = 0;
  // All of them or none, in one transaction.
  virtual Status PutPositions(const std::vector<PositionUpdate>& updates, const Fence& fence) = 0;
  // The job's positions whose stream starts with `prefix` ("" for all; '%' and '_' are plain
  // characters), ordered by stream bytewise (not by the database's collation).
  virtual Result<std::vector<PositionUpdate>> ListPositions(const std::string& job,
                                                            const std::string& prefix) = 0;

  // Leases. AcquireLease takes the job's lease for `owner` until now + ttl when nobody holds
  // it, the holder's lease expired, or the holder's token equals `take_over_token` (the
  // caller found the holder dead: a pid on its own host that no longer runs). The new token is
  // the previous one plus one. When someone else holds it, returns acquired = false and the
  // holder's lease (never an error for that), even when the holder is `owner` itself (leases are
  // not re-entrant: renew instead). Expiry is judged by the store's clock: the database
  // server's for the shared store, so the machines' clocks need not agree.
  virtual Result<LeaseAttempt> AcquireLease(const std::string& job, const LeaseOwner& owner,
                                            std::chrono::milliseconds ttl,
                                            std::optional<int64_t> take_over_token) = 0;
  // Extends the lease to now + ttl; kConflict if it is no longer held with `token`.
  virtual Status RenewLease(const std::string& job, int64_t token,
                            std::chrono::milliseconds ttl) = 0;
  // Gives the lease up (the next AcquireLease succeeds at once); a no-op if `token` no longer
  // holds it.
  virtual Status ReleaseLease(const std::string& job, int64_t token) = 0;
  virtual Result<std::optional<Lease>> GetLease(const std::string& job) = 0;
  // What the store is, for messages: "sqlite:.sluice/state.db", "postgresql://host:5432/db"
  // (never a password).
  virtual std::string Describe() const = 0;
};

// Opens the store named by `location`: `sqlite:PATH`, a plain PATH (a SQLite file), or
// `postgresql://...`/`postgres://...` (a shared store; its tables are created in the
// database, in the schema given by `?options=-csearch_path=...` or the default). Any other
// scheme is an error that lists the known ones. Creates and migrates as needed.
Result<std::unique_ptr<StateStore>> OpenStateStore(const std::string& location);
// Opens an existing store only to read it (see OpenSqliteStateStoreReadOnly); kNotFound if
// there is none.
Result<std::unique_ptr<StateStore>> OpenStateStoreReadOnly(const std::string& location);

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
