// StreamSource: the read side of a job that never ends (`mode: realtime`): change capture from
// a binlog, a replication slot or a topic, or generated rows. Rows come with positions; the
// engine commits them to the target with the rows they follow (Sink::Checkpoint), and on start
// hands the committed positions back so the source resumes exactly after them.
//
// Lifecycle, all on one thread (the engine's stream runner):
//   1. Open(): connect and resolve the schema (transforms are built against it);
//   2. Start(): begin after `resume_from` (the positions the target holds), or at the configured
//      start when there are none;
//   3. Next() again and again; Positions() after each call says where the stream stands;
//   4. Acknowledge() once positions are durable in the target: only then may a source let go
//      of what lies before them (a PostgreSQL slot advances, a Kafka offset is committed).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/options.h"
#include "core/reject_sink.h"
#include "core/schema.h"
#include "core/sink.h"
#include "core/source.h"
#include "core/status.h"

namespace sluice {

// A table created at the source while a stream over many tables runs (TakeCreatedTables).
struct CreatedTable {
  std::string db;              // the database or schema
  std::string name;            // the table, as the source's statement wrote it
  bool in_default_db = false;  // in the connection's default database (CatalogTable's sense)
};

// A table whose snapshot rows may commit (StreamSource::TakeSnapshotCommit).
struct SnapshotCommit {
  size_t table = 0;
  bool whole = false;  // its snapshot is read: false at a chunk's end
};

// The position stream of an initial snapshot committed in chunks of keys
// (StreamSource::AllowSnapshotChunks): "<key column> >= <the first key not yet written>" while
// the snapshot is under way, "" once it is done. Not a place in the source's log.
inline constexpr const char* kSnapshotProgressStream = "snapshot";

// The position stream naming the source table the other positions belong to, as the source
// identifies a table beyond its name (PostgreSQL: its oid): a start that finds another table
// under the name (the old one renamed or dropped, a new one made) stops instead of taking the
// new table's rows as changes after a point it never had. Not a place in the source's log.
inline constexpr const char* kSourceTableStream = "source_table";

// The initial snapshot's progress on the table being read (StreamSource::SnapshotProgressNow).
struct SnapshotProgress {
  std::string table;
  int64_t rows_read = 0;        // of this table, by this run
  int64_t estimated_rows = -1;  // the catalog's estimate of the rows still to read; -1: unknown
  int chunk = 0;                // 1-based key range being read; 0: read whole
  int chunks = 0;
};

class StreamSource {
 public:
  virtual ~StreamSource() = default;
  // Connects and resolves the schema of request.columns (request.where, when the source can
  // filter). Errors name the table or column.
  virtual Status Open(const ReadRequest& request) = 0;
  virtual const Schema& schema() const = 0;
  // `resume_from`: the committed positions, empty on a job's first start. `catch_up`: the
  // stream ends (Next returns false) at the source's end position as of this call, so a
  // scheduler can run a job that never ends as a finite one (`sluice run --catch-up`).
  virtual Status Start(const std::vector<StreamPosition>& resume_from, bool catch_up) = 0;
  // Appends up to request.batch_rows rows to `batch` (shaped by the schema, cleared by the
  // caller). Returns within a bounded time (about 200 ms) even when no row arrives: the batch
  // is then empty, so an idle stream still checkpoints, reports and stops promptly. Returns
  // false once a catch-up run reached its end (the batch may still hold rows).
  virtual Result<bool> Next(Batch& batch, RejectSink& rejects) = 0;
  // The positions after the last row Next() returned, one per stream the source reads.
  virtual std::vector<StreamPosition> Positions() const = 0;
  // Everything up to `positions` is durable in the target.
  virtual Status Acknowledge(const std::vector<StreamPosition>& positions) {
    (void)positions;
    return Status::OK();
  }
  // Whether the rows Next() returned so far end inside a source transaction (a change source
  // returns the rows of a large transaction in several batches). Positions() only ever names
  // transaction ends, so the engine checkpoints only when this is false: a checkpoint never
  // splits a source transaction, and the target only shows states the source had.
  // A source returning rows of several transactions ends a batch at one of their ends (it
  // keeps reading past the batch size, up to a hard bound, to reach one), so that this is true
  // only while a transaction larger than a batch is being read.
  virtual bool InTransaction() const { return false; }
  // Called before Start() by a runner whose target applies rows by key (upsert): the initial
  // snapshot of a large table may then be committed in chunks of keys rather than as one
  // transaction. A single-table stream's InTransaction() is false at each chunk's end (many
  // tables: TakeSnapshotCommit() says so), and Positions() there names
  // the log position the snapshot was taken at and the keys still to read
  // (kSnapshotProgressStream). A start from such positions reads the remaining keys again, as
  // they are then, and applies the changes since the snapshot's log position over them: a row
  // read already includes some of those changes, and applying them again in order by key
  // ends at the same row, so the target converges (showing states between source
  // transactions while it catches up). Sources that cannot chunk ignore it.
  virtual void AllowSnapshotChunks() {}
  // Whether the stream has updates and deletes (change capture), not only new rows (generated
  // rows, an append-only topic). Such a job applies changes by key unless told otherwise.
  virtual bool EmitsUpdatesAndDeletes() const { return false; }
  // What makes this source send every column of a changed row, for the message that stops a
  // run over a value a change left out (Column::IsUnchanged) which the target cannot supply.
  virtual std::string WholeRowsHint() const {
    return "have the source send every column of a changed row";
  }
  // The columns that identify a row of the streamed table: its primary key, in key order;
  // empty when it has none. A change-capture job without target.key applies changes by it.
  virtual std::vector<std::string> PrimaryKey() const { return {}; }
  // Realtime jobs follow columns added at the source (ALTER TABLE ... ADD COLUMN): this counts
  // the changes of schema(). A source that meets a column it does not know in the stream (by
  // name, in the stream's own metadata) appends it to schema() and to the batch being filled
  // (NULL for the rows already in it; core/schema_change.h) and counts one. A column dropped at
  // the source stays in schema() and reads as NULL from then on. When Next() returns with a new
  // count, the engine commits what it wrote before that batch, has the target add the columns
  // (Sink::AddColumns) and rebuilds transforms and writer before it writes the batch
  // (engine/schema_follow.h). Any other change of the table stops the stream with an error.
  virtual uint64_t schema_version() const { return 0; }
  // How far behind the source's newest change the stream is, in milliseconds (-1: unknown).
  virtual int64_t LagMillis() const { return -1; }
  // A short source-specific note for the status line and the summary ("slot sluice_orders
  // retains 12 MB of WAL"), empty when there is nothing to say. Called from the runner's thread.
  virtual std::string StatusDetail() const { return {}; }
  // How far the initial snapshot is, while one is read (nullopt otherwise): for the status line
  // of a snapshot that may take hours. Called from the runner's thread.
  virtual std::optional<SnapshotProgress> SnapshotProgressNow() const { return std::nullopt; }
  virtual std::string Describe() const = 0;
  // For `sluice check`: where the stream starts without a committed position and where it
  // ends, when the `startup` option does not say it (binlog files: from the first file's
  // start to the last one's end); empty: `startup` says it.
  virtual std::string StartDescription() const { return {}; }
  // For `sluice check`: what the job holds at the source (a PostgreSQL slot and how far it
  // stands), read without changing anything; an error for what a run would refuse (a slot of
  // another database). Empty: nothing to say.
  virtual Result<std::string> SourceState() { return std::string(); }

