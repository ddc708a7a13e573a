#include "connectors/mysql/binlog_stream/binlog_stream.h"

#include <mariadb_rpl.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

#include <spdlog/spdlog.h>

#include "connectors/mysql/binlog_stream/added_defaults.h"
#include "connectors/mysql/binlog_stream/ascii_case.h"
#include "connectors/mysql/binlog_stream/server_check.h"
#include "connectors/mysql/mysql_source.h"

namespace sluice::mysql::binlog_stream {
namespace {

// How long Next() reads before it returns an idle (or partial) batch, and how often the server
// sends a heartbeat when it has no events: a blocked read wakes at least that often.
constexpr auto kNextBudget = std::chrono::milliseconds(200);
constexpr const char* kHeartbeatNanos = "100000000";
constexpr size_t kTxnBatches = 16;  // how far past batch_rows Next reads to a transaction end
constexpr unsigned kErrBinlogFatal = 1236;  // ER_MASTER_FATAL_ERROR_READING_BINLOG

uint32_t Le32(const unsigned char* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

}  // namespace

// libmariadb keeps the packet's leading OK byte in raw_data on some versions: the event starts
// where its own size field (header bytes 9..12) matches what is left.
Result<std::string_view> ReplicaEventBytes(const MARIADB_RPL_EVENT& ev) {
  const auto* raw = ev.raw_data;
  const size_t size = ev.raw_data_size;
  for (size_t skip : {size_t{0}, size_t{1}}) {
    if (raw && size >= skip + 19 && Le32(raw + skip + 9) == size - skip) {
      return std::string_view(reinterpret_cast<const char*>(raw) + skip, size - skip);
    }
  }
  return Err(Status::DataError("replication packet of {} bytes does not hold one event", size));
}

binlog::ColumnDef CatalogColumnDef(const MysqlTable& table, const Field& field) {
  return binlog::ColumnDef{field.name,
                           field.type,
                           table.ColumnCharset(field.name),
                           {},
                           binlog::FixedBinaryTextOf(table.ColumnDataType(field.name))};
}

Result<std::unique_ptr<StreamSource>> BinlogStream::Make(const Options& options,
                                                         const ConnectorContext& context) {
  SLUICE_ASSIGN_OR_RETURN(MysqlConfig config, ParseMysqlConfig(options, /*target=*/false));
  BinlogStreamOptions o;
  SLUICE_ASSIGN_OR_RETURN(int64_t id, options.GetInt("server_id", 0));
  if (id < 0 || id > 4294967295LL) {
    return Err(options.ErrorAt("server_id", "a replica server id is 1..4294967295"));
  }
  o.server_id = id > 0 ? static_cast<uint32_t>(id) : DefaultServerId(context.job_name);
  SLUICE_ASSIGN_OR_RETURN(
      o.startup, ParseStartup(options, config.time_zone ? *config.time_zone : context.zone));
  SLUICE_ASSIGN_OR_RETURN(o.snapshot_chunk_rows,
                          options.GetInt("snapshot_chunk_rows", o.snapshot_chunk_rows));
  if (o.snapshot_chunk_rows < 0) {
    return Err(options.ErrorAt("snapshot_chunk_rows", "rows per snapshot chunk are 0 or more"));
  }
  // Tests take MySQL's way (a brief table lock) against MariaDB too.
  if (const char* lock = std::getenv("SLUICE_TEST_SNAPSHOT_BY_LOCK"); lock && *lock == '1') {
    o.snapshot_method = SnapshotMethod::kTableLock;
  }
  return std::make_unique<BinlogStream>(std::move(config), std::move(o), context.zone);
}

BinlogStream::BinlogStream(MysqlConfig config, BinlogStreamOptions options, TimeZone zone)
    : config_(std::move(config)), options_(std::move(options)), zone_(std::move(zone)) {}

BinlogStream::~BinlogStream() {
  CloseReplication();
}

void BinlogStream::CloseReplication() {
  if (event_) mariadb_free_rpl_event(event_);
  event_ = nullptr;
  if (rpl_) mariadb_rpl_close(rpl_);
  rpl_ = nullptr;
  rpl_conn_.Close();
}

Status BinlogStream::Open(const ReadRequest& request) {
  if (!request.where.empty()) {
    return Status::Invalid("{}: `where` is not supported in mode realtime yet", config_.Describe());
  }
  if (!request.columns.empty()) {
    return Status::Invalid(
        "{}: `columns` is not supported in mode realtime yet (all columns "
        "are read; drop columns with a transform)",
        config_.Describe());
  }
  batch_rows_ = std::max<size_t>(1, request.batch_rows);
  request_ = request;
  tables_.clear();
  many_ = false;
  SLUICE_RETURN_IF_ERROR(OpenTable(config_, request));
  SLUICE_RETURN_IF_ERROR(CheckServer());
  return CheckForeignKeyActions(0);
}

Status BinlogStream::OpenTables(const std::vector<Options>& tables, const ReadRequest& request) {
  if (tables.empty()) return Status::Invalid("{}: no table to stream", config_.Describe());
  SLUICE_ASSIGN_OR_RETURN(config_, ParseMysqlConfig(tables[0], /*target=*/false));
  SLUICE_RETURN_IF_ERROR(Open(request));
  for (size_t i = 1; i < tables.size(); ++i) {
    SLUICE_ASSIGN_OR_RETURN(MysqlConfig config, ParseMysqlConfig(tables[i], /*target=*/false));
    SLUICE_RETURN_IF_ERROR(OpenTable(config, request));
  }
  many_ = true;
  return CheckForeignKeyActions(1);
}

// InnoDB carries out ON DELETE/UPDATE CASCADE and SET NULL inside the storage engine, and
// MariaDB (like MySQL before 9) writes only the statement's own rows to the binlog: a child
// row deleted or changed by a cascade is never seen, and its target row would stay as it was.
Status BinlogStream::CheckForeignKeyActions(size_t from) {
  std::string tables;
  for (size_t t = from; t < tables_.size(); ++t) {
    if (tables_[t].config.ignore_foreign_key_actions) continue;
    const MysqlTable& table = tables_[t].reader->table();
    tables += fmt::format("{}({}, {})", tables.empty() ? "" : ", ", QuoteString(table.database),
                          QuoteString(table.name));
  }
  if (tables.empty()) return Status::OK();
  SLUICE_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      conn_.Query(fmt::format(
          "SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, REFERENCED_TABLE_NAME, "
          "DELETE_RULE, UPDATE_RULE FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE "
          "(CONSTRAINT_SCHEMA, TABLE_NAME) IN ({}) AND (DELETE_RULE NOT IN ('RESTRICT', 'NO "
          "ACTION') OR UPDATE_RULE NOT IN ('RESTRICT', 'NO ACTION')) ORDER BY 1, 2, 3",
          tables)));
  if (rows.empty()) return Status::OK();
  const Row& r = rows.front();
  const auto text = [&](size_t i) { return r.size() > i ? r[i].value_or("") : std::string(); };
  const std::string label = text(0) + "." + text(1);
  const bool on_delete = text(4) != "RESTRICT" && text(4) != "NO ACTION";
  return Status::Invalid(
      "{}: its foreign key {} (ON {} {}) changes its rows when {}.{} changes, and the binlog "
      "never shows the rows a cascade changes: the target would keep them as they were. Make "
      "the foreign key RESTRICT, leave the table out (\"!{}\" in `tables:`), or set the "
      "source's foreign_key_actions: ignore to stream it anyway",
      label, text(2), on_delete ? "DELETE" : "UPDATE", on_delete ? text(4) : text(5), text(0),
      text(3), label);
}

Status BinlogStream::OpenTable(const MysqlConfig& config, const ReadRequest& request) {
  // The batch reader resolves the table and maps its types: a realtime read and a batch read
  // of one table agree on the schema.
  Table t;
  t.config = config;
  t.reader = std::make_unique<MysqlSource>(config);
  SLUICE_RETURN_IF_ERROR(t.reader->Open(request));
  // TABLE_MAPs name tables as the catalog does: on a server that keeps `Orders` and `orders`
  // apart, only the one the reader resolved is this table's (the other's changes are not).
  // The binlog logs a view's changes as those of its base tables, under their names: its
  // snapshot would be read and no change of it would ever arrive (found by a probe: exit 0).
  if (t.reader->table().is_view) {
    return Status::Invalid(
        "{}: a view, whose rows change through its base tables: the binlog logs their changes "
        "under their own names, so none would reach this job. Stream the base tables (with "
        "`transforms:` for the view's columns and filter), or copy the view in batch",
        t.reader->table().Label());
  }
  if (t.reader->table().system_versioned) {
    return Status::Invalid(
        "{}: a system-versioned table (WITH SYSTEM VERSIONING) is not streamed yet: its binlog "
        "rows carry its history (a DELETE is logged as an UPDATE of row_end, an UPDATE also "
        "inserts the old row), which a target keyed by the table's key would take for current "
        "rows. Copy it in batch, or leave it out of a `tables:` job (\"!{}\")",
        t.reader->table().Label(), t.reader->table().Label());
  }
  t.config.table = t.reader->table().name;
  t.config.table_exact = !t.reader->table().names_fold;
  t.schema = t.reader->schema();
  // A target that lacks a column (added at the source while a run was down) fills its rows so.
  SLUICE_RETURN_IF_ERROR(ReadAddedDefaults(config, t.schema, 0));
  t.label = t.reader->plan().table_label;
  for (const Field& f : t.schema.fields) {
    t.defs.push_back(CatalogColumnDef(t.reader->table(), f));
  }
  tables_.push_back(std::move(t));
  return Status::OK();
}

bool BinlogStream::ShapeFor(Batch& batch, size_t t) const {
  return ShapeBatchFor(batch, tables_[t].schema, tables_[t].label);
}

std::optional<size_t> BinlogStream::TableOf(const binlog::TableMap& map) const {
  return TableNamed(map.schema, map.table);
}

std::optional<size_t> BinlogStream::TableNamed(std::string_view db, std::string_view table) const {
  for (size_t i = 0; i < tables_.size(); ++i) {
    const MysqlConfig& c = tables_[i].config;
    const bool ours = c.table_exact
                          ? db == c.database && table == c.table
                          : Lower(db) == Lower(c.database) && Lower(table) == Lower(c.table);
    if (ours) return i;
  }
  return std::nullopt;
}

Status BinlogStream::CheckServer() {
  row_options_.zero_date_as_null = config_.zero_date == ZeroDate::kNull;
  row_options_.datetime_zone = config_.time_zone ? &*config_.time_zone : &zone_;

  SLUICE_ASSIGN_OR_RETURN(conn_, Connection::Open(config_.url));
  SLUICE_ASSIGN_OR_RETURN(std::optional<Row> row,
                          conn_.QueryRow("SELECT @@log_bin, @@binlog_format, @@binlog_row_image"));
  if (!row || row->size() < 3) return Status::Internal("server settings query returned no row");
  BinlogSettings s{(*row)[0].value_or(""), (*row)[1].value_or(""), (*row)[2].value_or("")};
  // Column names in TABLE_MAPs, to follow ADD/DROP COLUMN by (MariaDB 10.5+, MySQL 8.0+; older
  // servers have no such variable and no names).
  Result<std::optional<Row>> metadata = conn_.QueryRow("SELECT @@binlog_row_metadata");
  row_metadata_ = metadata && *metadata && !(*metadata)->empty() && (**metadata)[0]
                      ? Lower(*(**metadata)[0])
                      : "";
  return CheckBinlogSettings(s, config_.url.Endpoint());
}

Status BinlogStream::CheckFilters() {
  Result<std::optional<Row>> row = conn_.QueryRow("SHOW MASTER STATUS");
  if (!row) row = conn_.QueryRow("SHOW BINARY LOG STATUS");      // MySQL 8.4 renamed it
  if (!row || !*row || (*row)->size() < 4) return Status::OK();  // ServerEnd says what is wrong
  std::vector<std::string> databases;
  for (const Table& t : tables_) databases.push_back(t.reader->table().database);
  return CheckBinlogFilters((**row)[2].value_or(""), (**row)[3].value_or(""), databases,
                            config_.url.Endpoint());
}

Result<BinlogPosition> BinlogStream::ServerEnd() {
  Result<std::optional<Row>> row = conn_.QueryRow("SHOW MASTER STATUS");
  if (!row) row = conn_.QueryRow("SHOW BINARY LOG STATUS");  // MySQL 8.4 renamed it
  if (!row) return Err(row.error());
  if (!*row || (*row)->size() < 2 || !(**row)[0] || !(**row)[1]) {
    return Err(Status::Invalid("{}: SHOW MASTER STATUS returned nothing: is log_bin on?",
                               config_.url.Endpoint()));
  }
  return BinlogPosition::Parse(*(**row)[0] + ":" + *(**row)[1]);
}

Status BinlogStream::CheckFileExists(const BinlogPosition& from) {
  SLUICE_ASSIGN_OR_RETURN(std::vector<Row> logs, conn_.Query("SHOW BINARY LOGS"));
  for (const Row& r : logs) {
    if (!r.empty() && r[0] && *r[0] == from.file) return Status::OK();
  }
  return Status::Invalid(
      "{}: the committed position {} is in binlog file {}, which the server no longer has "
      "(purged): the changes since then are lost to this job; re-snapshot the table "
      "(startup: initial, or a batch run into a fresh target) and start streaming again",
      config_.Describe(), from.ToString(), from.file);
}

Status BinlogStream::Start(const std::vector<StreamPosition>& resume_from, bool catch_up) {
  return StartTables(std::vector<std::vector<StreamPosition>>(tables_.size(), resume_from),
                     catch_up);
}

Status BinlogStream::StartTables(const std::vector<std::vector<StreamPosition>>& resume_from,
                                 bool catch_up) {
  if (resume_from.size() != tables_.size()) {
    return Status::Internal("{}: positions for {} tables, {} open", config_.Describe(),
                            resume_from.size(), tables_.size());
  }
  SLUICE_RETURN_IF_ERROR(CheckFilters());
  // Each table's own position; the stream starts from the oldest of them.
  std::optional<BinlogPosition> from;
  std::vector<size_t> unplaced;
  for (size_t t = 0; t < tables_.size(); ++t) {
    tables_[t].own.reset();
    for (const StreamPosition& p : resume_from[t]) {
      if (p.stream != kStreamName) continue;
      SLUICE_ASSIGN_OR_RETURN(BinlogPosition parsed, BinlogPosition::Parse(p.position));
      tables_[t].own = std::move(parsed);
    }
    if (!tables_[t].own) {
      unplaced.push_back(t);
    } else if (!from || *tables_[t].own < *from) {
      from = tables_[t].own;
    }
  }
  // Columns dropped at the source before the committed position stay in the schema (NULL).
  for (size_t t = 0; t < tables_.size(); ++t) {
    Table& table = tables_[t];
    const size_t width = table.schema.size();
    SLUICE_RETURN_IF_ERROR(table.follower.tracker().Restore(resume_from[t], table.schema));
    RestorePendingModify(t, resume_from[t]);
    for (size_t i = width; i < table.schema.size(); ++i) {
      const Field& f = table.schema.fields[i];
      table.defs.push_back(binlog::ColumnDef{f.name, f.type, "", {}});
    }
  }
  // A table whose snapshot committed in chunks and was cut short reads on, from its first
  // key not yet written, and the stream applies the changes since the snapshot's position
  // over the rows (core/stream_source.h, AllowSnapshotChunks).
  std::vector<size_t> resumed;
  for (size_t t = 0; t < tables_.size(); ++t) {
    tables_[t].chunked = false;
    tables_[t].resume_low.reset();
    if (!tables_[t].own) continue;
    SLUICE_ASSIGN_OR_RETURN(tables_[t].resume_low, ResumeLow(t, resume_from[t]));
    if (tables_[t].resume_low) resumed.push_back(t);
  }
  snapshot_.reset();
  snapshot_tables_.clear();
  snapshot_ranges_.clear();
  snapshot_chunk_end_ = false;
  snapshot_commit_.reset();
  pending_event_.clear();
  // XA transactions held by an earlier start (a reconnect) are read again from the position.
  xa_collecting_ = false;
  xa_group_.clear();
  xa_prepared_.clear();
  xa_replay_.clear();
  unknown_xa_.reset();
  xa_commit_end_ = BinlogPosition{};
  skip_before_seconds_ = -1;
  std::string gtid;
  if (!unplaced.empty()) {
    // Where the tables without a position begin (several tables: a crash between their
    // first checkpoints left some without one).
    std::optional<BinlogPosition> start;
    switch (options_.startup.kind) {
      case Startup::kInitial: {
        // One consistent snapshot for these and the tables reading on.
        std::vector<size_t> tables = resumed;
        tables.insert(tables.end(), unplaced.begin(), unplaced.end());
        SLUICE_RETURN_IF_ERROR(BeginSnapshot(tables));
        start = snapshot_position_;
        break;
      }
      case Startup::kLatest: {
        SLUICE_ASSIGN_OR_RETURN(start, ServerEnd());
        break;
      }
      case Startup::kBinlog: {
        SLUICE_ASSIGN_OR_RETURN(start, BinlogPosition::Parse(options_.startup.position));
        break;
      }
      case Startup::kGtid: {
        if (from) break;  // some tables have positions: the others read from the oldest
        gtid = options_.startup.position;
        from = BinlogPosition{};  // the server names the file (its first ROTATE)
        break;
      }
      case Startup::kTimestamp: {
        if (from) break;
        // From the oldest file the server has, passing over transactions older than asked.
        SLUICE_ASSIGN_OR_RETURN(from, OldestFileStart());
        skip_before_seconds_ = options_.startup.seconds;
        break;
      }
    }
    for (size_t t : unplaced) tables_[t].own = start;
    if (start && (!from || *start < *from)) from = start;
  }
  if (!resumed.empty() && !snapshot_) SLUICE_RETURN_IF_ERROR(BeginSnapshot(resumed));
  if (gtid.empty()) SLUICE_RETURN_IF_ERROR(CheckFileExists(*from));
  if (catch_up) {
    SLUICE_ASSIGN_OR_RETURN(end_, ServerEnd());
  } else {
    end_.reset();
  }
  committed_ = *from;
  read_to_ = *from;
  file_ = from->file;
  positioned_ = gtid.empty();
  in_txn_ = false;
  txn_rows_out_ = false;
  decoders_.clear();
  table_of_id_.clear();
  stream_from_ = *from;
  if (snapshot_) {
    // The snapshot's rows come first, as one source transaction (see Next); the replication
    // session opens after them, at the snapshot's position.
    in_txn_ = true;
    txn_rows_out_ = true;
    return Status::OK();
  }
  return OpenReplication(*from, gtid);
}

Result<BinlogPosition> BinlogStream::OldestFileStart() {
  SLUICE_ASSIGN_OR_RETURN(std::vector<Row> logs, conn_.Query("SHOW BINARY LOGS"));
  if (logs.empty() || logs[0].empty() || !logs[0][0]) {
    return Err(Status::Invalid("{}: SHOW BINARY LOGS returned no file: is log_bin on?",
                               config_.url.Endpoint()));
  }
  return BinlogPosition{*logs[0][0], 4};  // a file's first event follows its 4-byte magic
}

Status BinlogStream::OpenReplication(const BinlogPosition& from, const std::string& gtid) {
  CloseReplication();
  SLUICE_ASSIGN_OR_RETURN(rpl_conn_, Connection::Open(config_.url));
  // As a replica does: events checksummed as the server writes them, MariaDB's own events
  // (GTID, ANNOTATE_ROWS) rather than their stand-ins, and a heartbeat when idle so a read
  // returns within the Next() budget.
  SLUICE_RETURN_IF_ERROR(rpl_conn_.Exec("SET @master_binlog_checksum = @@global.binlog_checksum"));
  SLUICE_RETURN_IF_ERROR(rpl_conn_.Exec("SET @mariadb_slave_capability = 4"));
  SLUICE_RETURN_IF_ERROR(
      rpl_conn_.Exec(std::string("SET @master_heartbeat_period = ") + kHeartbeatNanos));
  if (!gtid.empty()) {
    // MariaDB starts a dump after this GTID position when the replica sets it (the file and
    // offset of the request are then ignored; the first ROTATE names the file).
    SLUICE_RETURN_IF_ERROR(rpl_conn_.Exec("SET @slave_connect_state = " + QuoteString(gtid)));
    SLUICE_RETURN_IF_ERROR(rpl_conn_.Exec("SET @slave_gtid_strict_mode = 1"));
  }
  SLUICE_ASSIGN_OR_RETURN(std::optional<Row> cs,
                          rpl_conn_.QueryRow("SELECT @master_binlog_checksum"));
  const bool crc = cs && !cs->empty() && (*cs)[0] && Lower(*(*cs)[0]) == "crc32";
  framer_ = binlog::EventFramer();
  framer_.set_checksum(crc ? binlog::ChecksumAlg::kCrc32 : binlog::ChecksumAlg::kOff);

  rpl_ = mariadb_rpl_init(rpl_conn_.get());
  if (!rpl_) return Status::IoError("{}: cannot start a replication session", config_.Describe());
  mariadb_rpl_optionsv(rpl_, MARIADB_RPL_FILENAME, from.file.data(), from.file.size());
  mariadb_rpl_optionsv(rpl_, MARIADB_RPL_START,
                       static_cast<unsigned long>(gtid.empty() ? from.offset : 4));
  mariadb_rpl_optionsv(rpl_, MARIADB_RPL_SERVER_ID, static_cast<unsigned int>(options_.server_id));
  int opened = 0;
  {
    auto busy = rpl_conn_.Busy();
    opened = mariadb_rpl_open(rpl_);
  }
  if (opened != 0) {
    return Status::IoError("{}: COM_BINLOG_DUMP from {} failed: {}", config_.Describe(),
                           gtid.empty() ? from.ToString() : "GTID " + gtid,
                           mysql_error(rpl_conn_.get()));
  }
  return Status::OK();
}

Result<bool> BinlogStream::Next(Batch& batch, RejectSink& rejects) {
  // A row image that does not decode stops the stream: nothing is skipped. (The snapshot's
  // rows are read by the batch reader, which rejects rows as a batch run does.)
  if (snapshot_) return NextSnapshotRows(batch, rejects);
  if (!rpl_) return Err(Status::Internal("BinlogStream::Next before Start"));
  if (ReachedEnd()) return false;
  batch_ended_ = false;
  if (!pending_event_.empty()) {
    // A rows event of another table ended the last batch: it opens this one.
    const std::string event = std::move(pending_event_);
    pending_event_.clear();
    Status st = Handle(event, batch);
    if (!st.ok()) {
      return Err(st.WithContext(fmt::format("{} binlog {}", config_.Describe(), file_)));
    }
  }
  // A committed XA transaction's held rows come before anything read after its commit.
  if (Status st = ReplayXa(batch); !st.ok()) {
    return Err(st.WithContext(fmt::format("{} binlog {}", config_.Describe(), file_)));
  }
  const auto deadline = std::chrono::steady_clock::now() + kNextBudget;
  // A batch ends at a transaction end whenever it can: the server writes a transaction to the
  // binlog whole at commit, so reading on to its end does not wait. Then each checkpoint the
  // runner takes holds whole transactions and their end position. Only a transaction of more
  // than kTxnBatches batches is returned in parts (see the header: its rows may be read again
  // after a crash).
  const size_t txn_cap = batch_rows_ * kTxnBatches;
  while (!batch_ended_ &&
         ((in_txn_ && batch.num_rows() < txn_cap) ||
          (batch.num_rows() < batch_rows_ && std::chrono::steady_clock::now() < deadline))) {
    if (!xa_commit_end_.file.empty()) {
      // An XA COMMIT just read: its held rows first.
      if (Status st = ReplayXa(batch); !st.ok()) {
        return Err(st.WithContext(fmt::format("{} binlog {}", config_.Describe(), file_)));
      }
      if (ReachedEnd()) return false;
      continue;
    }
    Result<const st_mariadb_rpl_event*> fetched = FetchEvent();
    if (!fetched) {
      return Err(fetched.error().WithContext(fmt::format(
          "{}: reading the binlog after {}", config_.Describe(), committed_.ToString())));
    }
    SLUICE_ASSIGN_OR_RETURN(std::string_view bytes, ReplicaEventBytes(**fetched));
    Status st = Handle(bytes, batch);
    if (!st.ok()) {
      return Err(st.WithContext(fmt::format("{} binlog {}", config_.Describe(), file_)));
    }
    if (!unknown_drops_.empty()) SLUICE_RETURN_IF_ERROR(LearnDroppedColumns(batch));
    if (unknown_xa_) SLUICE_RETURN_IF_ERROR(LearnXaPreparedBefore());
    if (ReachedEnd()) return false;
  }
  return true;
}

Result<const st_mariadb_rpl_event*> BinlogStream::FetchEvent() {
  {
    auto busy = rpl_conn_.Busy();
    event_ = mariadb_rpl_fetch(rpl_, event_);
  }
  if (event_) return event_;
  if (mysql_errno(rpl_conn_.get()) == kErrBinlogFatal) {
    return Err(Status::Invalid(
        "the server cannot send the binlog from {} ({}): if the file was purged, the changes "
        "since then are lost to this job; re-snapshot (startup: initial, or a batch run into a "
        "fresh target)",
        committed_.ToString(), mysql_error(rpl_conn_.get())));
  }
  // A stalled or cancelled read says so (LastError); any other failure gives the server's words.
  return Err(rpl_conn_.LastError("mysql"));
}

std::vector<StreamPosition> BinlogStream::TablePositions(size_t table) const {
  // Started by GTID and no event placed yet: nothing to commit (a restart starts by the GTID).
  if (!positioned_) return {};
  // A table whose own position is ahead of the stream's (snapshotted later than the others
  // were checkpointed) holds everything up to it.
  const std::optional<BinlogPosition>& own = tables_[table].own;
  return PositionsAt(table, own && committed_ < *own ? *own : committed_);
}

const Schema& BinlogStream::schema() const {
  static const Schema kNone;
  return tables_.empty() ? kNone : tables_[0].schema;
}

std::vector<StreamPosition> BinlogStream::Positions() const {
  // Started by GTID and no event placed yet: nothing to commit (a restart starts by the GTID).
  if (!positioned_) return {};
  return PositionsAt(0, committed_);
}

std::vector<StreamPosition> BinlogStream::PositionsAt(size_t t, const BinlogPosition& at) const {
  const Table& table = tables_[t];
  std::vector<StreamPosition> out{StreamPosition{kStreamName, at.ToString()}};
  if (table.chunked) {
    // The keys still to read while its snapshot is under way; "" once it is read.
    const bool reading = snapshot_ && snapshot_tables_.front() == t && !snapshot_ranges_.empty();
    out.push_back(StreamPosition{
        kSnapshotProgressStream,
        reading ? SnapshotMarker(table.snapshot_key, snapshot_ranges_.front().low) : ""});
  }
  if (auto dropped = table.follower.tracker().DroppedPosition(table.schema)) {
    out.push_back(*dropped);
  }
  if (!table.modified.empty()) out.push_back(PendingModifyPosition(table));
  return out;
}

StreamPosition BinlogStream::PendingModifyPosition(const Table& table) {
  // The column names, one per line, then an empty line and the statement (for messages).
  std::string text;
  for (const std::string& name : table.modified) text += name + "\n";
  return StreamPosition{StreamSchemaTracker::kModifiedColumnsStream,
                        text + "\n" + table.modified_by};
}

void BinlogStream::RestorePendingModify(size_t t, const std::vector<StreamPosition>& positions) {
  Table& table = tables_[t];
  for (const StreamPosition& p : positions) {
    if (p.stream != StreamSchemaTracker::kModifiedColumnsStream) continue;
    const size_t blank = p.position.find("\n\n");
    if (blank == std::string::npos) continue;
    size_t at = 0;
    while (at <= blank) {
      const size_t end = p.position.find('\n', at);
      table.modified.push_back(p.position.substr(at, end - at));
      at = end + 1;
    }
    table.modified_by = p.position.substr(blank + 2);
    // Its result is judged against the table's last TABLE_MAP before the statement, which is
    // the last one before this start: learned before the stream goes on.
    unknown_drops_.push_back(UnknownDrop{t, {}, true});
  }
}

}  // namespace sluice::mysql::binlog_stream
