// BinlogStream: `mode: realtime` for one MySQL/MariaDB table, or for the tables of
// `source.tables` (OpenTables/StartTables: one replication connection for all). It connects as a
// replica (libmariadb's mariadb_rpl_*: COM_BINLOG_DUMP from a file:offset) and hands every event's
// bytes to the pure decoder in ../binlog/; rows of the configured table become Batch rows with
// their RowKind.
//
// Lifecycle (core/stream_source.h), all on the engine's stream runner thread: Open() resolves
// the table's columns with the batch reader (MysqlSource, so both read the same types) and
// checks log_bin / binlog_format / binlog_row_image; Start() opens the replication connection;
// Next() reads events until the batch is full, ~200 ms passed, or a catch-up run reached its
// end. The object owns both connections; they close with it.
//
// Positions and restarts: Positions() is the end of the last *completed* transaction (after
// its XID or COMMIT, or after a standalone statement), never a point inside one. Next() reads
// on to the end of an open transaction before it returns (the transaction is in the binlog
// whole, so this does not wait), so a batch normally holds whole transactions and the runner's
// checkpoint (rows + Positions() in one target transaction) resumes exactly after them. Only
// a transaction of more than 16 batches (batch_rows) is returned in parts; InTransaction()
// says so, and the engine does not checkpoint until its end, so its parts land in one target
// transaction and a crash inside it reads it again whole.
//
// Many tables: every table keeps its own committed position (its target's); the stream starts
// from the oldest and drops a table's rows events that end at or before that table's own
// position (positions are transaction ends, so a transaction is either wholly before it or
// wholly after). The initial snapshot reads every table without a position in one consistent
// snapshot transaction, at one binlog position. A batch holds one table's rows: a rows event
// of another table ends it (mid-transaction: InTransaction() stays true) and opens the next.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "connectors/mysql/binlog/event_framer.h"
#include "connectors/mysql/binlog/row_image_decoder.h"
#include "connectors/mysql/binlog_stream/binlog_position.h"
#include "connectors/mysql/binlog_stream/consistent_snapshot.h"
#include "connectors/mysql/binlog_stream/ddl_statement.h"
#include "connectors/mysql/binlog_stream/startup_option.h"
#include "connectors/mysql/binlog_stream/table_map_follower.h"
#include "connectors/mysql/mysql_config.h"
#include "connectors/mysql/mysql_connection.h"
#include "connectors/mysql/mysql_source.h"
#include "connectors/mysql/mysql_split_reader.h"
#include "core/connector_registry.h"
#include "core/snapshot_chunks.h"
#include "core/stream_source.h"

struct st_mariadb_rpl;
struct st_mariadb_rpl_event;

namespace sluice::mysql::binlog_stream {

struct BinlogStreamOptions {
  uint32_t server_id = 0;
  StartupOption startup;
  SnapshotMethod snapshot_method = SnapshotMethod::kAuto;
  int64_t snapshot_chunk_rows = 500000;  // snapshot_chunk_rows (0: one transaction)
};

// One replication event's bytes, as the pure decoder takes them.
Result<std::string_view> ReplicaEventBytes(const st_mariadb_rpl_event& ev);

// How the binlog decoder reads column `field` of `table` as the catalog describes it: its
// character set, and MariaDB's UUID/INET6/INET4 as the text a SELECT returns.
binlog::ColumnDef CatalogColumnDef(const MysqlTable& table, const Field& field);

class BinlogStream : public StreamSource {
 public:
  static Result<std::unique_ptr<StreamSource>> Make(const Options& options,
                                                    const ConnectorContext& context);
  BinlogStream(MysqlConfig config, BinlogStreamOptions options, TimeZone zone);
  ~BinlogStream() override;

