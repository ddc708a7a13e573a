#include "connectors/postgres/replication_stream/pg_replication_stream.h"

#include <unistd.h>

#include <algorithm>
#include <string>
#include <variant>

#include <spdlog/spdlog.h>

#include "connectors/postgres/pg_source.h"
#include "connectors/postgres/replication/replication_frames.h"
#include "connectors/postgres/replication_stream/added_defaults.h"
#include "connectors/postgres/replication_stream/slot_setup.h"
#include "core/stall_watch.h"

namespace sluice::postgres::replication_stream {
namespace {

namespace r = ::sluice::postgres::replication;

constexpr auto kNextBudget = std::chrono::milliseconds(200);
// How often a running stream checks that its publication still publishes its tables.
constexpr auto kPublicationCheckEvery = std::chrono::seconds(10);
// Inside a transaction the rest is on its way (pgoutput sends a transaction after its commit,
// or a streamed one at Stream Commit from what we hold): wait in short steps.
constexpr auto kInTxnWait = std::chrono::milliseconds(100);
constexpr size_t kTxnBatches = 16;  // how far past batch_rows Next reads to a transaction end
// Well below wal_sender_timeout (60 s by default): the server hears from us even when idle.
constexpr auto kStatusInterval = std::chrono::seconds(10);
constexpr auto kDetailInterval = std::chrono::seconds(5);

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::vector<OptionSpec> StreamOptionSpecs() {
  OptionSpec startup{.name = "startup",
                     .kind = OptionKind::kObject,
                     .default_value = "initial",
                     .description =
                         "mode realtime without a committed position: initial (snapshot the "
                         "table, then stream), latest (changes from now on), or {lsn: 0/16B3748}",
                     .children = {{.name = "mode", .default_value = "initial"},
                                  {.name = "lsn", .description = "stream from this LSN"}},
                     .scalar_child = "mode"};
  return {
      {.name = "slot",
       .description = "mode realtime: the replication slot (created if missing); default "
                      "sluice_<job>"},
      {.name = "publication",
       .description = "mode realtime: the publication (created for the table if missing); "
                      "default sluice_<job>"},
      startup,
      {.name = "stream_buffer_mb",
       .kind = OptionKind::kInt,
       .default_value = "64",
       .description = "mode realtime: memory for the table's changes of large transactions "
                      "streamed before they commit; beyond it they spill to a temporary file "
                      "($TMPDIR) until their commit"},
      {.name = "snapshot_chunk_rows",
       .kind = OptionKind::kInt,
       .default_value = "500000",
       .description = "mode realtime, startup: initial, a table whose first primary-key column "
                      "is an integer and an upsert target: the snapshot commits about this many "
                      "rows at a time, by key range, and a restart reads on from the last range "
                      "committed; 0 = one transaction"},
      {.name = "generated_columns",
       .default_value = "stop",
       .description = "mode realtime: PostgreSQL's logical replication never sends a generated "
                      "column (GENERATED ALWAYS AS ... STORED). stop: a job that would write one "
                      "stops before it starts, naming it (drop it or compute it with a "
                      "transform); leave_out: the tables' generated columns are not read, so "
                      "their targets have none (for jobs over many tables)"},
      {.name = "inherited_rows",
       .default_value = "stop",
       .description = "mode realtime: a table other tables INHERIT from (table inheritance, "
                      "not PARTITION BY): reading it returns their rows too, but their changes "
                      "arrive under their own names. stop: the job stops before it starts, "
                      "naming them; leave_out: the table's own rows only (FROM ONLY); stream "
                      "the children as tables of their own (source.tables, routes to merge)"},
      TruncateOptionSpec(),
  };
}

Result<StreamOptions> ParseStreamOptions(const Options& options, const std::string& job_name) {
  StreamOptions o;
  const std::string fallback = DefaultSlotName(job_name);
  o.slot = options.GetString("slot", fallback);
  o.publication = options.GetString("publication", fallback);
  o.own_publication = !options.Has("publication");
  const OptionValue* startup = options.Find("startup");
  std::string lsn;
  if (startup && startup->kind == OptionKind::kObject) {
    const Options object = options.GetObject("startup");
    o.startup = object.GetString("mode", "initial");
    lsn = object.GetString("lsn", "");
  } else {
    o.startup = options.GetString("startup", "initial");
  }
  if (!lsn.empty()) {
    Result<Lsn> parsed = Lsn::Parse(lsn);
    if (!parsed) return Err(options.ErrorAt("startup", parsed.error().message()));
    o.startup = "lsn";
    o.startup_lsn = *parsed;
  } else if (o.startup != "initial" && o.startup != "latest") {
    return Err(options.ErrorAt(
        "startup",
        fmt::format("'{}' is not a startup mode (initial, latest, {{lsn: ...}})", o.startup)));
  }
  SLUICE_ASSIGN_OR_RETURN(int64_t mb, options.GetInt("stream_buffer_mb", 64));
  if (mb < 1) return Err(options.ErrorAt("stream_buffer_mb", "at least 1"));
  o.stream_buffer_bytes = static_cast<size_t>(mb) << 20;
  SLUICE_ASSIGN_OR_RETURN(o.snapshot_chunk_rows, options.GetInt("snapshot_chunk_rows", 500000));
  if (o.snapshot_chunk_rows < 0) return Err(options.ErrorAt("snapshot_chunk_rows", "0 or more"));
  const std::string generated = options.GetString("generated_columns", "stop");
  if (generated != "stop" && generated != "leave_out") {
    return Err(options.ErrorAt("generated_columns",
                               fmt::format("'{}' is not one of stop, leave_out", generated)));
  }
  o.leave_out_generated = generated == "leave_out";
  const std::string inherited = options.GetString("inherited_rows", "stop");
  if (inherited != "stop" && inherited != "leave_out") {
    return Err(options.ErrorAt("inherited_rows",
                               fmt::format("'{}' is not one of stop, leave_out", inherited)));
  }
  o.leave_out_inherited = inherited == "leave_out";
  SLUICE_ASSIGN_OR_RETURN(o.truncate, ParseTruncatePolicy(options));
  return o;
}

Result<std::string> DropJobStreamState(const Options& options, const ConnectorContext& context) {
  SLUICE_ASSIGN_OR_RETURN(PgConfig config, ParsePgConfig(options, /*target=*/false));
  SLUICE_ASSIGN_OR_RETURN(StreamOptions o, ParseStreamOptions(options, context.job_name));
  return DropSlotAndPublication(config.url, o.slot, o.publication);
}

Result<std::unique_ptr<StreamSource>> PgReplicationStream::Make(const Options& options,
                                                                const ConnectorContext& context) {
  SLUICE_ASSIGN_OR_RETURN(PgConfig config, ParsePgConfig(options, /*target=*/false));
  SLUICE_ASSIGN_OR_RETURN(StreamOptions o, ParseStreamOptions(options, context.job_name));
  return std::make_unique<PgReplicationStream>(std::move(config), std::move(o));
}

PgReplicationStream::PgReplicationStream(PgConfig config, StreamOptions options)
    : config_(std::move(config)),
      options_(std::move(options)),
      held_(options_.stream_buffer_bytes) {}

PgReplicationStream::~PgReplicationStream() = default;

Status PgReplicationStream::Open(const ReadRequest& request) {
  if (!request.where.empty()) {
    return Status::Invalid("{}: `where` is not supported in mode realtime yet", config_.Describe());
  }
  if (!request.columns.empty()) {
    return Status::Invalid(
        "{}: `columns` is not supported in mode realtime yet (all columns are read; drop "
        "columns with a transform)",
        config_.Describe());
  }
  request_ = request;
  batch_rows_ = std::max<size_t>(1, request.batch_rows);
  SLUICE_ASSIGN_OR_RETURN(conn_, PgConnection::Connect(config_.url, "sluice stream"));
  SLUICE_RETURN_IF_ERROR(CheckServer(conn_, config_.Describe()));
  SLUICE_RETURN_IF_ERROR(CheckPublicationKinds());
  tables_.clear();
  // The publication is made in Start: Open only reads (`sluice check` writes nothing).
  return OpenTable(config_);
}

Status PgReplicationStream::OpenTables(const std::vector<Options>& tables,
                                       const ReadRequest& request) {
  if (tables.empty()) return Status::Invalid("{}: no table to stream", config_.Describe());
  SLUICE_ASSIGN_OR_RETURN(config_, ParsePgConfig(tables[0], /*target=*/false));
  many_ = true;
  SLUICE_RETURN_IF_ERROR(Open(request));
  for (size_t i = 1; i < tables.size(); ++i) {
    SLUICE_ASSIGN_OR_RETURN(PgConfig config, ParsePgConfig(tables[i], /*target=*/false));
    SLUICE_RETURN_IF_ERROR(OpenTable(config));
  }
  return Status::OK();
}

Status PgReplicationStream::OpenTable(const PgConfig& config) {
  // The batch reader resolves the table and maps its types: a realtime read and a batch read
  // of one table agree on the schema.
  Table t;
  t.config = config;
  PgSource batch_reader(config);
  SLUICE_RETURN_IF_ERROR(batch_reader.Open(request_));
  t.schema = batch_reader.schema();
  SLUICE_ASSIGN_OR_RETURN(std::optional<PgTable> table, LoadTable(conn_, config.table));
  if (!table) return Status::NotFound("{}: table not found", config.Describe());
  t.table = std::move(*table);
  // Logical replication publishes tables only: a view's changes happen in its base tables, a
  // materialized view's at REFRESH, a foreign table's on another server.
  if (t.table.relkind == 'v' || t.table.relkind == 'm' || t.table.relkind == 'f') {
    return Status::Invalid(
        "{}: a {}, which logical replication does not publish: no change of it would reach "
        "this job. Stream the tables it reads from (with `transforms:` for its columns and "
        "filter), or copy it in batch",
        t.table.Label(),
        t.table.relkind == 'v'   ? "view, whose rows change through its base tables"
        : t.table.relkind == 'm' ? "materialized view, whose rows change at REFRESH"
                                 : "foreign table, whose rows live on another server");
  }
  SLUICE_ASSIGN_OR_RETURN(ReplicaIdentity identity, ReadReplicaIdentity(conn_, t.table));
  SLUICE_RETURN_IF_ERROR(MarkGeneratedColumns(t));
  SLUICE_RETURN_IF_ERROR(CheckInheritance(t));
  SLUICE_RETURN_IF_ERROR(CheckPublishedShape(t));
  UseReplicaIdentity(t, identity);
  if (!t.key.empty()) {
    const std::optional<size_t> key = t.table.Find(t.key[0]);
    const std::string type = key ? t.table.columns[*key].type.name : "";
    if (type == "int2" || type == "int4" || type == "int8") t.chunk_key = t.key[0];
  }
  // A target that lacks a column (added at the source while a run was down) fills its rows so.
  SLUICE_RETURN_IF_ERROR(ReadAddedDefaults(conn_, t.table.oid, t.schema, 0));
  if (!StreamSchemaTracker::KnownColumnsPosition(t.schema)) {
    spdlog::warn(
        "{}: too many columns to commit their names with the positions: a column dropped at "
        "the source between a checkpoint and a restart keeps its old values in the rows "
        "updated after the drop, instead of NULL",
        t.table.Label());
  }
  if (t.table.relkind == 'p') {
    // pgoutput sends a partition's TRUNCATE only under the partition's own name, which a
    // publication through the root never publishes (and a dropped or detached partition's rows
    // leave no WAL): nothing in the stream says the rows went.
    spdlog::warn(
        "{} is partitioned: PostgreSQL publishes no TRUNCATE of one of its partitions, and no "
        "row of a partition dropped or detached, so the target keeps such rows; re-snapshot the "
        "table after one (a TRUNCATE of {} itself is published)",
        t.table.Label(), t.table.Label());
  }
  tables_.push_back(std::move(t));
  return Status::OK();
}

std::optional<size_t> PgReplicationStream::TableOf(uint32_t oid) const {
  for (size_t i = 0; i < tables_.size(); ++i) {
    if (tables_[i].table.oid == oid) return i;
  }
  return std::nullopt;
}

bool PgReplicationStream::ShapeFor(Batch& batch, size_t t) {
  const Table& table = tables_[t];
  const std::string label = table.table.Label();
  if (batch.num_rows() > 0 || batch.truncated) return batch.source_table == label;
  bool same = batch.columns.size() == table.schema.size();
  for (size_t i = 0; same && i < batch.columns.size(); ++i) {
    same = batch.columns[i].type() == table.schema.fields[i].type;
  }
  if (!same) batch.columns = Batch(table.schema).columns;
  batch.source_table = label;
  return true;
}

Status PgReplicationStream::Start(const std::vector<StreamPosition>& resume_from, bool catch_up) {
  return StartTables(std::vector<std::vector<StreamPosition>>(tables_.size(), resume_from),
                     catch_up);
}

Status PgReplicationStream::StartTables(const std::vector<std::vector<StreamPosition>>& resume_from,
                                        bool catch_up) {
  if (resume_from.size() != tables_.size()) {
    return Status::Internal("{}: positions for {} tables, {} open", config_.Describe(),
                            resume_from.size(), tables_.size());
  }
  // Before the publication is extended to a table that took the name of the job's own.
  for (size_t t = 0; t < tables_.size(); ++t) {
    for (const StreamPosition& p : resume_from[t]) {
      if (p.stream == kSourceTableStream) SLUICE_RETURN_IF_ERROR(CheckSameTable(t, p.position));
    }
  }
  // Before the publication is extended to a table it stopped publishing.
  std::vector<bool> streamed(tables_.size(), false);
  for (size_t t = 0; t < tables_.size(); ++t) {
    for (const StreamPosition& p : resume_from[t])
      streamed[t] = streamed[t] || p.stream == kStreamName;
  }
  SLUICE_RETURN_IF_ERROR(CheckStillPublished(streamed, /*live=*/false));
  last_publication_check_ = std::chrono::steady_clock::now();
  if (many_) {
    std::vector<PgTable> all;
    for (const Table& t : tables_) all.push_back(t.table);
    SLUICE_RETURN_IF_ERROR(
        EnsurePublication(conn_, options_.publication, all, options_.own_publication));
    SLUICE_RETURN_IF_ERROR(new_tables_.Start(conn_, options_.publication));
  } else {
    SLUICE_RETURN_IF_ERROR(
        EnsurePublication(conn_, options_.publication, tables_[0].table, options_.own_publication));
  }
  // Each table's own position; the slot streams from the oldest of them.
  std::optional<Lsn> from;
  std::vector<size_t> unplaced;
  std::optional<Lsn> newest;
  for (size_t t = 0; t < tables_.size(); ++t) {
    tables_[t].own.reset();
    for (const StreamPosition& p : resume_from[t]) {
      if (p.stream != kStreamName) continue;
      SLUICE_ASSIGN_OR_RETURN(Lsn parsed, Lsn::Parse(p.position));
      tables_[t].own = parsed;
    }
    if (!tables_[t].own) {
      unplaced.push_back(t);
      continue;
    }
    if (!from || *tables_[t].own < *from) from = tables_[t].own;
    if (!newest || *tables_[t].own > *newest) newest = tables_[t].own;
  }
  // Columns dropped at the source before the committed position stay in the schema (NULL);
  // ones the catalog lost since it are put back until the stream shows when they went.
  for (size_t t = 0; t < tables_.size(); ++t) {
    SLUICE_RETURN_IF_ERROR(
        tables_[t].follower.tracker().Restore(resume_from[t], tables_[t].schema));
    SLUICE_RETURN_IF_ERROR(RestoreSnapshotProgress(t, resume_from[t]));
  }
  pending_.clear();
  truncates_.clear();
  replay_finish_pending_ = false;
  replay_parked_.reset();
  SLUICE_ASSIGN_OR_RETURN(std::optional<SlotState> slot, FindSlot(conn_, options_.slot));
  if (slot) SLUICE_RETURN_IF_ERROR(CheckSlotIsUsable(*slot, options_.slot));
  // A run killed a moment ago may still hold the slot until its walsender notices the closed
  // socket: wait for it rather than fail the restart.
  for (int i = 0; slot && slot->active && i < 100; ++i) {
    usleep(100000);
    SLUICE_ASSIGN_OR_RETURN(slot, FindSlot(conn_, options_.slot));
  }
  if (slot && slot->active) {
    // Not a killed run's walsender (gone within those 10 s): a live consumer, which a start
    // must neither share the slot with nor cut off. Retryable: a walsender the server has not
    // yet found dead (a connection cut, not closed) goes within wal_sender_timeout.
    return Status(StatusCode::kConnection,
                  fmt::format("{}: replication slot {} is in use by another connection (pid {}) "
                              "for more than 10 s: another run of this job, or another job or "
                              "tool with the same slot name; stop it, or give this job a slot "
                              "of its own with the source option `slot:`",
                              config_.Describe(), options_.slot, slot->active_pid),
                  /*retryable=*/true);
  }
  SLUICE_ASSIGN_OR_RETURN(rpl_, ReplicationConnection::Connect(config_.url, config_.Describe()));
  if (from) {
    // Never silent loss: without the slot, the changes after the committed position are gone.
    if (!slot) {
      return Status::Invalid(
          "{}: replication slot {} is gone, but the target holds position {}: the changes "
          "since then are lost to this job; to re-snapshot, run `sluice state drop-slot JOB` "
          "and clear the job's positions in the target, then start again with startup: initial",
          config_.Describe(), options_.slot, from->ToString());
    }
    SLUICE_RETURN_IF_ERROR(CheckSlotNotAhead(slot->confirmed_flush, *newest));
    acked_ = *from;
    const bool cut =
        std::any_of(tables_.begin(), tables_.end(), [](const Table& t) { return t.rest_pending; });
    if (cut) {
      if (options_.startup != "initial") unplaced.clear();
      return BeginRestRead(unplaced, catch_up, *from);
    }
    if (!unplaced.empty() && options_.startup == "initial") {
      // A crash between the tables' first checkpoints: the others hold positions, these
      // nothing. They are read inside a temporary slot's snapshot; its consistent point is
      // their position (the stream drops their changes committed before it).
      SLUICE_ASSIGN_OR_RETURN(snapshot_rpl_,
                              ReplicationConnection::Connect(config_.url, config_.Describe()));
      SLUICE_ASSIGN_OR_RETURN(
          CreatedSlot created,
          snapshot_rpl_.CreateSlot(TemporarySlotName(), true,
                                   /*temporary=*/true,
                                   SlotWaitReporter(conn_, TemporarySlotName())));
      for (size_t t : unplaced) tables_[t].own = created.consistent_point;
      stream_from_ = *from;
      committed_ = Lsn{};
      if (catch_up) SLUICE_RETURN_IF_ERROR(ReadServerEnd());
      return StartSnapshot(created.snapshot_name, unplaced);
    }
  } else if (options_.startup == "initial") {
    // No committed position: the job never finished a snapshot (or crashed inside one, which
    // left nothing in the target). A slot left from then points past changes the target does
    // not have: start over with a new slot and its snapshot.
    if (slot) SLUICE_RETURN_IF_ERROR(DropSlot(conn_, options_.slot));
    SLUICE_ASSIGN_OR_RETURN(CreatedSlot created,
                            rpl_.CreateSlot(options_.slot, true, /*temporary=*/false,
                                            SlotWaitReporter(conn_, options_.slot)));
    snapshot_point_ = created.consistent_point;
    stream_from_ = snapshot_point_;
    committed_ = Lsn{};
    for (Table& t : tables_) t.own = snapshot_point_;
    if (catch_up) SLUICE_RETURN_IF_ERROR(ReadServerEnd());
    std::vector<size_t> all(tables_.size());
    for (size_t t = 0; t < all.size(); ++t) all[t] = t;
    return StartSnapshot(created.snapshot_name, std::move(all));
  } else {
    if (!slot) {
      SLUICE_ASSIGN_OR_RETURN(CreatedSlot created,
                              rpl_.CreateSlot(options_.slot, false, /*temporary=*/false,
                                              SlotWaitReporter(conn_, options_.slot)));
      from = created.consistent_point;
    }
    if (options_.startup == "lsn") {
      from = options_.startup_lsn;
    } else if (slot) {
      SLUICE_ASSIGN_OR_RETURN(PgResult now, conn_.Query("SELECT pg_current_wal_lsn()::text",
                                                        config_.Describe() + ": WAL end"));
      SLUICE_ASSIGN_OR_RETURN(from, Lsn::Parse(now.Text(0, 0)));
    }
  }
  if (catch_up) SLUICE_RETURN_IF_ERROR(ReadServerEnd());
  return StartStreaming(*from);
}

Status PgReplicationStream::CheckSlotNotAhead(Lsn confirmed, Lsn newest) const {
  // The job confirms its slot only as far as a table's target committed (Acknowledge, the
  // engine's idle checkpoints), so a slot ahead of every position the target holds was read
  // by another consumer: the server would stream from there and this job never see what lies
  // between. Typically two jobs whose names make the same slot name ("orders-rt" and
  // "orders_rt"), or one job file copied with its name for another target.
  if (confirmed <= newest) return Status::OK();
  return Status::Invalid(
      "{}: replication slot {} was confirmed up to {}, past this job's position {} in its "
      "target: another job or tool reads from this slot (two jobs whose names make the same "
      "slot name, or a copied job file), so the changes in between are lost to this job. Give "
      "each job a slot of its own (source option `slot:`, or distinct job names); this job's "
      "target then needs a new snapshot: clear its positions and start with startup: initial",
      config_.Describe(), options_.slot, confirmed.ToString(), newest.ToString());
}

Result<std::string> PgReplicationStream::SourceState() {
  SLUICE_ASSIGN_OR_RETURN(std::optional<SlotState> slot, FindSlot(conn_, options_.slot));
  if (!slot) {
    return fmt::format("slot {} and publication {}: the first run creates them", options_.slot,
                       options_.publication);
  }
  SLUICE_RETURN_IF_ERROR(CheckSlotIsUsable(*slot, options_.slot).WithContext(config_.Describe()));
  SLUICE_ASSIGN_OR_RETURN(std::string retained, RetainedWal(conn_, options_.slot));
  return fmt::format("slot {} (publication {}) confirmed up to {}{}{}", options_.slot,
                     options_.publication, slot->confirmed_flush.ToString(),
                     slot->active ? fmt::format(", in use by pid {}", slot->active_pid) : "",
                     retained.empty() ? "" : "; " + retained.substr(retained.find("retains")));
}

Status PgReplicationStream::ReadServerEnd() {
  // The *insert* position, not pg_current_wal_lsn() (the write position): with
  // synchronous_commit = off a transaction is committed and visible before its commit record
  // is written, and a catch-up must still include it. The walsender decodes it once the WAL
  // writer flushes (within wal_writer_delay).
  SLUICE_ASSIGN_OR_RETURN(
      PgResult now,
      conn_.Query("SELECT pg_current_wal_insert_lsn()::text, current_setting('wal_block_size')",
                  config_.Describe() + ": WAL end"));
  SLUICE_ASSIGN_OR_RETURN(Lsn end, Lsn::Parse(now.Text(0, 0)));
  end_ = end;
  past_end_ = false;
  wal_block_size_ = std::max<uint64_t>(1, std::stoull(std::string(now.Text(0, 1))));
  return Status::OK();
}

bool PgReplicationStream::AtOrPast(Lsn point) const {
  if (committed_ >= point) return true;
  // The insert position is where the next record would start: right after a page header when
  // the last record ended at a page boundary. A position at that boundary is the end (the
  // header is at most 40 bytes: a segment's first page has the long one).
  constexpr uint64_t kLongPageHeader = 40;
  return committed_.value % wal_block_size_ == 0 &&
         point.value - committed_.value <= kLongPageHeader;
}

Status PgReplicationStream::StartStreaming(Lsn from) {
  committed_ = from;
  in_txn_ = false;
  decoder_ = r::PgOutputDecoder();
  relations_ = r::RelationCache();
  for (Table& t : tables_) {
    t.plan.reset();
    t.follower.Restart();
  }
  last_status_sent_ = std::chrono::steady_clock::now();
  return rpl_.StartStreaming(options_.slot, from, options_.publication);
}

Result<bool> PgReplicationStream::Next(Batch& batch, RejectSink& rejects) {
  if (snapshot_reader_) return NextSnapshot(batch, rejects);
  if (!rpl_.is_open()) return Err(Status::Internal("PgReplicationStream::Next before Start"));
  if (ReachedPause()) {
    paused_ = true;
    SLUICE_RETURN_IF_ERROR(StartSnapshot(snapshot_name_, rest_tables_));
    return true;
  }
  if (ReachedEnd()) return false;
  batch_ended_ = false;
  if (!deferred_.empty()) {
    // The message that reached a cut snapshot's point: the stream goes on with it.
    const std::string bytes = std::move(deferred_);
    deferred_.clear();
    SLUICE_ASSIGN_OR_RETURN(r::PgOutputMessage message,
                            r::DecodePgOutputMessage(bytes, /*in_stream=*/false));
    SLUICE_RETURN_IF_ERROR(HandleDecoded(message, bytes, batch));
  }
  TakeTruncates(batch);  // a TRUNCATE that ended the last batch opens this one
  if (replay_finish_pending_ && truncates_.empty()) FinishReplay();
  if (!pending_.empty()) {
    // A change of another table ended the last batch: it opens this one.
    const std::string bytes = std::move(pending_);
    pending_.clear();
    SLUICE_ASSIGN_OR_RETURN(r::PgOutputMessage message,
                            r::DecodePgOutputMessage(bytes, /*in_stream=*/false));
    SLUICE_RETURN_IF_ERROR(RouteChange(message, bytes, batch));
  }
  const auto deadline = std::chrono::steady_clock::now() + kNextBudget;
  const size_t txn_cap = batch_rows_ * kTxnBatches;
  bool heard = false;
  while (!batch_ended_ &&
         ((in_txn_ && batch.num_rows() < txn_cap) ||
          (batch.num_rows() < batch_rows_ && std::chrono::steady_clock::now() < deadline))) {
    if (Replaying()) {
      SLUICE_RETURN_IF_ERROR(ReplayOne(batch));
      continue;
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (in_txn_) wait = std::max(wait, kInTxnWait);
    SLUICE_ASSIGN_OR_RETURN(std::optional<std::string_view> frame,
                            rpl_.Read(std::max(wait, std::chrono::milliseconds(0))));
    if (!frame) {
      if (in_txn_) continue;
      break;
    }
    heard = true;
    SLUICE_RETURN_IF_ERROR(Handle(*frame, batch));
    if (ReachedEnd() || ReachedPause()) break;
  }
  if (Quiet() && !heard && batch.num_rows() == 0) lag_ms_ = 0;
  if (!heard) SLUICE_RETURN_IF_ERROR(CheckServerAnswers());
  SLUICE_RETURN_IF_ERROR(ConfirmIdle());
  if (const auto now = std::chrono::steady_clock::now();
      now - last_publication_check_ >= kPublicationCheckEvery) {
    last_publication_check_ = now;
    SLUICE_RETURN_IF_ERROR(
        CheckStillPublished(std::vector<bool>(tables_.size(), true), /*live=*/true));
  }
  if (many_) {
    SLUICE_ASSIGN_OR_RETURN(std::vector<CreatedTable> made,
                            new_tables_.Look(conn_, options_.own_publication));
    for (CreatedTable& t : made) created_.push_back(std::move(t));
  }
  if ((end_ || pause_at_) && !ReachedEnd() && !ReachedPause() && !heard) {
    // Catch-up on a quiet slot: ask for a keepalive, whose WAL end tells how far we are.
    SLUICE_RETURN_IF_ERROR(SendStatus(acked_, /*reply_requested=*/true));
  }
  return !ReachedEnd();  // a pause reached reads the rest at the next call
}

std::vector<StreamPosition> PgReplicationStream::TablePositions(size_t table) const {
  // A table whose own position is ahead of the stream's (snapshotted at a later point than
  // the others' checkpoints) holds everything up to it.
  const std::optional<Lsn>& own = tables_[table].own;
  return PositionsAt(table, own && committed_ < *own ? *own : committed_);
}

std::vector<StreamPosition> PgReplicationStream::Positions() const {
  return TablePositions(0);
}

std::vector<StreamPosition> PgReplicationStream::PositionsAt(size_t t, Lsn at) const {
  const Table& table = tables_[t];
  std::vector<StreamPosition> out{StreamPosition{kStreamName, at.ToString()},
                                  StreamPosition{kSourceTableStream, RelationId(table.table)}};
  if (auto dropped = table.follower.tracker().DroppedPosition(table.schema)) {
    out.push_back(*dropped);
  }
  // The WAL carries no DROP COLUMN: a restart from here after one learns of it only from
  // these names (core/schema_change.h).
  if (!table.known_columns_made || table.known_columns_version != table.follower.version()) {
    table.known_columns = StreamSchemaTracker::KnownColumnsPosition(table.schema);
    table.known_columns_version = table.follower.version();
    table.known_columns_made = true;
  }
  if (table.known_columns) out.push_back(*table.known_columns);
  if (table.marks_snapshot) {
    // The first key not yet written while the table is read in chunks; "" once it is read
    // (positions are upserted per stream: a marker left out would stay).
    const bool reading = snapshot_reader_ && !snapshot_tables_.empty() &&
                         snapshot_tables_.front() == t && !snapshot_ranges_.empty();
    std::string marker;
    if (reading) {
      marker = SnapshotMarker(table.chunk_key, snapshot_ranges_.front().low);
    } else if (table.rest_pending) {
      marker = table.rest_marker;
    }
    out.push_back(StreamPosition{kSnapshotProgressStream, marker});
  }
  return out;
}

const Schema& PgReplicationStream::schema() const {
  static const Schema kNone;
  return tables_.empty() ? kNone : tables_[0].schema;
}

Status PgReplicationStream::Acknowledge(const std::vector<StreamPosition>& positions) {
  for (const StreamPosition& p : positions) {
    if (p.stream != kStreamName) continue;
    SLUICE_ASSIGN_OR_RETURN(Lsn lsn, Lsn::Parse(p.position));
    // Never past the stream's own position, which every table's target holds: a table
    // snapshotted later stands further on, the others not (CheckSlotNotAhead relies on it).
    if (committed_ != Lsn{} && lsn > committed_) lsn = committed_;
    if (lsn > acked_) acked_ = lsn;
  }
  if (!rpl_.is_open() || snapshot_reader_) return Status::OK();
  return SendStatus(acked_, false);
}

Status PgReplicationStream::ConfirmIdle() {
  // The slot moves on only with what the target committed (Acknowledge): an idle table's
  // position is committed by the engine's idle checkpoints, then acknowledged. Between them
  // the walsender hears from us now and then, or it would end the connection.
  if (std::chrono::steady_clock::now() - last_status_sent_ > kStatusInterval) {
    return SendStatus(acked_, false);
  }
  return Status::OK();
}

Status PgReplicationStream::CheckServerAnswers() {
  // An idle walsender sends nothing while it hears from us (keepalives come only when it did
  // not for half its wal_sender_timeout, and we send a status every 10 s), and a server that
  // stopped answering (SIGSTOP, a hung host) still has its kernel acknowledge our bytes: the
  // silence looks the same. So after a third of the stall timeout without a message, ask for
  // a keepalive (a status update with reply requested); a live server answers at once, and a
  // silence as long as the stall timeout means it stopped answering.
  const int timeout_s = StallTimeoutSeconds();
  if (timeout_s <= 0) return Status::OK();
  const auto timeout = std::chrono::seconds(timeout_s);
  const auto silent = rpl_.SilentFor();
  if (silent >= timeout) {
    return Status(StatusCode::kConnection,
                  fmt::format("postgres at {} stalled: no answer for {} s on the replication "
                              "connection (settings.stall_timeout); the connection was dropped",
                              config_.target.Address(),
                              std::chrono::duration_cast<std::chrono::seconds>(silent).count()),
                  /*retryable=*/true);
  }
  const auto now = std::chrono::steady_clock::now();
  if (silent >= timeout / 3 && now - last_probe_ >= timeout / 3) {
    last_probe_ = now;
    return SendStatus(acked_, /*reply_requested=*/true);
  }
  return Status::OK();
}

Status PgReplicationStream::SendStatus(Lsn flushed, bool reply_requested) {
  last_status_sent_ = std::chrono::steady_clock::now();
  return rpl_.Send(r::BuildStandbyStatusUpdate(
      r::StandbyStatus{flushed, flushed, flushed, NowMicros(), reply_requested}));
}

std::string PgReplicationStream::StatusDetail() const {
  const auto now = std::chrono::steady_clock::now();
  if (now - detail_at_ < kDetailInterval) return detail_;
  detail_at_ = now;
  // A const method queries: conn_ is used by this thread only, and only for such queries.
  auto& conn = const_cast<PgConnection&>(conn_);
  Result<std::string> retained = RetainedWal(conn, options_.slot);
  detail_ = retained ? *retained : "";
  if (held_.spilled_transactions() > 0) {
    detail_ += fmt::format("{}{} streamed transaction(s) spilled to disk ({} MB)",
                           detail_.empty() ? "" : "; ", held_.spilled_transactions(),
                           held_.spilled_bytes() >> 20);
  }
  return detail_;
}

}  // namespace sluice::postgres::replication_stream
