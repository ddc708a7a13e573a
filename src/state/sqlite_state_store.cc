// The embedded state store: one SQLite file, WAL journal, synchronous=FULL so a confirmed run
// survives power loss, every change in one transaction.
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <mutex>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "state/lease_errors.h"
#include "state/state_store.h"

namespace sluice {
namespace {

constexpr int kSchemaVersion = 2;

// Schema v1. Migrations append to this list; a store newer than the binary is refused.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE IF NOT EXISTS jobs (
  job TEXT PRIMARY KEY,
  watermark_column TEXT NOT NULL DEFAULT '',
  watermark TEXT,
  pending_run_id TEXT,
  pending_sink_state TEXT,
  pending_watermark TEXT,
  pending_started_at TEXT,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY,
  job TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  outcome TEXT NOT NULL,
  rows_written INTEGER NOT NULL,
  rows_rejected INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_job ON runs(job, finished_at);
CREATE TABLE IF NOT EXISTS positions (
  job TEXT NOT NULL,
  stream TEXT NOT NULL,
  position TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (job, stream)
);
)sql";

// Schema v2: job leases (one row per job, kept after release so tokens are never reused) and
// the positions a pending run writes when it is confirmed.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE IF NOT EXISTS leases (
  job TEXT PRIMARY KEY,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  token INTEGER NOT NULL,
  since_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS pending_positions (
  job TEXT NOT NULL,
  run_id TEXT NOT NULL,
  position_job TEXT NOT NULL,
  stream TEXT NOT NULL,
  position TEXT NOT NULL,
  PRIMARY KEY (job, run_id, position_job, stream)
);
)sql";

// History kept per job; older rows are pruned as new ones arrive.
constexpr int kHistoryPerJob = 1000;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string IsoFromMs(int64_t ms) {
  const std::chrono::sys_time<std::chrono::milliseconds> t{std::chrono::milliseconds(ms)};
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", std::chrono::floor<std::chrono::seconds>(t));
}

std::string NowIso() {
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", now);
}

