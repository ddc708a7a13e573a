// The shared PostgreSQL state store: one connection behind a mutex, every call one transaction.
//
// Concurrency comes from row locks, not from the mutex (which only guards this process's one
// connection): a change fenced by a lease first locks the lease row FOR SHARE, so a takeover
// (which locks it FOR UPDATE) waits for the change to commit, or the change sees the new token
// and fails; a run's job row is locked FOR UPDATE before it is confirmed or discarded. Lease
// expiry is judged by the server's clock_timestamp(), the one clock every machine shares.
//
// Connection loss: the call in flight fails and the next call connects anew. A call that finds
// its connection dead before it sent anything (BEGIN fails: a server restart or an idle
// connection cut while the store was unused) connects anew and goes on, once. A COMMIT that got
// no answer is kOutcomeUnknown, never success: the change may or may not have been saved.
#include "state/postgres_state_store.h"

#include <mutex>

#include <fmt/format.h>

#include "state/lease_errors.h"
#include "state/pg_session.h"
#include "state/pg_state_schema.h"
#include "state/pg_store_url.h"

namespace sluice {
namespace {

constexpr int kHistoryPerJob = 1000;

constexpr const char* kLeaseSelect =
    "SELECT host, pid, token, to_char(since AT TIME ZONE 'UTC', {iso}), "
    "to_char(expires AT TIME ZONE 'UTC', {iso}), pid = 0 OR expires <= clock_timestamp() "
    "FROM {leases} WHERE job = $1";

std::optional<std::string> Opt(const std::string& text) {
  return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

class PostgresStateStore final : public StateStore {
 public:
  PostgresStateStore(PgStoreUrl url, bool read_only)
      : url_(std::move(url)), read_only_(read_only), describe_(url_.Describe()) {}

  Status Open() {
    std::lock_guard lock(mu_);
    SLUICE_RETURN_IF_ERROR(Connect());
    SLUICE_ASSIGN_OR_RETURN(t_, PreparePgStateSchema(*session_, read_only_, describe_));
    describe_ = url_.Describe() + " (schema " + t_.schema + ")";
    return Status::OK();
  }

  Result<JobState> Load(const std::string& job) override {
    JobState out;
    SLUICE_RETURN_IF_ERROR(Transact(Access::kRead, "loading the job", [&]() -> Status {
      SLUICE_ASSIGN_OR_RETURN(out, LoadIn(job));
      return Status::OK();
    }));
    return out;
  }

  Result<std::vector<JobState>> List() override {
    std::vector<JobState> out;
    SLUICE_RETURN_IF_ERROR(Transact(Access::kRead, "listing jobs", [&]() -> Status {
      SLUICE_ASSIGN_OR_RETURN(
          PgRows names,
          Exec("listing jobs", "SELECT job FROM {jobs} UNION SELECT job FROM {runs} ORDER BY 1"));
      for (int i = 0; i < names.size(); ++i) {
        SLUICE_ASSIGN_OR_RETURN(JobState st, LoadIn(names.Text(i, 0)));
        out.push_back(std::move(st));
      }
      return Status::OK();
    }));
    return out;
  }

  Status BeginRun(const std::string& job, const std::string& watermark_column,
                  const PendingRunRecord& pending, const Fence& fence) override {
    return Transact(Access::kWrite, "recording the run", [&]() -> Status {
      SLUICE_RETURN_IF_ERROR(CheckFence(fence, "start a run of '" + job + "'"));
      // Takes the job row only if it has no pending run: one statement, so two processes
      // beginning at once cannot both see "none pending".
      SLUICE_ASSIGN_OR_RETURN(
          PgRows begun,
          Exec("recording the run",
               "INSERT INTO {jobs} AS j (job, watermark_column, pending_run_id, "
               "pending_sink_state, pending_watermark, pending_started_at, updated_at) "
               "VALUES ($1, $2, $3, $4, $5, "
               "coalesce($6, to_char(clock_timestamp() AT TIME ZONE 'UTC', {iso})), "
               "clock_timestamp()) ON CONFLICT (job) DO UPDATE SET "
               "watermark_column = excluded.watermark_column, "
               "pending_run_id = excluded.pending_run_id, "
               "pending_sink_state = excluded.pending_sink_state, "
               "pending_watermark = excluded.pending_watermark, "
               "pending_started_at = excluded.pending_started_at, "
               "updated_at = excluded.updated_at "
               "WHERE j.pending_run_id IS NULL RETURNING 1",
               {job, watermark_column, pending.run_id, pending.sink_state, pending.new_watermark,
                Opt(pending.started_at)}));
      if (begun.size() == 0) {
        SLUICE_ASSIGN_OR_RETURN(
            PgRows held,
            Exec("recording the run", "SELECT pending_run_id FROM {jobs} WHERE job = $1", {job}));
        return Status::Conflict("job '{}' already has a run in flight ({})", job,
                                held.size() > 0 ? held.Text(0, 0) : "?");
      }
      SLUICE_RETURN_IF_ERROR(ClearPendingPositions(job));
      for (const PositionUpdate& u : pending.on_confirm) {
        SLUICE_RETURN_IF_ERROR(
            Exec("recording the run",
                 "INSERT INTO {pending} (job, run_id, position_job, stream, position) "
                 "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (job, run_id, position_job, stream) "
                 "DO UPDATE SET position = excluded.position",
                 {job, pending.run_id, u.job, u.stream, u.position}));
      }
      return Status::OK();
    });
  }

  Status ConfirmRun(const std::string& job, const std::string& run_id, const RunRecord& record,
                    const Fence& fence) override {
    return Transact(Access::kWrite, "confirming the run", [&]() -> Status {
      SLUICE_RETURN_IF_ERROR(CheckFence(fence, "confirm run " + run_id + " of '" + job + "'"));
      SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> started, LockPendingRun(job, run_id));
      if (!started) {
        return Status::Conflict("job '{}' has no pending run '{}' to confirm", job, run_id);
      }
      SLUICE_RETURN_IF_ERROR(
          Exec("confirming the run",
               "INSERT INTO {positions} (job, stream, position, updated_at) "
               "SELECT position_job, stream, position, clock_timestamp() FROM {pending} "
               "WHERE job = $1 AND run_id = $2 ON CONFLICT (job, stream) DO UPDATE SET "
               "position = excluded.position, updated_at = excluded.updated_at",
               {job, run_id}));
      SLUICE_RETURN_IF_ERROR(ClearPendingPositions(job));
      // A run that read nothing new keeps the old watermark.
      SLUICE_RETURN_IF_ERROR(
          Exec("confirming the run",
               "UPDATE {jobs} SET watermark = coalesce(pending_watermark, watermark), "
               "pending_run_id = NULL, pending_sink_state = NULL, pending_watermark = NULL, "
               "pending_started_at = NULL, updated_at = clock_timestamp() WHERE job = $1",
               {job}));
      return InsertHistory(job, run_id, *started, record);
    });
  }

  Status DiscardRun(const std::string& job, const std::string& run_id,
                    const Fence& fence) override {
    return Transact(Access::kWrite, "discarding the run", [&]() -> Status {
      SLUICE_RETURN_IF_ERROR(CheckFence(fence, "discard run " + run_id + " of '" + job + "'"));
      SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> started, LockPendingRun(job, run_id));
      if (!started) return Status::OK();
      SLUICE_RETURN_IF_ERROR(ClearPendingPositions(job));
      SLUICE_RETURN_IF_ERROR(
          Exec("discarding the run",
               "UPDATE {jobs} SET pending_run_id = NULL, pending_sink_state = NULL, "
               "pending_watermark = NULL, pending_started_at = NULL, "
               "updated_at = clock_timestamp() WHERE job = $1",
               {job}));
      RunRecord discarded;
      discarded.outcome = "discarded";
      return InsertHistory(job, run_id, *started, discarded);
    });
  }