  Status Open(const ReadRequest& request) override;
  Status OpenTables(const std::vector<Options>& tables, const ReadRequest& request) override;
  size_t TableCount() const override { return tables_.size(); }
  const Schema& TableSchema(size_t table) const override { return tables_[table].schema; }
  std::string TableLabel(size_t table) const override { return tables_[table].label; }
  Status StartTables(const std::vector<std::vector<StreamPosition>>& resume_from,
                     bool catch_up) override;
  const Schema& schema() const override;  // table 0's
  Status Start(const std::vector<StreamPosition>& resume_from, bool catch_up) override;
  Result<bool> Next(Batch& batch, RejectSink& rejects) override;
  std::vector<StreamPosition> Positions() const override;
  std::vector<StreamPosition> TablePositions(size_t table) const override;
  // Only once rows of the open transaction were handed out: a batch ended by the first rows
  // event of the next transaction (another table's, parked in pending_event_) holds whole
  // transactions, and Positions() is the end of the last.
  // A chunked snapshot's chunk end is not inside one (core/snapshot_chunks.h).
  bool InTransaction() const override {
    return in_txn_ && txn_rows_out_ && !(snapshot_chunk_end_ && !many_);
  }
  void AllowSnapshotChunks() override { chunks_allowed_ = true; }
  bool EmitsUpdatesAndDeletes() const override { return true; }
  std::string WholeRowsHint() const override {
    return "set binlog_row_image=FULL for every session at the source (SET GLOBAL, and in the "
           "server's configuration)";
  }
  std::vector<std::string> PrimaryKey() const override {
    return tables_.empty() ? std::vector<std::string>{} : tables_[0].reader->PrimaryKey();
  }
  std::vector<std::string> TablePrimaryKey(size_t table) const override {
    return tables_[table].reader->PrimaryKey();
  }
  int64_t LagMillis() const override { return lag_ms_; }
  std::optional<SnapshotProgress> SnapshotProgressNow() const override;
  uint64_t schema_version() const override {
    return tables_.empty() ? 0 : tables_[0].follower.version();
  }
  std::vector<CreatedTable> TakeCreatedTables() override { return std::move(created_); }
  std::optional<SnapshotCommit> TakeSnapshotCommit() override {
    return std::exchange(snapshot_commit_, std::nullopt);
  }
  uint64_t TableSchemaVersion(size_t table) const override {
    return tables_[table].follower.version();
  }
  std::string Describe() const override { return config_.Describe() + " (binlog)"; }
  // Whether the rows Next returns are still those of the initial snapshot.
  bool Snapshotting() const { return snapshot_ != nullptr; }

  static constexpr const char* kStreamName = "binlog";

 private:
  // One table read: the configured one, or one of source.tables.
  struct Table {
    MysqlConfig config;
    std::unique_ptr<MysqlSource> reader;  // the batch reader: schema, snapshot reads
    Schema schema;
    std::vector<binlog::ColumnDef> defs;  // one per schema column
    TableMapFollower follower;            // maps each TABLE_MAP onto schema by name
    std::string label;                    // db.table, for Batch::source_table
    std::optional<BinlogPosition> own;    // its target's position: rows up to it are dropped
    bool map_seen = false;                // a TABLE_MAP of it was read by this run
    // Its last TABLE_MAP with a new table id (the server gives the table a new id when it
    // reopens it: after DDL, or a table swapped in under its name): the next new id's columns
    // are checked against it (CheckSameColumns).
    binlog::TableMap last_map;
    std::string swapped_in_by;  // the RENAME TABLE that swapped another table in, until then
    // The columns a MODIFY or CHANGE restated (lower-cased) and its statement: the next
    // TABLE_MAP with a new table id shows what became of them (CheckSameColumns).
    std::vector<std::string> modified;
    std::string modified_by;
    // Its snapshot in chunks (core/snapshot_chunks.h): the first key still to read after a cut
    // (none: all keys), from its committed marker; whether this run commits markers for it;
    // the chunked key's name, for them.
    std::optional<std::optional<std::string>> resume_low;
    bool chunked = false;
    std::string snapshot_key;
  };
  // A DROP COLUMN statement of a column the run does not know: it started after the column's
  // last TABLE_MAP (LearnDroppedColumns). Or (`swap`) a table swapped in under the name of a
  // table of which the run has read no TABLE_MAP: the last one before the start is the shape
  // the new table's columns are checked against (CheckSameColumns).
  struct UnknownDrop {
    size_t table = 0;
    std::vector<std::string> columns;  // every column the statement drops
    bool swap = false;  // or a MODIFY: the last TABLE_MAP is what is needed (CheckSameColumns)
  };