// A prepared statement, finalized on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  bool ok() const { return rc_ == SQLITE_OK; }
  void Bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void Bind(int i, const std::optional<std::string>& v) {
    if (v) {
      Bind(i, *v);
    } else {
      sqlite3_bind_null(stmt_, i);
    }
  }
  void Bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  int Step() { return sqlite3_step(stmt_); }
  std::optional<std::string> Text(int col) {
    if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) return std::nullopt;
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
  }
  std::string TextOr(int col) { return Text(col).value_or(""); }
  int64_t Int(int col) { return sqlite3_column_int64(stmt_, col); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

class SqliteStateStore final : public StateStore {
 public:
  SqliteStateStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteStateStore() override { sqlite3_close(db_); }

  Status Init() {
    SLUICE_RETURN_IF_ERROR(Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"));
    SLUICE_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    Status st = Migrate();
    if (!st.ok()) {
      (void)Exec("ROLLBACK");
      return st;
    }
    return Exec("COMMIT");
  }

  // A read-only store changes nothing, so it cannot migrate: an older schema is an error.
  Status InitReadOnly() {
    SLUICE_ASSIGN_OR_RETURN(int64_t version, SchemaVersion());
    if (version > kSchemaVersion) return TooNew(version);
    if (version == 0 && !HasTables()) {
      // The file exists but its creation never committed (a run killed at its very start):
      // it holds no state, as if it were not there.
      return Status::NotFound("the state store {} holds nothing yet", path_);
    }
    if (version < kSchemaVersion) {
      return Status::Conflict(
          "state store {} has schema version {}, older than this sluice's ({}); it is upgraded "
          "by the next `sluice run` (which needs write access to it), and cannot be read "
          "before",
          path_, version, kSchemaVersion);
    }
    return Status::OK();
  }

  Result<JobState> Load(const std::string& job) override {
    std::lock_guard lock(mu_);
    JobState out;
    SLUICE_RETURN_IF_ERROR(InReadTransaction([&]() -> Status {
      SLUICE_ASSIGN_OR_RETURN(out, LoadLocked(job));
      return Status::OK();
    }));
    return out;
  }

  Result<std::vector<JobState>> List() override {
    std::lock_guard lock(mu_);
    std::vector<JobState> out;
    SLUICE_RETURN_IF_ERROR(InReadTransaction([&]() -> Status {
      std::vector<std::string> names;
      {
        Stmt s(db_, "SELECT job FROM jobs UNION SELECT job FROM runs ORDER BY 1");
        if (!s.ok()) return Error("listing jobs");
        while (s.Step() == SQLITE_ROW) names.push_back(s.TextOr(0));
      }
      for (const std::string& name : names) {
        SLUICE_ASSIGN_OR_RETURN(JobState st, LoadLocked(name));
        out.push_back(std::move(st));
      }
      return Status::OK();
    }));
    return out;
  }

  Status BeginRun(const std::string& job, const std::string& watermark_column,
                  const PendingRunRecord& pending, const Fence& fence) override {
    std::lock_guard lock(mu_);
    return InTransaction([&]() -> Status {
      SLUICE_RETURN_IF_ERROR(CheckFence(fence, "start a run of '" + job + "'"));
      SLUICE_ASSIGN_OR_RETURN(JobState current, LoadLocked(job));
      if (current.pending) {
        return Status::Conflict("job '{}' already has a run in flight ({})", job,
                                current.pending->run_id);
      }
      Stmt s(
          db_,
          "INSERT INTO jobs(job, watermark_column, pending_run_id, pending_sink_state, "
          "pending_watermark, pending_started_at, updated_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) "
          "ON CONFLICT(job) DO UPDATE SET watermark_column = ?2, pending_run_id = ?3, "
          "pending_sink_state = ?4, pending_watermark = ?5, pending_started_at = ?6, "
          "updated_at = ?7");
      s.Bind(1, job);
      s.Bind(2, watermark_column);
      s.Bind(3, pending.run_id);
      s.Bind(4, pending.sink_state);
      s.Bind(5, pending.new_watermark);
      s.Bind(6, pending.started_at.empty() ? NowIso() : pending.started_at);
      s.Bind(7, NowIso());
      SLUICE_RETURN_IF_ERROR(StepDone(s, "recording the run"));
      Stmt clear(db_, "DELETE FROM pending_positions WHERE job = ?1");
      clear.Bind(1, job);
      SLUICE_RETURN_IF_ERROR(StepDone(clear, "recording the run"));
      for (const PositionUpdate& u : pending.on_confirm) {
        Stmt p(db_,
               "INSERT OR REPLACE INTO pending_positions(job, run_id, position_job, stream, "
               "position) VALUES(?1, ?2, ?3, ?4, ?5)");
        p.Bind(1, job);
        p.Bind(2, pending.run_id);
        p.Bind(3, u.job);
        p.Bind(4, u.stream);
        p.Bind(5, u.position);
        SLUICE_RETURN_IF_ERROR(StepDone(p, "recording the run"));
      }
      return Status::OK();
    });
  }

  Status ConfirmRun(const std::string& job, const std::string& run_id, const RunRecord& record,
                    const Fence& fence) override {
    std::lock_guard lock(mu_);
    return InTransaction([&]() -> Status {
      SLUICE_RETURN_IF_ERROR(CheckFence(fence, "confirm run " + run_id + " of '" + job + "'"));
      SLUICE_ASSIGN_OR_RETURN(JobState current, LoadLocked(job));
      if (!current.pending || current.pending->run_id != run_id) {
        return Status::Conflict("job '{}' has no pending run '{}' to confirm", job, run_id);
      }
      for (const PositionUpdate& u : current.pending->on_confirm) {
        SLUICE_RETURN_IF_ERROR(PutPositionLocked(u));
      }
      SLUICE_RETURN_IF_ERROR(ClearPendingPositions(job));
      // A run that read nothing new keeps the old watermark.
      std::optional<std::string> watermark =
          current.pending->new_watermark ? current.pending->new_watermark : current.watermark;
      Stmt s(db_,
             "UPDATE jobs SET watermark = ?2, pending_run_id = NULL, pending_sink_state = NULL, "
             "pending_watermark = NULL, pending_started_at = NULL, updated_at = ?3 WHERE job = ?1");
      s.Bind(1, job);
      s.Bind(2, watermark);
      s.Bind(3, NowIso());
      SLUICE_RETURN_IF_ERROR(StepDone(s, "confirming the run"));
      return InsertHistory(job, run_id, current.pending->started_at, record);
    });
  }

  Status DiscardRun(const std::string& job, const std::string& run_id,
                    const Fence& fence) override {
    std::lock_guard lock(mu_);
    return InTransaction([&]() -> Status {
      SLUICE_RETURN_IF_ERROR(CheckFence(fence, "discard run " + run_id + " of '" + job + "'"));
      SLUICE_ASSIGN_OR_RETURN(JobState current, LoadLocked(job));
      if (!current.pending || current.pending->run_id != run_id) return Status::OK();
      SLUICE_RETURN_IF_ERROR(ClearPendingPositions(job));
      Stmt s(db_,
             "UPDATE jobs SET pending_run_id = NULL, pending_sink_state = NULL, "
             "pending_watermark = NULL, pending_started_at = NULL, updated_at = ?2 WHERE job = ?1");
      s.Bind(1, job);
      s.Bind(2, NowIso());
      SLUICE_RETURN_IF_ERROR(StepDone(s, "discarding the run"));
      RunRecord rec;
      rec.outcome = "discarded";
      return InsertHistory(job, run_id, current.pending->started_at, rec);
    });
  }

  Status Reset(const std::string& job, const Fence& fence) override {
    std::lock_guard lock(mu_);
    return InTransaction([&]() -> Status {
      SLUICE_RETURN_IF_ERROR(CheckFence(fence, "reset '" + job + "'"));
      SLUICE_RETURN_IF_ERROR(ClearPendingPositions(job));
      Stmt s(db_, "DELETE FROM jobs WHERE job = ?1");
      s.Bind(1, job);
      return StepDone(s, "resetting the job");
    });
  }

  Status SetWatermark(const std::string& job, const std::string& column,
                      const std::optional<std::string>& watermark, const Fence& fence) override {
    std::lock_guard lock(mu_);
    return InTransaction([&]() -> Status {
      SLUICE_RETURN_IF_ERROR(CheckFence(fence, "set the watermark of '" + job + "'"));
      Stmt s(db_,
             "INSERT INTO jobs(job, watermark_column, watermark, updated_at) VALUES(?1, ?2, ?3, "
             "?4) ON CONFLICT(job) DO UPDATE SET watermark_column = ?2, watermark = ?3, "
             "updated_at = ?4");
      s.Bind(1, job);
      s.Bind(2, column);
      s.Bind(3, watermark);
      s.Bind(4, NowIso());
      return StepDone(s, "setting the watermark");
    });
  }

  Result<std::optional<std::string>> GetPosition(const std::string& job,
                                                 const std::string& stream) override {
    std::lock_guard lock(mu_);
    Stmt s(db_, "SELECT position FROM positions WHERE job = ?1 AND stream = ?2");
    s.Bind(1, job);
    s.Bind(2, stream);
    int rc = s.Step();
    if (rc == SQLITE_ROW) return s.Text(0);
    if (rc == SQLITE_DONE) return std::optional<std::string>();
    return Err(Error("reading a position"));
  }

  Status PutPosition(const std::string& job, const std::string& stream, const std::string& position,
                     const Fence& fence) override {
    return PutPositions({PositionUpdate{job, stream, position}}, fence);
  }

  Status PutPositions(const std::vector<PositionUpdate>& updates, const Fence& fence) override {
    std::lock_guard lock(mu_);
    return InTransaction([&]() -> Status {
      SLUICE_RETURN_IF_ERROR(CheckFence(fence, "save positions"));
      for (const PositionUpdate& u : updates) SLUICE_RETURN_IF_ERROR(PutPositionLocked(u));
      return Status::OK();
    });
  }

  Result<std::vector<PositionUpdate>> ListPositions(const std::string& job,
                                                    const std::string& prefix) override {
    std::lock_guard lock(mu_);
    // substr, not LIKE: a prefix may hold '%' or '_'.
    Stmt s(db_,
           "SELECT stream, position FROM positions WHERE job = ?1 AND "
           "substr(stream, 1, length(?2)) = ?2 ORDER BY stream");
    s.Bind(1, job);
    s.Bind(2, prefix);
    std::vector<PositionUpdate> out;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) out.push_back({job, s.TextOr(0), s.TextOr(1)});
    if (rc != SQLITE_DONE) return Err(Error("listing positions"));
    return out;
  }

  Result<LeaseAttempt> AcquireLease(const std::string& job, const LeaseOwner& owner,
                                    std::chrono::milliseconds ttl,
                                    std::optional<int64_t> take_over_token) override {
    std::lock_guard lock(mu_);
    LeaseAttempt attempt;
    Status st = InTransaction([&]() -> Status {
      const int64_t now = NowMs();
      SLUICE_ASSIGN_OR_RETURN(std::optional<Lease> held, LoadLease(job));
      int64_t previous_token = 0;
      if (held) {
        previous_token = held->token;
        const bool free = held->owner.pid == 0 || held_expires_ms_ <= now ||
                          (take_over_token && *take_over_token == held->token);
        if (!free) {
          attempt.lease = *held;
          return Status::OK();
        }
      }
      Stmt s(db_,
             "INSERT INTO leases(job, host, pid, token, since_ms, expires_ms) "
             "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(job) DO UPDATE SET host = ?2, pid = ?3, "
             "token = ?4, since_ms = ?5, expires_ms = ?6");
      s.Bind(1, job);
      s.Bind(2, owner.host);
      s.Bind(3, owner.pid);
      s.Bind(4, previous_token + 1);
      s.Bind(5, now);
      s.Bind(6, now + ttl.count());
      SLUICE_RETURN_IF_ERROR(StepDone(s, "taking the job's lease"));
      attempt.acquired = true;
      attempt.lease =
          Lease{job, owner, previous_token + 1, IsoFromMs(now), IsoFromMs(now + ttl.count())};
      return Status::OK();
    });
    SLUICE_RETURN_IF_ERROR(st);
    return attempt;
  }

  Status RenewLease(const std::string& job, int64_t token, std::chrono::milliseconds ttl) override {
    std::lock_guard lock(mu_);
    return InTransaction([&]() -> Status {
      SLUICE_RETURN_IF_ERROR(CheckFence(Fence{job, token}, "renew the lease of '" + job + "'"));
      Stmt s(db_, "UPDATE leases SET expires_ms = ?2 WHERE job = ?1");
      s.Bind(1, job);
      s.Bind(2, NowMs() + ttl.count());
      return StepDone(s, "renewing the job's lease");
    });
  }

  Status ReleaseLease(const std::string& job, int64_t token) override {
    std::lock_guard lock(mu_);
    // The row stays, with its token, so that the next owner's token is larger still.
    Stmt s(db_, "UPDATE leases SET pid = 0, expires_ms = 0 WHERE job = ?1 AND token = ?2");
    s.Bind(1, job);
    s.Bind(2, token);
    return StepDone(s, "releasing the job's lease");
  }

  Result<std::optional<Lease>> GetLease(const std::string& job) override {
    std::lock_guard lock(mu_);
    SLUICE_ASSIGN_OR_RETURN(std::optional<Lease> held, LoadLease(job));
    if (held && held->owner.pid == 0) return std::optional<Lease>();  // released
    return held;
  }

  std::string Describe() const override { return "sqlite:" + path_; }

 private:
  Status Error(const char* what) const {
    return StateStoreError(path_, what, sqlite3_extended_errcode(db_), sqlite3_system_errno(db_),
                           sqlite3_errmsg(db_));
  }

  Status Exec(const char* sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
      std::string text = msg ? msg : "unknown error";
      sqlite3_free(msg);
      return StateStoreError(path_, fmt::format("running '{}'", sql), sqlite3_extended_errcode(db_),
                             sqlite3_system_errno(db_), text);
    }
    return Status::OK();
  }

  // 0 for a file without sluice's schema (new, or not a state store).
  bool HasTables() {
    Stmt any(db_, "SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1");
    return !any.ok() || any.Step() != SQLITE_DONE;
  }

  Result<int64_t> SchemaVersion() {
    {
      Stmt exists(db_,
                  "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
      if (!exists.ok()) return Err(Error("reading the schema version"));
      const int rc = exists.Step();
      if (rc == SQLITE_DONE) return int64_t{0};
      if (rc != SQLITE_ROW) return Err(Error("reading the schema version"));
    }
    Stmt s(db_, "SELECT MAX(version) FROM schema_version");
    if (!s.ok() || s.Step() != SQLITE_ROW) return Err(Error("reading the schema version"));
    return s.Int(0);
  }

  Status TooNew(int64_t version) const {
    return Status::Conflict(
        "state store {} has schema version {}, newer than this sluice understands ({}); "
        "upgrade sluice",
        path_, version, kSchemaVersion);
  }

  Status StepDone(Stmt& s, const char* what) {
    if (!s.ok() || s.Step() != SQLITE_DONE) return Error(what);
    return Status::OK();
  }

  // One snapshot for a read of several statements: without it, another process's commit can
  // land between them (a pending run read from `jobs` whose positions are gone by the time
  // `pending_positions` is read).
  template <typename F>
  Status InReadTransaction(F&& body) {
    SLUICE_RETURN_IF_ERROR(Exec("BEGIN"));
    Status st = body();
    Status end = Exec(st.ok() ? "COMMIT" : "ROLLBACK");
    return st.ok() ? end : st;
  }

  template <typename F>
  Status InTransaction(F&& body) {
    SLUICE_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    Status st = body();
    if (!st.ok()) {
      (void)Exec("ROLLBACK");
      return st;
    }
    return Exec("COMMIT");
  }

  Status Migrate() {
    SLUICE_RETURN_IF_ERROR(Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER)"));
    SLUICE_ASSIGN_OR_RETURN(int64_t version, SchemaVersion());
    if (version > kSchemaVersion) return TooNew(version);
    if (version < 1) {
      SLUICE_RETURN_IF_ERROR(Exec(kSchemaV1));
      SLUICE_RETURN_IF_ERROR(Exec("INSERT INTO schema_version VALUES (1)"));
    }
    if (version < 2) {
      SLUICE_RETURN_IF_ERROR(Exec(kSchemaV2));
      SLUICE_RETURN_IF_ERROR(Exec("INSERT INTO schema_version VALUES (2)"));
    }
    return Status::OK();
  }

  Result<JobState> LoadLocked(const std::string& job) {
    JobState st;
    st.job = job;
    {
      Stmt s(db_,
             "SELECT watermark_column, watermark, pending_run_id, pending_sink_state, "
             "pending_watermark, pending_started_at FROM jobs WHERE job = ?1");
      s.Bind(1, job);
      int rc = s.Step();
      if (rc == SQLITE_ROW) {
        st.watermark_column = s.TextOr(0);
        st.watermark = s.Text(1);
        if (auto run_id = s.Text(2)) {
          st.pending = PendingRunRecord{*run_id, s.TextOr(3), s.Text(4), s.TextOr(5), {}};
        }
      } else if (rc != SQLITE_DONE) {
        return Err(Error("loading the job"));
      }
    }
    if (st.pending) {
      Stmt p(db_,
             "SELECT position_job, stream, position FROM pending_positions WHERE job = ?1 AND "
             "run_id = ?2 ORDER BY position_job, stream");
      p.Bind(1, job);
      p.Bind(2, st.pending->run_id);
      int rc;
      while ((rc = p.Step()) == SQLITE_ROW) {
        st.pending->on_confirm.push_back({p.TextOr(0), p.TextOr(1), p.TextOr(2)});
      }
      if (rc != SQLITE_DONE) return Err(Error("loading the job"));
    }
    Stmt h(db_,
           "SELECT run_id, started_at, finished_at, outcome, rows_written, rows_rejected "
           "FROM runs WHERE job = ?1 ORDER BY finished_at DESC, rowid DESC LIMIT 1");
    h.Bind(1, job);
    if (h.Step() == SQLITE_ROW) {
      st.last_run =
          RunRecord{h.TextOr(0), h.TextOr(1), h.TextOr(2), h.TextOr(3), h.Int(4), h.Int(5)};
    }
    return st;
  }

  Status InsertHistory(const std::string& job, const std::string& run_id,
                       const std::string& started_at, const RunRecord& record) {
    Stmt s(db_,
           "INSERT OR REPLACE INTO runs(run_id, job, started_at, finished_at, outcome, "
           "rows_written, rows_rejected) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    s.Bind(1, run_id);
    s.Bind(2, job);
    s.Bind(3, started_at);
    s.Bind(4, NowIso());
    s.Bind(5, record.outcome.empty() ? std::string("committed") : record.outcome);
    s.Bind(6, record.rows_written);
    s.Bind(7, record.rows_rejected);
    SLUICE_RETURN_IF_ERROR(StepDone(s, "recording run history"));
    Stmt prune(db_,
               "DELETE FROM runs WHERE job = ?1 AND rowid NOT IN (SELECT rowid FROM runs WHERE "
               "job = ?1 ORDER BY finished_at DESC, rowid DESC LIMIT ?2)");
    prune.Bind(1, job);
    prune.Bind(2, int64_t{kHistoryPerJob});
    return StepDone(prune, "pruning run history");
  }

  // The lease row of `job`; held_expires_ms_ gets its expiry in milliseconds.
  Result<std::optional<Lease>> LoadLease(const std::string& job) {
    Stmt s(db_, "SELECT host, pid, token, since_ms, expires_ms FROM leases WHERE job = ?1");
    s.Bind(1, job);
    const int rc = s.Step();
    if (rc == SQLITE_DONE) return std::optional<Lease>();
    if (rc != SQLITE_ROW) return Err(Error("reading the job's lease"));
    held_expires_ms_ = s.Int(4);
    return std::optional<Lease>(Lease{job, LeaseOwner{s.TextOr(0), s.Int(1)}, s.Int(2),
                                      IsoFromMs(s.Int(3)), IsoFromMs(s.Int(4))});
  }

  // Inside a transaction: kConflict unless the lease of fence.job is held with fence.token.
  Status CheckFence(const Fence& fence, const std::string& what) {
    if (fence.token == 0) return Status::OK();
    SLUICE_ASSIGN_OR_RETURN(std::optional<Lease> held, LoadLease(fence.job));
    if (held && held->token == fence.token && held->owner.pid != 0) return Status::OK();
    return LostLeaseError(fence, held, what);
  }

  Status PutPositionLocked(const PositionUpdate& u) {
    Stmt s(db_,
           "INSERT INTO positions(job, stream, position, updated_at) VALUES(?1, ?2, ?3, ?4) "
           "ON CONFLICT(job, stream) DO UPDATE SET position = ?3, updated_at = ?4");
    s.Bind(1, u.job);
    s.Bind(2, u.stream);
    s.Bind(3, u.position);
    s.Bind(4, NowIso());
    return StepDone(s, "saving a position");
  }

  Status ClearPendingPositions(const std::string& job) {
    Stmt s(db_, "DELETE FROM pending_positions WHERE job = ?1");
    s.Bind(1, job);
    return StepDone(s, "clearing the pending run");
  }

  std::mutex mu_;
  sqlite3* db_;
  std::string path_;
  int64_t held_expires_ms_ = 0;
};

Result<sqlite3*> OpenDatabase(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status st = StateStoreError(path, "opening it", db ? sqlite3_extended_errcode(db) : rc,
                                db ? sqlite3_system_errno(db) : 0,
                                db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return Err(st);
  }
  sqlite3_busy_timeout(db, 10000);
  return db;
}

}  // namespace

Status StateStoreError(const std::string& path, const std::string& what, int rc, int system_errno,
                       const std::string& sqlite_message) {
  // SQLite reports ENOSPC as SQLITE_FULL when writing pages, but as an I/O error when it
  // extends its WAL index or syncs: both are a full disk to the person reading the message.
  if ((rc & 0xff) == SQLITE_FULL || system_errno == ENOSPC) {
    const std::string folder = std::filesystem::absolute(path).parent_path().string();
    return Status::IoError(
        "state store {}: {} failed: disk full (the file system holding {} has no space left); "
        "free some space, or point settings.state_path (or $SLUICE_STATE) elsewhere",
        path, what, folder);
  }
  return Status::IoError("state store {}: {} failed: {}", path, what, sqlite_message);
}

Result<std::unique_ptr<StateStore>> OpenSqliteStateStoreReadOnly(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return Err(Status::NotFound("there is no state store at {}", path));
  }
  // Only reads are issued. With write access, the connection is opened read-write all the
  // same: the last connection to close removes the WAL files (-wal, -shm) it used, which a
  // read-only one leaves behind. Without it, read-only, as a live database (a writer may be
  // running: WAL readers see what it committed); where nothing may be created next to the
  // file (its -shm index, in a folder without write access), as an immutable file, which
  // nobody without write access to it can be changing.
  const std::string folder = std::filesystem::absolute(path).parent_path().string();
  const bool writable = ::access(path.c_str(), W_OK) == 0 && ::access(folder.c_str(), W_OK) == 0;
  Result<sqlite3*> db = OpenDatabase(path, writable ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY);
  if (!db) return Err(db.error());
  auto store = std::make_unique<SqliteStateStore>(*db, path);
  Status st = store->InitReadOnly();
  if (!st.ok() && st.code() == StatusCode::kIoError) {
    store.reset();
    std::string uri = "file:";
    for (char c : std::filesystem::absolute(path).string()) {
      // The URI form needs '?', '#' and '%' escaped.
      if (c == '?' || c == '#' || c == '%') {
        uri += fmt::format("%{:02X}", static_cast<unsigned char>(c));
      } else {
        uri += c;
      }
    }
    uri += "?immutable=1";
    db = OpenDatabase(uri, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI);
    if (!db) return Err(db.error());
    store = std::make_unique<SqliteStateStore>(*db, path);
    st = store->InitReadOnly();
  }
  SLUICE_RETURN_IF_ERROR(st);
  return std::unique_ptr<StateStore>(std::move(store));
}

Result<std::unique_ptr<StateStore>> OpenSqliteStateStore(const std::string& path) {
  std::error_code ec;
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) {
    return Err(Status::IoError("cannot create the state directory '{}': {}", parent.string(),
                               ec.message()));
  }
  SLUICE_ASSIGN_OR_RETURN(sqlite3 * db,
                          OpenDatabase(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
  auto store = std::make_unique<SqliteStateStore>(db, path);
  SLUICE_RETURN_IF_ERROR(store->Init());
  return std::unique_ptr<StateStore>(std::move(store));
}

}  // namespace sluice