  Status Reset(const std::string& job, const Fence& fence) override {
    return Transact(Access::kWrite, "resetting the job", [&]() -> Status {
      SLUICE_RETURN_IF_ERROR(CheckFence(fence, "reset '" + job + "'"));
      SLUICE_RETURN_IF_ERROR(ClearPendingPositions(job));
      return Do("resetting the job", "DELETE FROM {jobs} WHERE job = $1", {job});
    });
  }

  Status SetWatermark(const std::string& job, const std::string& column,
                      const std::optional<std::string>& watermark, const Fence& fence) override {
    return Transact(Access::kWrite, "setting the watermark", [&]() -> Status {
      SLUICE_RETURN_IF_ERROR(CheckFence(fence, "set the watermark of '" + job + "'"));
      return Do("setting the watermark",
                "INSERT INTO {jobs} (job, watermark_column, watermark, updated_at) "
                "VALUES ($1, $2, $3, clock_timestamp()) ON CONFLICT (job) DO UPDATE SET "
                "watermark_column = excluded.watermark_column, watermark = excluded.watermark, "
                "updated_at = excluded.updated_at",
                {job, column, watermark});
    });
  }

  Result<std::optional<std::string>> GetPosition(const std::string& job,
                                                 const std::string& stream) override {
    std::optional<std::string> out;
    SLUICE_RETURN_IF_ERROR(Transact(Access::kRead, "reading a position", [&]() -> Status {
      SLUICE_ASSIGN_OR_RETURN(
          PgRows r,
          Exec("reading a position",
               "SELECT position FROM {positions} WHERE job = $1 AND stream = $2", {job, stream}));
      if (r.size() > 0) out = r.Text(0, 0);
      return Status::OK();
    }));
    return out;
  }

