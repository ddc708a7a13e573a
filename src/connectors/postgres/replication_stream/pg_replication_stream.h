// PgReplicationStream: `mode: realtime` for one PostgreSQL table, or for the tables of
// `source.tables` (OpenTables/StartTables: one slot and one publication listing them all), from
// a logical replication slot read with pgoutput (protocol 2, large transactions streamed
// before they commit).
//
// Lifecycle (core/stream_source.h), all on the engine's stream runner thread: Open() resolves
// the table with the batch reader (PgSource, so realtime and batch agree on types), checks the
// server (wal_level, REPLICATION, replica identity) and creates or checks the job's
// publication; Start() resumes from the committed LSN, or begins as `startup` says (an initial
// snapshot read inside the snapshot the new slot exported, then the stream from the slot's
// consistent point); Next() returns snapshot rows, then changes. The object owns its three
// connections (queries, replication, snapshot reader) and closes them.
//
// Positions and restarts: the one position is the end LSN of the last *completed* transaction
// (Commit / Stream Commit end_lsn), or a keepalive's WAL end when nothing is open. On restart
// the slot sends again every transaction committed after the position we START_REPLICATION
// from, so a transaction is read whole or not at all. Batches end at transaction ends (Next
// reads on, up to 16 batches, to reach one); InTransaction() is true while a larger one is
// returned in parts and during the whole initial snapshot, so the engine never checkpoints
// inside either: a crash re-reads them whole. The slot's confirmed position moves only in
// Acknowledge() (the target committed) — or, when no returned row awaits acknowledgement, to
// transactions of other tables and idle WAL, which hold nothing of ours.
//
// Snapshots in chunks (AllowSnapshotChunks, an upsert target): a table whose first primary-key
// column is an integer is read in key ranges (core/snapshot_chunks.h) inside the exported
// snapshot, and each range's end may commit with the position `snapshot` = the first key not
// yet written. A restart from such a cut keeps one rule, "the target's rows below K are as of
// the committed LSN, the rows from K on are not there": it creates a temporary slot (point Y)
// whose exported snapshot will read the rest, streams from the committed LSN to Y applying the
// table's changes below K only (pause_at_), then reads the keys from K on at Y, in chunks that
// keep the rule with K moving up, and streams on from where it paused. Nothing is applied
// twice, so an update whose TOASTed value arrives "unchanged" never meets a missing row.
//
// Many tables: every table keeps its own committed position (its target's); the slot streams
// from the oldest, and a table's changes of transactions that commit before its own position
// are dropped. The initial snapshot reads every table inside the new slot's exported snapshot
// (tables left without a position by a crash between the tables' first checkpoints are read
// inside the snapshot of a temporary slot, whose consistent point becomes their position). A
// batch holds one table's rows: a change of another table ends it and opens the next.
#pragma once

#include <unistd.h>

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "connectors/postgres/pg_config.h"
#include "connectors/postgres/pg_connection.h"
#include "connectors/postgres/pg_table.h"
#include "connectors/postgres/replication/lsn.h"
#include "connectors/postgres/replication/pgoutput_decoder.h"
#include "connectors/postgres/replication/relation_cache.h"
#include "connectors/postgres/replication/tuple_to_batch.h"
#include "connectors/postgres/replication_stream/new_table_watch.h"
#include "connectors/postgres/replication_stream/relation_follower.h"
#include "connectors/postgres/replication_stream/replication_connection.h"
#include "connectors/postgres/replication_stream/slot_setup.h"
#include "connectors/postgres/replication_stream/slot_wait.h"
#include "connectors/postgres/replication_stream/streamed_transactions.h"
#include "core/connector_registry.h"
#include "core/snapshot_chunks.h"
#include "core/source.h"
#include "core/stream_source.h"
#include "core/truncate_policy.h"