  Status OpenTable(const MysqlConfig& config, const ReadRequest& request);
  Status CheckServer();
  // Shapes an empty `batch` for table `t`; false when the batch holds another table's rows.
  bool ShapeFor(Batch& batch, size_t t) const;
  std::optional<size_t> TableOf(const binlog::TableMap& map) const;
  std::optional<size_t> TableNamed(std::string_view db, std::string_view table) const;
  Result<BinlogPosition> ServerEnd();
  Status CheckFilters();  // CheckBinlogFilters over the tables' databases
  Result<BinlogPosition> OldestFileStart();
  // startup: initial: opens the snapshot; its rows are read by Next before any event.
  Status BeginSnapshot(const std::vector<size_t>& tables);
  // The next table of the snapshot: its chunks (PlanSnapshotChunks), then its reader.
  Status StartSnapshotTable();
  // Table `t`'s snapshot in chunks of its integer key (core/snapshot_chunks.h), from its
  // resume_low on; leaves snapshot_ranges_ empty when it is read whole.
  Status PlanSnapshotChunks(size_t t);
  // The catalog's row estimate of table t (information_schema.TABLES.TABLE_ROWS), if any.
  Result<std::optional<KeyInt>> EstimatedRows(size_t t);
  // Table `t`'s committed snapshot progress marker (kSnapshotProgressStream): the first key
  // not yet written (none: all keys), or nullopt when there is none or it says done.
  Result<std::optional<std::optional<std::string>>> ResumeLow(
      size_t t, const std::vector<StreamPosition>& resume_from) const;
  Status OpenSnapshotReader();
  Result<bool> NextSnapshotRows(Batch& batch, RejectSink& rejects);
  Status CheckFileExists(const BinlogPosition& from);
  // From `from`, or (gtid not empty) after that MariaDB GTID position.
  Status OpenReplication(const BinlogPosition& from, const std::string& gtid = "");
  // One event's bytes; sets `done` when a catch-up run reached its end.
  Status Handle(std::string_view bytes, Batch& batch);
  Status HandleQuery(const binlog::Event& e, std::string_view bytes, Batch& batch);
  // TRUNCATE of table t (event `bytes`), by the table's `truncate` option: stops, is passed
  // over, or flags `batch` (Batch::truncated) when it holds no rows and no other TRUNCATE; else
  // the event is parked and the batch ends, so that the next batch opens with it.
  Status HandleTruncate(size_t t, int64_t commit_millis, std::string_view bytes, Batch& batch);
  // A DDL statement naming table `t`: ADD/DROP COLUMN is followed, anything else stops.
  Status HandleTableDdl(size_t t, std::string_view sql);
  // Whether the pairs of a RENAME TABLE move table `t` away and another table in under its
  // name, in one statement (an online schema change's cut-over), and whether another table of
  // this stream is in the statement too (`streamed` names it): such a swap is not followed.
  enum class SwapKind { kNone, kFollowed, kWithAnotherStreamedTable };
  SwapKind SwapOf(size_t t, const std::vector<RenamedTable>& pairs, std::string_view default_db,
                  std::string* streamed) const;
  // A swap of a streamed table with another streamed table (patterns that select the tool's
  // tables): an error that says to leave them out.
  Status CheckSwapsOfStreamedTables(const std::vector<RenamedTable>& pairs, std::string_view sql,
                                    std::string_view default_db) const;
  // Such a swap: followed like ADD/DROP COLUMN (the columns the new table lacks are dropped,
  // its new ones are added by the next TABLE_MAP), once CheckSameColumns has found the columns
  // both have unchanged.
  Status HandleTableSwap(size_t t, std::string_view sql);
  // A TABLE_MAP of table `t` with a new table id: the columns it shares with the last one by
  // name keep their type, and the primary key is the same; otherwise the stream stops (a type
  // changed without a statement it could see: a swapped-in table).
  Status CheckSameColumns(size_t t, const binlog::TableMap& map);
  // A MODIFY whose result the stream has not seen yet travels with the positions
  // (StreamSchemaTracker::kModifiedColumnsStream), so that a checkpoint past the statement
  // does not let a restart pass it unjudged; restored at Start.
  static StreamPosition PendingModifyPosition(const Table& table);
  void RestorePendingModify(size_t t, const std::vector<StreamPosition>& positions);
  // Columns a MODIFY widened (CheckSameColumns), with their TABLE_MAP columns after it:
  // the follower gives them their new types at this TABLE_MAP.
  void NoteWidened(size_t t,
                   const std::vector<std::pair<std::string, binlog::TableMapColumn>>& columns);
  // The run started between the last TABLE_MAP of a table and a DROP COLUMN of it, when the
  // catalog no longer had the column: the column is learned from that TABLE_MAP (read again
  // from the start of the stream's first file: the replication session is closed, reopened
  // there, and reopened after the statement), so that it is NULL from the drop on like any
  // dropped column, not left holding its old values in the target.
  Status LearnDroppedColumns(Batch& batch);
  // The binlog files before the one the stream began in, newest first (SHOW BINARY LOGS; none
  // when it cannot be read).
  std::vector<std::string> FilesBeforeStart();
  // The last TABLE_MAP of each table of `drops` in `end`'s file before `end`.
  Status ReadTableMapsBefore(const BinlogPosition& end, const std::vector<UnknownDrop>& drops,
                             std::map<size_t, binlog::TableMap>& last);
  // A column of `map` new to table `t`: as the catalog types it now, else as the binlog does.
  Result<std::pair<Field, binlog::ColumnDef>> DefineNewColumn(size_t t, const binlog::TableMap& map,
                                                              size_t index);
  // Table `t`'s positions with the stream at `at`: the binlog's and its dropped columns.
  std::vector<StreamPosition> PositionsAt(size_t t, const BinlogPosition& at) const;
  bool ReachedEnd() const { return end_ && positioned_ && read_to_ >= *end_; }
  // A transaction boundary read at `at`: the position to commit, unless an XA transaction
  // prepared before it is still open (its rows are read again from before it after a restart).
  void ReachBoundary(const BinlogPosition& at) {
    read_to_ = at;
    if (xa_prepared_.empty() && xa_replay_.empty()) committed_ = at;
  }
  // Refuses tables_[from...] whose foreign keys cascade (foreign_key_actions: stop).
  Status CheckForeignKeyActions(size_t from);
  // XA transactions (binlog_stream_xa.cc).
  void BeginXaGroup();
  bool HoldXaEvent(binlog::EventType type, std::string_view bytes);
  Status HandleXaPrepare(const binlog::Event& e);
  Result<bool> HandleXaStatement(std::string_view sql, const binlog::Event& e);
  // Handles the held events of a committed XA transaction, up to a batch's end.
  Status ReplayXa(Batch& batch);
  // Where event `e` ends in the binlog, for the tables' own positions: a held XA event counts
  // where its XA COMMIT ends (it was written earlier, even before the stream's start).
  BinlogPosition EventEnd(const binlog::Event& e) const {
    return xa_commit_end_.file.empty() ? BinlogPosition{file_, e.header.log_pos} : xa_commit_end_;
  }
  // An XA COMMIT of a transaction prepared before the stream's start (unknown_xa_): its rows
  // are read from its XA PREPARE (the start's binlog file and up to 8 before it; the session is
  // reopened there and again after the commit) and replayed when they are this stream's
  // tables'; passed over otherwise. Not found: an error.
  Status LearnXaPreparedBefore();
  // In `end`'s file before `end`: the table maps and rows of the last XA PREPARE of xid `key`,
  // and whether they write this stream's tables (`ours`); whether there is one.
  Result<bool> ReadXaPrepareBefore(const BinlogPosition& end, const std::string& key,
                                   std::vector<std::string>& events, bool& ours);
  void CloseReplication();
  // The next event of the replication session, or nullptr with the session's error. The read
  // is watched (core/stall_watch.h): the server sends a heartbeat every 100 ms when idle, so a
  // read that waits for the stall timeout means a server that stopped answering, and SIGTERM
  // breaks a read that waits on one.
  Result<const st_mariadb_rpl_event*> FetchEvent();