  Status PutPosition(const std::string& job, const std::string& stream, const std::string& position,
                     const Fence& fence) override {
    return PutPositions({PositionUpdate{job, stream, position}}, fence);
  }

  Status PutPositions(const std::vector<PositionUpdate>& updates, const Fence& fence) override {
    return Transact(Access::kWrite, "saving positions", [&]() -> Status {
      SLUICE_RETURN_IF_ERROR(CheckFence(fence, "save positions"));
      for (const PositionUpdate& u : updates) {
        SLUICE_RETURN_IF_ERROR(
            Exec("saving a position",
                 "INSERT INTO {positions} (job, stream, position, updated_at) "
                 "VALUES ($1, $2, $3, clock_timestamp()) ON CONFLICT (job, stream) DO UPDATE SET "
                 "position = excluded.position, updated_at = excluded.updated_at",
                 {u.job, u.stream, u.position}));
      }
      return Status::OK();
    });
  }

  Result<std::vector<PositionUpdate>> ListPositions(const std::string& job,
                                                    const std::string& prefix) override {
    std::vector<PositionUpdate> out;
    SLUICE_RETURN_IF_ERROR(Transact(Access::kRead, "listing positions", [&]() -> Status {
      // left(), not LIKE: a prefix may hold '%' or '_'.
      SLUICE_ASSIGN_OR_RETURN(PgRows r,
                              Exec("listing positions",
                                   "SELECT stream, position FROM {positions} WHERE job = $1 AND "
                                   "left(stream, length($2)) = $2 ORDER BY stream",
                                   {job, prefix}));
      for (int i = 0; i < r.size(); ++i) out.push_back({job, r.Text(i, 0), r.Text(i, 1)});
      return Status::OK();
    }));
    return out;
  }