namespace sluice::postgres::replication_stream {

using replication::Lsn;

struct StreamOptions {
  std::string slot;
  std::string publication;
  bool own_publication = false;     // named by sluice (no `publication:`): the job may extend it
  std::string startup = "initial";  // initial | latest | lsn
  Lsn startup_lsn;                  // startup: {lsn: ...}
  size_t stream_buffer_bytes = size_t{64} << 20;
  int64_t snapshot_chunk_rows = 500000;  // 0: the snapshot is one transaction
  // generated_columns: leave_out: the tables' generated columns (which pgoutput never sends)
  // are not read, so the targets get none; else they stay in the schema, and the engine
  // refuses a job that would write them (core/schema.h: absent_from_changes).
  bool leave_out_generated = false;
  // inherited_rows: leave_out: a table others INHERIT from is read without their rows (FROM
  // ONLY); else such a table stops the job before it starts (CheckInheritance).
  bool leave_out_inherited = false;
  TruncatePolicy truncate = TruncatePolicy::kStop;  // core/truncate_policy.h
};

// The options the stream adds to the postgres source's (slot, publication, startup, ...).
std::vector<OptionSpec> StreamOptionSpecs();
// The slot and publication a job uses: the `slot:` / `publication:` options, else
// sluice_<job>. Shared by the stream and `sluice state drop-slot`.
Result<StreamOptions> ParseStreamOptions(const Options& options, const std::string& job_name);

// `sluice state drop-slot JOB`: drops the job's slot and publication on its source.
Result<std::string> DropJobStreamState(const Options& options, const ConnectorContext& context);

class PgReplicationStream : public StreamSource {
 public:
  static Result<std::unique_ptr<StreamSource>> Make(const Options& options,
                                                    const ConnectorContext& context);
  PgReplicationStream(PgConfig config, StreamOptions options);
  ~PgReplicationStream() override;

  Status Open(const ReadRequest& request) override;
  Status OpenTables(const std::vector<Options>& tables, const ReadRequest& request) override;
  size_t TableCount() const override { return tables_.size(); }
  const Schema& TableSchema(size_t table) const override { return tables_[table].schema; }
  std::string TableLabel(size_t table) const override { return tables_[table].table.Label(); }
  Status StartTables(const std::vector<std::vector<StreamPosition>>& resume_from,
                     bool catch_up) override;
  std::vector<StreamPosition> TablePositions(size_t table) const override;
  const Schema& schema() const override;  // table 0's
  Status Start(const std::vector<StreamPosition>& resume_from, bool catch_up) override;
  Result<bool> Next(Batch& batch, RejectSink& rejects) override;
  std::vector<StreamPosition> Positions() const override;
  Status Acknowledge(const std::vector<StreamPosition>& positions) override;
  // Only once rows of the open transaction were handed out: a batch ended by the first change
  // of the next transaction (another table's, parked) holds whole transactions.
  // So is the snapshot, but a chunk's end of one table (many: that table alone commits, by
  // TakeSnapshotCommit, since a checkpoint would commit the tables not read yet too).
  bool InTransaction() const override {
    return (in_txn_ && txn_rows_) ||
           (snapshot_reader_ != nullptr && !(snapshot_chunk_end_ && !many_));
  }
  void AllowSnapshotChunks() override { chunks_allowed_ = true; }
  bool EmitsUpdatesAndDeletes() const override { return true; }
  std::string WholeRowsHint() const override {
    return "ALTER TABLE ... REPLICA IDENTITY FULL at the source";
  }
  std::vector<std::string> PrimaryKey() const override {
    return tables_.empty() ? std::vector<std::string>{} : tables_[0].key;
  }
  std::vector<std::string> TablePrimaryKey(size_t table) const override {
    return tables_[table].key;
  }
  int64_t LagMillis() const override { return lag_ms_; }
  uint64_t schema_version() const override { return tables_.empty() ? 0 : TableSchemaVersion(0); }
  uint64_t TableSchemaVersion(size_t table) const override {
    return tables_[table].follower.version() + tables_[table].identity_changes;
  }
  std::string StatusDetail() const override;
  std::optional<SnapshotProgress> SnapshotProgressNow() const override;
  std::vector<CreatedTable> TakeCreatedTables() override { return std::move(created_); }
  std::optional<SnapshotCommit> TakeSnapshotCommit() override {
    return std::exchange(snapshot_commit_, std::nullopt);
  }
  std::string Describe() const override { return config_.Describe() + " (pgoutput)"; }