  MysqlConfig config_;
  BinlogStreamOptions options_;
  TimeZone zone_;
  std::vector<Table> tables_;          // [0]: the configured table (the single-table stream's)
  bool many_ = false;                  // opened by OpenTables (source.tables)
  std::vector<CreatedTable> created_;  // CREATE TABLE statements seen, not taken yet
  ReadRequest request_;                // Open's, to read the catalog again for new columns
  std::string row_metadata_;           // @@binlog_row_metadata at Open ("" when unknown)
  binlog::RowDecodeOptions row_options_;
  Connection conn_;                             // queries: settings, SHOW MASTER STATUS
  std::unique_ptr<MysqlSplitReader> snapshot_;  // startup: initial, until the tables are read
  std::vector<size_t> snapshot_tables_;         // tables the snapshot reads, in order; front: now
  Connection snapshot_conn_;                    // the snapshot transaction, between two tables
  BinlogPosition snapshot_position_;            // where the changes after the snapshot begin
  // A chunked snapshot (core/snapshot_chunks.h): the key ranges still to read, the one being read
  // first; empty when the snapshot is read whole.
  std::vector<KeyChunk> snapshot_ranges_;
  SnapshotProgress snapshot_progress_;  // of the front table (chunk: from snapshot_ranges_)
  bool chunks_allowed_ = false;         // AllowSnapshotChunks()
  bool snapshot_chunk_end_ = false;     // the rows returned end a chunk: a commit may follow
  std::optional<SnapshotCommit> snapshot_commit_;  // source.tables: TakeSnapshotCommit
  BinlogPosition stream_from_;                     // where the stream begins (the oldest position)
  int64_t skip_before_seconds_ = -1;               // startup: timestamp: skip older transactions
  Connection rpl_conn_;
  st_mariadb_rpl* rpl_ = nullptr;
  st_mariadb_rpl_event* event_ = nullptr;
  binlog::EventFramer framer_;
  std::string file_;          // the file the events being read are in
  BinlogPosition committed_;  // after the last completed transaction
  BinlogPosition read_to_;    // the last transaction boundary read (committed_ or past it)
  // MariaDB writes an XA transaction's rows at XA PREPARE and its outcome later (XA COMMIT or
  // XA ROLLBACK, in another event group). Its table maps and rows are held, by xid, until
  // then: replayed at the commit, dropped at the rollback. While one is held, committed_
  // stays before it.
  bool xa_collecting_ = false;
  std::vector<std::string> xa_group_;
  std::map<std::string, std::vector<std::string>> xa_prepared_;
  std::deque<std::string> xa_replay_;
  BinlogPosition xa_commit_end_;
  struct UnknownXa {
    std::string key;            // the xid
    BinlogPosition commit_end;  // where its XA COMMIT ends
  };
  std::optional<UnknownXa> unknown_xa_;  // met by Handle(), learned by Next() after it
  std::optional<BinlogPosition> end_;    // catch-up: stop here
  std::map<uint64_t, binlog::RowImageDecoder> decoders_;  // by table id, the tables read
  std::map<uint64_t, size_t> table_of_id_;                // by table id: index in tables_
  std::string pending_event_;  // a rows event of another table than the batch's: next first
  std::string inflated_;       // a compressed event's statement or row images (log_bin_compress)
  bool batch_ended_ = false;   // Handle() parked an event in pending_event_
  std::vector<UnknownDrop> unknown_drops_;  // met by Handle(), learned by Next() after it
  size_t batch_rows_ = 10000;
  bool in_txn_ = false;        // between a transaction's GTID/BEGIN and its XID/COMMIT
  bool txn_rows_out_ = false;  // rows of the open transaction were put in a batch
  bool positioned_ = true;     // committed_ is a real place (false after a GTID start, at first)
  int64_t lag_ms_ = -1;
};

}  // namespace sluice::mysql::binlog_stream