  Result<LeaseAttempt> AcquireLease(const std::string& job, const LeaseOwner& owner,
                                    std::chrono::milliseconds ttl,
                                    std::optional<int64_t> take_over_token) override {
    LeaseAttempt attempt;
    SLUICE_RETURN_IF_ERROR(Transact(Access::kWrite, "taking the job's lease", [&]() -> Status {
      // A row to lock, so that racers queue on it: the first acquisition of a job inserts a
      // free one (pid 0, token 0), which the others then wait for.
      SLUICE_RETURN_IF_ERROR(
          Exec("taking the job's lease",
               "INSERT INTO {leases} (job, host, pid, token, since, expires) VALUES "
               "($1, '', 0, 0, clock_timestamp(), clock_timestamp()) ON CONFLICT (job) DO NOTHING",
               {job}));
      SLUICE_ASSIGN_OR_RETURN(std::optional<Lease> held,
                              ReadLease(job, " FOR UPDATE", &attempt.lease));
      const bool free = !held || held_free_ || (take_over_token && *take_over_token == held->token);
      if (!free) return Status::OK();
      SLUICE_ASSIGN_OR_RETURN(
          PgRows taken,
          Exec("taking the job's lease",
               "UPDATE {leases} SET host = $2, pid = $3, token = token + 1, "
               "since = clock_timestamp(), expires = clock_timestamp() + $4::bigint * "
               "interval '1 millisecond' WHERE job = $1 RETURNING token, "
               "to_char(since AT TIME ZONE 'UTC', {iso}), "
               "to_char(expires AT TIME ZONE 'UTC', {iso})",
               {job, owner.host, std::to_string(owner.pid), std::to_string(ttl.count())}));
      attempt.acquired = true;
      attempt.lease = Lease{job, owner, taken.Int(0, 0), taken.Text(0, 1), taken.Text(0, 2)};
      return Status::OK();
    }));
    return attempt;
  }

  Status RenewLease(const std::string& job, int64_t token, std::chrono::milliseconds ttl) override {
    return Transact(Access::kWrite, "renewing the job's lease", [&]() -> Status {
      SLUICE_RETURN_IF_ERROR(
          CheckFence(Fence{job, token}, "renew the lease of '" + job + "'", " FOR UPDATE"));
      return Do("renewing the job's lease",
                "UPDATE {leases} SET expires = clock_timestamp() + $2::bigint * "
                "interval '1 millisecond' WHERE job = $1",
                {job, std::to_string(ttl.count())});
    });
  }

  Status ReleaseLease(const std::string& job, int64_t token) override {
    // The row stays, with its token, so that the next owner's token is larger still.
    return Transact(Access::kWrite, "releasing the job's lease", [&]() -> Status {
      return Do("releasing the job's lease",
                "UPDATE {leases} SET pid = 0, expires = clock_timestamp() "
                "WHERE job = $1 AND token = $2 AND pid <> 0",
                {job, std::to_string(token)});
    });
  }

  Result<std::optional<Lease>> GetLease(const std::string& job) override {
    std::optional<Lease> out;
    SLUICE_RETURN_IF_ERROR(Transact(Access::kRead, "reading the job's lease", [&]() -> Status {
      Lease row;
      SLUICE_ASSIGN_OR_RETURN(std::optional<Lease> held, ReadLease(job, "", &row));
      if (held && held->owner.pid != 0) out = held;  // pid 0: released
      return Status::OK();
    }));
    return out;
  }

  std::string Describe() const override { return describe_; }

 private:
  enum class Access { kRead, kWrite };

  // Runs `body` (which calls Exec) in one transaction; see the file comment for what a lost
  // connection does.
  template <typename F>
  Status Transact(Access access, std::string_view what, F&& body) {
    std::lock_guard lock(mu_);
    const char* begin =
        access == Access::kRead ? "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY" : "BEGIN";
    bool fresh = false;
    if (session_ == nullptr || session_->lost()) {
      SLUICE_RETURN_IF_ERROR(Connect());
      fresh = true;
    }
    Result<PgRows> begun = session_->Run(begin);
    if (!begun && session_->lost() && !fresh) {
      SLUICE_RETURN_IF_ERROR(Connect());
      begun = session_->Run(begin);
    }
    if (!begun) return Failed(what, begun.error());
    Status st = body();
    if (!st.ok()) {
      if (!session_->lost()) (void)session_->Run("ROLLBACK");
      return st;
    }
    Result<PgRows> done = session_->Run("COMMIT");
    if (done && done->CommandTag() == "COMMIT") return Status::OK();
    if (done) {
      return Failed(what, Status(StatusCode::kIoError, "the server rolled the transaction back"));
    }
    // What a read-only transaction read is a consistent snapshot whether or not its COMMIT
    // answered; a write's fate is unknown.
    if (access == Access::kRead && session_->lost()) return Status::OK();
    if (done.error().code() == StatusCode::kConnection) {
      return Status(StatusCode::kOutcomeUnknown,
                    fmt::format("state store {}: {}: the connection broke while committing ({}); "
                                "the change may or may not have been saved",
                                describe_, what, done.error().message()));
    }
    return Failed(what, done.error());
  }

