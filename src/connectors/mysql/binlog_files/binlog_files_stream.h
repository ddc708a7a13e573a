// BinlogFilesStream: `mode: realtime` from MySQL/MariaDB binlog files on disk
// (`source: {type: mysql, binlog_files: [...], table: db.t}`, or `tables:` patterns): archived
// binlogs, offline replay. The same pure decoder as the live stream (../binlog/), fed by
// BinlogFileReader instead of a replica connection; there is no server, so each table's
// columns, types and primary key come from its first TABLE_MAP in the files (which needs the
// column names of binlog_row_metadata=FULL, or `unnamed_columns: positional`).
//
// Lifecycle (core/stream_source.h), all on the engine's stream runner thread: Open() (or
// OpenTables()) scans the files' TABLE_MAPs for the schemas; Start() opens the file of the
// committed position and seeks to it (the file's FORMAT_DESCRIPTION is read first); Next()
// reads events until the batch is full or ~200 ms passed, and returns false at the end of the
// last file, with or without --catch-up: files do not grow, so a run that read them all is
// done (a later run with more files listed continues after the committed position).
//
// Positions and restarts: one stream, "binlog_files", valued `<file>:<offset>`
// (file_position.h): the end of the last transaction returned whole, never a point inside
// one. Rows of a transaction may span batches (one larger than 16 batches is returned in
// parts); InTransaction() is true from the first row of an open transaction handed out until
// its XID/COMMIT is read, so the engine checkpoints only at transaction ends and a restart
// resumes exactly after the committed rows. A corrupt or truncated event, or a file that ends
// inside a transaction, is an error naming the file and byte offset: the run fails and the
// target keeps its last checkpoint, which holds whole transactions only.
//
// Many tables: as BinlogStream (one reader for all; every table keeps its own committed
// position; the stream starts at the oldest and drops a table's rows at or before its own;
// a batch holds one table's rows). DDL: ALTER TABLE ... ADD/DROP COLUMN of a read table is
// followed by the next TABLE_MAP's names (TableMapFollower); an ADD whose new column gives the
// existing rows a value (DEFAULT, NOT NULL, AUTO_INCREMENT, generated) stops, as does any other
// DDL of a read table (the rows before it cannot be known offline).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/mysql/binlog/binlog_file_reader.h"
#include "connectors/mysql/binlog/row_image_decoder.h"
#include "connectors/mysql/binlog/transaction_payload.h"
#include "connectors/mysql/binlog_files/binlog_files_config.h"
#include "connectors/mysql/binlog_files/file_position.h"
#include "connectors/mysql/binlog_stream/table_map_follower.h"
#include "core/connector_registry.h"
#include "core/stream_source.h"

namespace sluice::mysql::binlog_files {

class BinlogFilesStream : public StreamSource {
 public:
  static Result<std::unique_ptr<StreamSource>> Make(const Options& options,
                                                    const ConnectorContext& context);
  BinlogFilesStream(BinlogFilesConfig config, TimeZone zone);

  Status Open(const ReadRequest& request) override;
  Status OpenTables(const std::vector<Options>& tables, const ReadRequest& request) override;
  size_t TableCount() const override { return tables_.size(); }
  const Schema& TableSchema(size_t table) const override { return tables_[table].schema; }
  std::string TableLabel(size_t table) const override { return tables_[table].label; }
  const Schema& schema() const override;  // table 0's
  Status Start(const std::vector<StreamPosition>& resume_from, bool catch_up) override;
  Status StartTables(const std::vector<std::vector<StreamPosition>>& resume_from,
                     bool catch_up) override;
  Result<bool> Next(Batch& batch, RejectSink& rejects) override;
  std::vector<StreamPosition> Positions() const override;
  std::vector<StreamPosition> TablePositions(size_t table) const override;
  bool InTransaction() const override { return in_txn_ && txn_rows_; }
  bool EmitsUpdatesAndDeletes() const override { return true; }
  std::string WholeRowsHint() const override {
    return "have the server that writes these files log whole rows (binlog_row_image=FULL for "
           "every session)";
  }
  std::vector<std::string> PrimaryKey() const override {
    return tables_.empty() ? std::vector<std::string>{} : tables_[0].primary_key;
  }
  std::vector<std::string> TablePrimaryKey(size_t table) const override {
    return tables_[table].primary_key;
  }
  uint64_t schema_version() const override {
    return tables_.empty() ? 0 : tables_[0].follower.version();
  }
  uint64_t TableSchemaVersion(size_t table) const override {
    return tables_[table].follower.version();
  }
  std::string Describe() const override;
  std::string StartDescription() const override;