  static constexpr const char* kStreamName = "pgoutput";

 private:
  // One table read: the configured one, or one of source.tables.
  struct Table {
    PgConfig config;
    PgTable table;
    Schema schema;
    std::optional<replication::TuplePlan> plan;  // from its latest Relation
    RelationFollower follower;                   // maps each Relation onto schema by name
    std::optional<Lsn> own;  // its target's position: transactions committed before it drop
    // Its columns as committed with its positions (PositionsAt), made again only when the
    // schema changed: positions are taken for every table before each read.
    mutable std::optional<StreamPosition> known_columns;
    mutable uint64_t known_columns_version = 0;
    mutable bool known_columns_made = false;
    // The columns its changes are applied by (PrimaryKey()): the primary key, or the
    // columns of its REPLICA IDENTITY index, which deletes carry (UseReplicaIdentity).
    std::vector<std::string> key;
    // Snapshots in chunks: the first key column when it is an integer ("" else).
    std::string chunk_key;
    bool marks_snapshot = false;  // its positions carry the snapshot's progress ("" when read)
    // A cut snapshot whose rest is not read yet: the rows of keys from rest_low on are not in
    // the target, and their changes are dropped until the rest is read (nullopt: the marker
    // was of another key, and every change applies). rest_marker is the committed marker.
    bool rest_pending = false;
    std::optional<KeyInt> rest_low;
    std::string rest_marker;
    std::optional<size_t> key_in_relation;  // chunk_key's column in the latest Relation
    // The columns the snapshot reads when generated ones are left out (empty: all of them).
    std::vector<std::string> read_columns;
    // How often a Relation said its deletes carry fewer columns than before (a REPLICA
    // IDENTITY changed): part of the schema's version, so the engine checks its key again.
    uint64_t identity_changes = 0;
  };