  Status Connect() {
    session_.reset();
    Result<std::unique_ptr<PgSession>> s = PgSession::Connect(url_, read_only_);
    if (!s)
      return Status(s.error().code(), "state store: " + s.error().message(), s.error().retryable());
    session_ = std::move(*s);
    url_ = session_->url();
    return Status::OK();
  }

  Status Failed(std::string_view what, const Status& cause) const {
    std::string message =
        fmt::format("state store {}: {} failed: {}", describe_, what, cause.message());
    if (cause.code() == StatusCode::kConnection) message += " (nothing was changed)";
    return Status(cause.code(), std::move(message), cause.retryable());
  }

  Result<PgRows> Exec(std::string_view what, std::string_view sql, const PgParams& params = {}) {
    Result<PgRows> r = session_->Run(t_.Sql(sql), params);
    if (!r) return Err(Failed(what, r.error()));
    return r;
  }

  Status Do(std::string_view what, std::string_view sql, const PgParams& params = {}) {
    return internal::ToStatus(Exec(what, sql, params));
  }

  // The lease row of `job` (locked with `lock`, "" for none) into *row; nullopt when there is
  // none. held_free_ says whether anyone may take it now (released or expired, by the server's
  // clock).
  Result<std::optional<Lease>> ReadLease(const std::string& job, const char* lock, Lease* row) {
    SLUICE_ASSIGN_OR_RETURN(
        PgRows r, Exec("reading the job's lease", std::string(kLeaseSelect) + lock, {job}));
    if (r.size() == 0) return std::optional<Lease>();
    *row =
        Lease{job, LeaseOwner{r.Text(0, 0), r.Int(0, 1)}, r.Int(0, 2), r.Text(0, 3), r.Text(0, 4)};
    held_free_ = r.Bool(0, 5);
    return std::optional<Lease>(*row);
  }

  // Inside a transaction: kConflict unless fence.job's lease is held with fence.token. The
  // lease row stays locked until the change it guards commits.
  Status CheckFence(const Fence& fence, const std::string& what, const char* lock = " FOR SHARE") {
    if (fence.token == 0) return Status::OK();
    Lease row;
    SLUICE_ASSIGN_OR_RETURN(std::optional<Lease> held, ReadLease(fence.job, lock, &row));
    if (held && held->token == fence.token && held->owner.pid != 0) return Status::OK();
    return LostLeaseError(fence, held, what);
  }

  // Locks the job row; the pending run's start time when `run_id` is the job's pending run.
  Result<std::optional<std::string>> LockPendingRun(const std::string& job,
                                                    const std::string& run_id) {
    SLUICE_ASSIGN_OR_RETURN(
        PgRows r, Exec("reading the pending run",
                       "SELECT pending_run_id, pending_started_at FROM {jobs} WHERE job = $1 "
                       "FOR UPDATE",
                       {job}));
    if (r.size() == 0 || r.IsNull(0, 0) || r.Text(0, 0) != run_id) {
      return std::optional<std::string>();
    }
    return std::optional<std::string>(r.Text(0, 1));
  }

  Status ClearPendingPositions(const std::string& job) {
    return Do("clearing the pending run", "DELETE FROM {pending} WHERE job = $1", {job});
  }