  // `mode: realtime` over many tables (source.tables): one reader for all of them (one binlog
  // connection, one slot). Called instead of Open(): `tables` holds, per table, the source
  // section of that table's single-table job (its `table` option names it; tables/table_plan.h).
  // Afterwards TableSchema(i) and TableLabel(i) describe table i, schema() is table 0's, and
  // every batch Next() returns holds rows of one table only: the source shapes the batch it
  // is handed by that table's schema and sets Batch::source_table to its TableLabel.
  virtual Status OpenTables(const std::vector<Options>& tables, const ReadRequest& request) {
    (void)tables;
    (void)request;
    return Status::Invalid(
        "{}: this source reads one table in mode realtime; name it with "
        "`table:`",
        Describe());
  }
  virtual size_t TableCount() const { return 1; }
  virtual const Schema& TableSchema(size_t table) const {
    (void)table;
    return schema();
  }
  virtual std::string TableLabel(size_t table) const {
    (void)table;
    return {};
  }
  // PrimaryKey() of table `table` (OpenTables): each table's own, by which its changes are
  // applied when the job gives no target.key.
  virtual std::vector<std::string> TablePrimaryKey(size_t table) const {
    (void)table;
    return PrimaryKey();
  }
  // The positions to commit with table `table`'s rows: Positions(), or that table's own when
  // it is ahead of the stream (see StartTables).
  virtual std::vector<StreamPosition> TablePositions(size_t table) const {
    (void)table;
    return Positions();
  }
  // schema_version() of table `table` (OpenTables): counts the changes of TableSchema(table)
  // alone, so the engine follows a change of one table without touching the others. A change
  // of table t shows in the Next() call that met it, before any row of t in the new shape is
  // returned; the runner commits t's earlier rows at t's positions of before that call.
  // OpenTables: the tables the stream saw created at the source since the last call (a
  // MariaDB CREATE TABLE statement in the binlog); empty for sources that cannot see it. The
  // engine tells which of them the job's patterns select: they are read from the next start.
  virtual std::vector<CreatedTable> TakeCreatedTables() { return {}; }
  // OpenTables, startup: initial: a table whose snapshot rows so far may commit on their own,
  // once, after the Next() call that returned the last of them; nullopt otherwise. The
  // snapshot of all tables is one source transaction (InTransaction()), but a table read whole
  // is complete at its snapshot position (TablePositions()), and so is a table read to the end
  // of a chunk when AllowSnapshotChunks() was called (its positions then carry the
  // kSnapshotProgressStream marker). The runner commits that table alone there, while the
  // snapshot of the others goes on, so a restart after a crash snapshots only what is not
  // committed yet. (A chunk's end is no commit point for the other tables: they hold no rows
  // of the snapshot yet, and their positions would say they did.)
  virtual std::optional<SnapshotCommit> TakeSnapshotCommit() { return std::nullopt; }
  virtual uint64_t TableSchemaVersion(size_t table) const {
    (void)table;
    return schema_version();
  }
  // Start() for OpenTables(): `resume_from[i]` are the positions table i's target committed
  // (empty: none). The stream resumes from the oldest of them and drops, per table, the
  // changes at or before that table's own position, so each table gets every change exactly
  // once even when the tables' checkpoints did not all commit (they are separate target
  // transactions). Tables without a position start as `startup` says (initial: a snapshot).
  virtual Status StartTables(const std::vector<std::vector<StreamPosition>>& resume_from,
                             bool catch_up) {
    if (resume_from.size() != 1) return Status::Internal("StartTables: one table expected");
    return Start(resume_from[0], catch_up);
  }
};

}  // namespace sluice
