#include "state/pg_state_schema.h"

#include <array>
#include <cctype>

#include <fmt/format.h>

namespace sluice {
namespace {

// Version 1. Text columns that are keys or sorted compare bytewise (COLLATE "C"), as SQLite's
// do, so ListPositions orders streams the same way on both stores whatever the database's
// locale. Lease rows are never deleted: a released lease keeps its token (pid 0), so the next
// owner's token is larger still. Run history is ordered by seq (insertion), not by clock.
constexpr std::array kSchemaV1 = {
    R"sql(CREATE TABLE IF NOT EXISTS {jobs} (
  job text COLLATE "C" PRIMARY KEY,
  watermark_column text NOT NULL DEFAULT '',
  watermark text,
  pending_run_id text,
  pending_sink_state text,
  pending_watermark text,
  pending_started_at text,
  updated_at timestamptz NOT NULL))sql",
    R"sql(CREATE TABLE IF NOT EXISTS {runs} (
  seq bigserial PRIMARY KEY,
  job text COLLATE "C" NOT NULL,
  run_id text NOT NULL,
  started_at text NOT NULL,
  finished_at text NOT NULL,
  outcome text NOT NULL,
  rows_written bigint NOT NULL,
  rows_rejected bigint NOT NULL,
  UNIQUE (job, run_id)))sql",
    R"sql(CREATE INDEX IF NOT EXISTS sluice_state_runs_by_job ON {runs} (job, seq))sql",
    R"sql(CREATE TABLE IF NOT EXISTS {positions} (
  job text COLLATE "C" NOT NULL,
  stream text COLLATE "C" NOT NULL,
  position text NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (job, stream)))sql",
    R"sql(CREATE TABLE IF NOT EXISTS {leases} (
  job text COLLATE "C" PRIMARY KEY,
  host text NOT NULL,
  pid bigint NOT NULL,
  token bigint NOT NULL,
  since timestamptz NOT NULL,
  expires timestamptz NOT NULL))sql",
    R"sql(CREATE TABLE IF NOT EXISTS {pending} (
  job text COLLATE "C" NOT NULL,
  run_id text NOT NULL,
  position_job text COLLATE "C" NOT NULL,
  stream text COLLATE "C" NOT NULL,
  position text NOT NULL,
  PRIMARY KEY (job, run_id, position_job, stream)))sql",
};

struct Migration {
  int version;
  const char* const* statements;
  size_t count;
};

// Append only: a store is brought from its version to kPgStateSchemaVersion step by step.
constexpr std::array kMigrations = {
    Migration{1, kSchemaV1.data(), kSchemaV1.size()},
};
static_assert(kMigrations.back().version == kPgStateSchemaVersion);

Status Failed(const std::string& where, std::string_view what, const Status& cause) {
  return Status(cause.code(),
                fmt::format("state store {}: {} failed: {}", where, what, cause.message()),
                cause.retryable());
}

// 0 when the schema holds no store yet.
Result<int64_t> ReadVersion(PgSession& session, const PgStateTables& t, const std::string& where) {
  Result<PgRows> r = session.Run(
      t.Sql("SELECT CASE WHEN to_regclass($1) IS NULL THEN 0 ELSE -1 END"), {t.version});
  if (!r) return Err(Failed(where, "reading the schema version", r.error()));
  if (r->Int(0, 0) == 0) return int64_t{0};
  r = session.Run(t.Sql("SELECT coalesce(max(version), 0) FROM {version}"));
  if (!r) return Err(Failed(where, "reading the schema version", r.error()));
  return r->Int(0, 0);
}

Result<std::string> FindSchema(PgSession& session, const std::string& where, bool* exists) {
  Result<PgRows> r = session.Run("SELECT current_schema(), current_setting('search_path')");
  if (!r) return Err(Failed(where, "finding the schema", r.error()));
  *exists = !r->IsNull(0, 0);
  if (*exists) return r->Text(0, 0);
  std::optional<std::string> first = FirstSearchPathSchema(r->Text(0, 1));
  if (!first) {
    return Err(Status::Invalid(
        "state store {}: its search_path ('{}') names no schema to keep the state in; set one "
        "with ?options=-csearch_path%3DNAME",
        where, r->Text(0, 1)));
  }
  return *first;
}