  Status OpenTable(const PgConfig& config);
  // Sets t.key and marks the columns deletes do not carry (core/schema.h:
  // absent_from_old_rows).
  void UseReplicaIdentity(Table& t, const ReplicaIdentity& identity) const;
  std::optional<size_t> TableOf(uint32_t oid) const;
  // Shapes an empty `batch` for table `t`; false when the batch holds another table's rows.
  bool ShapeFor(Batch& batch, size_t t);
  bool Drops(size_t t, Lsn commit_lsn) const {
    return tables_[t].own && commit_lsn < *tables_[t].own;
  }
  Status RouteChange(const replication::PgOutputMessage& message, std::string_view bytes,
                     Batch& batch);
  // A TRUNCATE of the transaction that commits at `commit_lsn`: by options_.truncate, stops,
  // is passed over, or queues the job's tables it empties for TakeTruncates.
  Status QueueTruncates(const replication::TruncateMessage& truncate, Lsn commit_lsn);
  // Flags `batch` (Batch::truncated) for the first queued table when it holds no rows and no
  // other TRUNCATE; else ends it, so that the next batch opens with the TRUNCATE.
  void TakeTruncates(Batch& batch);
  // The streamed transaction being replayed is all handed out: its end is the position.
  void FinishReplay();
  Status ReadServerEnd();
  Status StartSnapshot(const std::string& snapshot_name, std::vector<size_t> tables);
  Status StartSnapshotTable();  // snapshot_tables_.front(): its chunks planned, the first opened
  Status PlanSnapshotChunks(size_t t);
  Status OpenSnapshotReader();  // the front chunk of the front table
  // A restart after a cut snapshot: the committed markers, and the temporary slot whose
  // snapshot reads the rest once the stream reaches its point.
  Status RestoreSnapshotProgress(size_t t, const std::vector<StreamPosition>& resume_from);
  Status BeginRestRead(const std::vector<size_t>& unplaced, bool catch_up, Lsn from);
  // The temporary slot whose snapshot reads tables at a later point: named by the process, so
  // a run restarted at once never meets the one of a killed run the server has not yet
  // dropped.
  std::string TemporarySlotName() const {
    return options_.slot.substr(0, 50) + "_t" + std::to_string(getpid());
  }
  bool ReachedPause() const { return pause_at_ && (paused_ || (Quiet() && AtOrPast(*pause_at_))); }
  // Whether a change's key is one the target holds rows of (below the table's rest_low).
  Result<bool> KeyBelowRest(const replication::TupleData& tuple, size_t t) const;
  Result<bool> NextSnapshot(Batch& batch, RejectSink& rejects);
  Status StartStreaming(Lsn from);
  Status Handle(std::string_view frame, Batch& batch);
  Status HandleMessage(std::string_view bytes, Batch& batch);
  Status HandleDecoded(const replication::PgOutputMessage& message, std::string_view bytes,
                       Batch& batch);
  Status ReplayOne(Batch& batch);
  Status PlanRelation(const replication::CachedRelation& relation, size_t t, Batch& batch);
  Status RefusePartitionOfJobTable(uint32_t oid);
  Status MarkGeneratedColumns(Table& t);
  Status CheckPublicationKinds();  // once, at Open; also reads server_version_
  Status CheckPublishedShape(Table& t);
  // The tables of `streamed` must still be published: one the publication stopped publishing
  // (or a publication dropped) has its changes left out of the slot's stream for good. `live`:
  // checked while the run streams (every kPublicationCheckEvery; the kinds of change too),
  // else at a start, for the tables that have a committed position.
  Status CheckStillPublished(const std::vector<bool>& streamed, bool live);
  // kSourceTableStream: "oid 16423". A table under the job's name that is not the one the
  // committed positions belong to stops the start (core/stream_source.h).
  static std::string RelationId(const PgTable& table);
  Status CheckSameTable(size_t t, const std::string& committed);
  Status RefuseRenamedTable(const replication::RelationMessage& relation, size_t t);
  // A table with inheritance children: stops, or reads its own rows only (inherited_rows).
  Status CheckInheritance(Table& t);
  // A Relation's replica identity (its key flags) as the columns deletes carry from here on:
  // re-marks absent_from_old_rows and counts a change (ALTER TABLE ... REPLICA IDENTITY while
  // the job streamed, or between its runs: the WAL read again has the older one). Columns from
  // `known` on were added by this Relation: marked, but no change of what deletes carried.
  void FollowReplicaIdentity(const replication::CachedRelation& relation, Table& t, size_t known);
  Status AppendChange(const replication::PgOutputMessage& message, size_t t, Batch& batch);
  Status AppendRow(const replication::TupleData& tuple, RowKind kind, size_t t, Batch& batch);
  // A change of a streamed transaction being replayed, or one parked by the last batch.
  bool Replaying() const { return replay_parked_.has_value() || !replay_.empty(); }
  // Table `t`'s positions with the stream at `at`: the LSN and its dropped columns.
  std::vector<StreamPosition> PositionsAt(size_t t, Lsn at) const;
  Status SendStatus(Lsn flushed, bool reply_requested);
  Status ConfirmIdle();
  Status CheckSlotNotAhead(Lsn confirmed, Lsn newest) const;
  Result<std::string> SourceState() override;
  // Fails the stream once the server sent nothing for the stall timeout; asks it for a
  // keepalive before that (see the .cc).
  Status CheckServerAnswers();
  bool Quiet() const { return !in_txn_ && !Replaying() && held_.empty(); }
  bool ReachedEnd() const {
    return end_ && !snapshot_reader_ && !pause_at_ && (past_end_ || (Quiet() && AtOrPast(*end_)));
  }
  bool AtOrPast(Lsn point) const;