  Status InsertHistory(const std::string& job, const std::string& run_id,
                       const std::string& started_at, const RunRecord& record) {
    // A run id seen before is replaced, and becomes the newest.
    SLUICE_RETURN_IF_ERROR(Exec("recording run history",
                                "DELETE FROM {runs} WHERE job = $1 AND run_id = $2",
                                {job, run_id}));
    SLUICE_RETURN_IF_ERROR(
        Exec("recording run history",
             "INSERT INTO {runs} (job, run_id, started_at, finished_at, outcome, rows_written, "
             "rows_rejected) VALUES ($1, $2, $3, "
             "to_char(clock_timestamp() AT TIME ZONE 'UTC', {iso}), $4, $5, $6)",
             {job, run_id, started_at, record.outcome.empty() ? "committed" : record.outcome,
              std::to_string(record.rows_written), std::to_string(record.rows_rejected)}));
    return Do("pruning run history",
              "DELETE FROM {runs} WHERE job = $1 AND seq <= (SELECT seq FROM {runs} "
              "WHERE job = $1 ORDER BY seq DESC OFFSET $2 LIMIT 1)",
              {job, std::to_string(kHistoryPerJob)});
  }

  Result<JobState> LoadIn(const std::string& job) {
    JobState st;
    st.job = job;
    SLUICE_ASSIGN_OR_RETURN(
        PgRows j, Exec("loading the job",
                       "SELECT watermark_column, watermark, pending_run_id, pending_sink_state, "
                       "pending_watermark, pending_started_at FROM {jobs} WHERE job = $1",
                       {job}));
    if (j.size() > 0) {
      st.watermark_column = j.Text(0, 0);
      st.watermark = j.Optional(0, 1);
      if (!j.IsNull(0, 2)) {
        st.pending =
            PendingRunRecord{j.Text(0, 2), j.Text(0, 3), j.Optional(0, 4), j.Text(0, 5), {}};
        SLUICE_ASSIGN_OR_RETURN(
            PgRows p, Exec("loading the job",
                           "SELECT position_job, stream, position FROM {pending} WHERE job = $1 "
                           "AND run_id = $2 ORDER BY position_job, stream",
                           {job, st.pending->run_id}));
        for (int i = 0; i < p.size(); ++i) {
          st.pending->on_confirm.push_back({p.Text(i, 0), p.Text(i, 1), p.Text(i, 2)});
        }
      }
    }
    SLUICE_ASSIGN_OR_RETURN(
        PgRows h, Exec("loading the job",
                       "SELECT run_id, started_at, finished_at, outcome, rows_written, "
                       "rows_rejected FROM {runs} WHERE job = $1 ORDER BY seq DESC LIMIT 1",
                       {job}));
    if (h.size() > 0) {
      st.last_run = RunRecord{h.Text(0, 0), h.Text(0, 1), h.Text(0, 2),
                              h.Text(0, 3), h.Int(0, 4),  h.Int(0, 5)};
    }
    return st;
  }

  std::mutex mu_;  // the connection, and all below, for one call at a time
  PgStoreUrl url_;
  const bool read_only_;
  std::string describe_;  // set by Open, then only read (Describe needs no lock)
  std::unique_ptr<PgSession> session_;
  PgStateTables t_;
  bool held_free_ = false;
};

Result<std::unique_ptr<StateStore>> Open(const std::string& url, bool read_only) {
  SLUICE_ASSIGN_OR_RETURN(PgStoreUrl parsed, PgStoreUrl::Parse(url));
  auto store = std::make_unique<PostgresStateStore>(std::move(parsed), read_only);
  SLUICE_RETURN_IF_ERROR(store->Open());
  return std::unique_ptr<StateStore>(std::move(store));
}

}  // namespace

Result<std::unique_ptr<StateStore>> OpenPostgresStateStore(const std::string& url) {
  return Open(url, /*read_only=*/false);
}

Result<std::unique_ptr<StateStore>> OpenPostgresStateStoreReadOnly(const std::string& url) {
  return Open(url, /*read_only=*/true);
}

}  // namespace sluice