Status Migrate(PgSession& session, const PgStateTables& t, bool create_schema,
               const std::string& where) {
  auto run = [&](std::string_view what, const std::string& sql, const PgParams& params = {}) {
    Result<PgRows> r = session.Run(sql, params);
    return r ? Status::OK() : Failed(where, what, r.error());
  };
  SLUICE_RETURN_IF_ERROR(
      run("locking the schema for set-up",
          "SELECT pg_advisory_xact_lock(hashtextextended('sluice state store ' || $1, 0))",
          {t.schema}));
  if (create_schema) {
    SLUICE_RETURN_IF_ERROR(
        run("creating the schema", t.Sql("CREATE SCHEMA IF NOT EXISTS {schema}")));
  }
  SLUICE_RETURN_IF_ERROR(
      run("creating the tables",
          t.Sql("CREATE TABLE IF NOT EXISTS {version} (version integer PRIMARY KEY, applied_at "
                "timestamptz NOT NULL DEFAULT clock_timestamp())")));
  SLUICE_ASSIGN_OR_RETURN(const int64_t version, ReadVersion(session, t, where));
  for (const Migration& m : kMigrations) {
    if (m.version <= version) continue;
    for (size_t i = 0; i < m.count; ++i) {
      SLUICE_RETURN_IF_ERROR(run("creating the tables", t.Sql(m.statements[i])));
    }
    SLUICE_RETURN_IF_ERROR(run("recording the schema version",
                               t.Sql("INSERT INTO {version}(version) VALUES ($1)"),
                               {std::to_string(m.version)}));
  }
  return Status::OK();
}

}  // namespace

std::string QuotePgIdent(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

PgStateTables PgStateTables::In(const std::string& schema) {
  const std::string prefix = QuotePgIdent(schema) + ".";
  return PgStateTables{schema,
                       prefix + "sluice_state_version",
                       prefix + "sluice_state_jobs",
                       prefix + "sluice_state_runs",
                       prefix + "sluice_state_positions",
                       prefix + "sluice_state_leases",
                       prefix + "sluice_state_pending_positions"};
}

std::string PgStateTables::Sql(std::string_view sql) const {
  return fmt::format(fmt::runtime(sql), fmt::arg("jobs", jobs), fmt::arg("runs", runs),
                     fmt::arg("positions", positions), fmt::arg("leases", leases),
                     fmt::arg("pending", pending_positions), fmt::arg("version", version),
                     fmt::arg("schema", QuotePgIdent(schema)),
                     fmt::arg("iso", "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'"));
}

std::optional<std::string> FirstSearchPathSchema(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == ',')) ++i;
    if (i >= text.size()) break;
    std::string name;
    bool quoted = text[i] == '"';
    if (quoted) {
      for (++i; i < text.size(); ++i) {
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            name += '"';
            ++i;
          } else {
            ++i;
            break;
          }
        } else {
          name += text[i];
        }
      }
    } else {
      // Unquoted names are folded to lower case, as PostgreSQL does.
      for (; i < text.size() && text[i] != ',' && text[i] != ' '; ++i) {
        name += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
      }
    }
    while (i < text.size() && text[i] != ',') ++i;
    if (!name.empty() && name != "$user") return name;
  }
  return std::nullopt;
}

Result<PgStateTables> PreparePgStateSchema(PgSession& session, bool read_only,
                                           const std::string& where) {
  bool exists = false;
  SLUICE_ASSIGN_OR_RETURN(const std::string schema, FindSchema(session, where, &exists));
  PgStateTables t = PgStateTables::In(schema);
  int64_t version = 0;
  if (exists) {
    SLUICE_ASSIGN_OR_RETURN(version, ReadVersion(session, t, where));
  }
  if (version > kPgStateSchemaVersion) {
    return Err(Status::Conflict(
        "state store {} (schema {}) has schema version {}, newer than this sluice understands "
        "({}); upgrade sluice",
        where, schema, version, kPgStateSchemaVersion));
  }
  if (version == kPgStateSchemaVersion) return t;
  if (read_only) {
    if (version == 0) {
      return Err(Status::NotFound("there is no state store at {} (schema {})", where, schema));
    }
    return Err(Status::Conflict(
        "state store {} (schema {}) has schema version {}, older than this sluice's ({}); it is "
        "upgraded by the next `sluice run`, and cannot be read before",
        where, schema, version, kPgStateSchemaVersion));
  }
  Result<PgRows> begun = session.Run("BEGIN");
  if (!begun) return Err(Failed(where, "setting up the tables", begun.error()));
  Status st = Migrate(session, t, !exists, where);
  if (st.ok()) {
    Result<PgRows> done = session.Run("COMMIT");
    if (!done) st = Failed(where, "setting up the tables", done.error());
  } else if (!session.lost()) {
    (void)session.Run("ROLLBACK");
  }
  if (!st.ok()) return Err(st);
  // Re-read: a newer sluice may have migrated further while this one waited for the lock.
  SLUICE_ASSIGN_OR_RETURN(version, ReadVersion(session, t, where));
  if (version != kPgStateSchemaVersion) {
    return Err(Status::Conflict(
        "state store {} (schema {}) has schema version {}, newer than this sluice understands "
        "({}); upgrade sluice",
        where, schema, version, kPgStateSchemaVersion));
  }
  return t;
}

}  // namespace sluice