  PgConfig config_;
  StreamOptions options_;
  ReadRequest request_;
  std::vector<Table> tables_;  // [0]: the configured table (the single-table stream's)
  PgConnection conn_;          // catalog, slot and publication queries
  int server_version_ = 0;     // server_version_num
  std::unordered_set<uint32_t> checked_relations_;  // looked up by RefusePartitionOfJobTable
  ReplicationConnection rpl_;
  std::unique_ptr<Source> snapshot_source_;
  std::unique_ptr<SplitReader> snapshot_reader_;
  Lsn snapshot_point_;  // the new slot's consistent point: where the stream takes over
  std::string snapshot_name_;
  std::vector<size_t> snapshot_tables_;  // tables the snapshot reads, in order; front: now
  std::optional<SnapshotCommit> snapshot_commit_;  // a table's snapshot was read (source.tables)
  std::vector<KeyChunk> snapshot_ranges_;  // the front table's chunks still to read; front: now
  SnapshotProgress snapshot_progress_;     // of the front table (chunk: from snapshot_ranges_)
  bool chunks_allowed_ = false;            // AllowSnapshotChunks()
  bool snapshot_chunk_end_ = false;        // the rows returned end a chunk: a commit may follow
  // A cut snapshot's rest is read at this point (the temporary slot's): the stream stops there
  // (paused_), the tables of rest_tables_ are read, then the stream goes on, the message that
  // reached the point (deferred_) first.
  std::optional<Lsn> pause_at_;
  bool paused_ = false;
  std::string deferred_;
  std::vector<size_t> rest_tables_;
  ReplicationConnection snapshot_rpl_;  // holds a temporary slot's snapshot while it is read
  Lsn stream_from_;                     // where the stream begins: the oldest position
  std::string pending_;  // a change of another table than the batch's: it opens the next one
  std::chrono::steady_clock::time_point last_publication_check_;  // CheckStillPublished
  std::deque<size_t> truncates_;  // tables emptied at the source, not yet in a batch (apply)
  // The replayed transaction's changes are all read, but a TRUNCATE of it is still queued:
  // it ends (FinishReplay) once that TRUNCATE is in a batch.
  bool replay_finish_pending_ = false;
  bool batch_ended_ = false;
  bool many_ = false;                  // opened by OpenTables
  NewTableWatch new_tables_;           // many_: tables created while the stream runs
  std::vector<CreatedTable> created_;  // found by new_tables_, not yet taken
  Lsn txn_final_;                      // the open transaction's commit LSN
  Lsn replay_commit_;                  // the commit LSN of the streamed transaction being replayed

  replication::PgOutputDecoder decoder_;
  replication::RelationCache relations_;
  StreamedTransactions held_;
  HeldReplay replay_;                        // a committed streamed transaction being returned
  std::optional<HeldChange> replay_parked_;  // taken from replay_: another table's, next batch
  Lsn replay_end_;
  uint32_t stream_xid_ = 0;  // the transaction of the open stream segment

  Lsn committed_;           // end of the last completed transaction: Positions()
  Lsn acked_;               // what the target holds: the slot's confirmed position
  std::optional<Lsn> end_;  // catch-up: the WAL insert position at Start; stop there
  // Catch-up: a transaction that commits at or after end_ began (it committed after Start):
  // the run ends before it, exactly at the end as of its start; the next run reads it.
  bool past_end_ = false;
  uint64_t wal_block_size_ = 8192;
  bool in_txn_ = false;    // between Begin and Commit (or replaying a streamed one)
  bool skip_txn_ = false;  // the open transaction ends at or before committed_
  bool txn_rows_ = false;  // the open transaction gave rows
  int64_t txn_commit_ms_ = 0;
  size_t batch_rows_ = 10000;
  int64_t lag_ms_ = -1;
  std::chrono::steady_clock::time_point last_status_sent_;
  std::chrono::steady_clock::time_point
      last_probe_;  // last keepalive asked for by CheckServerAnswers
  mutable std::chrono::steady_clock::time_point detail_at_;
  mutable std::string detail_;
};

}  // namespace sluice::postgres::replication_stream