  static constexpr const char* kStreamName = "binlog_files";

 private:
  struct CaseVariant {
    std::string database;
    std::string name;
    bool operator==(const CaseVariant&) const = default;
  };
  struct Table {
    std::string database;
    std::string name;
    bool exact = false;
    // Names of its TABLE_MAPs that differ from `database`.`name` only by case (ReadSchemas):
    // the files may hold `Orders` and `orders` (or `Shop` and `shop` databases), two tables
    // on a server that keeps case apart.
    std::vector<CaseVariant> case_variants;
    Schema schema;
    std::vector<binlog::ColumnDef> defs;  // one per schema column
    std::vector<std::string> primary_key;
    binlog_stream::TableMapFollower follower;
    std::string label;                // db.table
    std::optional<FilePosition> own;  // its target's position: rows up to it are dropped
    // Where the TABLE_MAP the schema was read from is: the table's DDL before it (its CREATE
    // TABLE in the same files) shaped what the schema already is, and is passed over.
    FilePosition first_map;
  };
  // A rows event of another table than the batch's, kept for the next batch (its bytes copied:
  // the reader's buffer moves on).
  struct PendingEvent {
    binlog::EventHeader header;
    std::string bytes;
    size_t body_offset = 0;
    size_t body_size = 0;
  };

  Status AddTable(const BinlogFilesConfig& config);
  // Every table's schema from its first TABLE_MAP in the files.
  Status ReadSchemas();
  std::optional<size_t> TableOf(std::string_view db, std::string_view table) const;
  bool ShapeFor(Batch& batch, size_t t) const;
  // Opens file `index` at `offset`.
  Status OpenFile(size_t index, uint64_t offset);
  // The next event: from the open TRANSACTION_PAYLOAD, else the file; nullopt at a file's end.
  Result<std::optional<binlog::Event>> NextEvent();
  // One event: rows into `batch`, transaction state, DDL. `outer`: read from the file (not
  // from inside a TRANSACTION_PAYLOAD).
  Status Handle(const binlog::Event& e, Batch& batch);
  Status HandleQuery(const binlog::Event& e, Batch& batch);
  // TRUNCATE of table t, by config_.truncate: stops, is passed over, or flags `batch`
  // (Batch::truncated) when it holds no rows and no other TRUNCATE; else the event is parked
  // and the batch ends, so that the next batch opens with it.
  Status HandleTruncate(size_t t, const binlog::Event& e, Batch& batch);
  Status HandleTableDdl(size_t t, std::string_view sql);
  Status HandleTableMap(const binlog::Event& e, Batch& batch);
  Status HandleRows(const binlog::Event& e, Batch& batch);
  // The current event's place, for errors: the file and byte offset (of the payload holding it).
  Status Locate(const Status& error, const binlog::Event& e) const;
  std::vector<StreamPosition> PositionsAt(size_t t, const FilePosition& at) const;

  BinlogFilesConfig config_;
  TimeZone zone_;
  std::vector<Table> tables_;
  binlog::RowDecodeOptions row_options_;
  size_t batch_rows_ = 10000;

  std::unique_ptr<binlog::BinlogFileReader> reader_;
  size_t file_index_ = 0;
  std::optional<binlog::PayloadEvents> payload_;  // the TRANSACTION_PAYLOAD being read
  std::string payload_buffer_;
  std::string inflated_;  // a compressed event's statement or row images (log_bin_compress)
  std::optional<PendingEvent> pending_;
  bool batch_ended_ = false;
  bool done_ = false;
  FilePosition committed_;  // after the last completed transaction
  FilePosition txn_start_;  // where the open transaction began (for a truncation message)
  std::map<uint64_t, binlog::RowImageDecoder> decoders_;  // by table id, the tables read
  std::map<uint64_t, size_t> table_of_id_;                // by table id: index in tables_
  bool in_txn_ = false;            // between a transaction's GTID/BEGIN and its XID/COMMIT
  bool txn_rows_ = false;          // rows of the open transaction were handed out
  bool xa_prepare_group_ = false;  // the event group is an XA transaction's PREPARE
};

}  // namespace sluice::mysql::binlog_files
