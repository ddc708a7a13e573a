#include "connectors/mysql/binlog_stream/binlog_stream.h"

#include <mariadb_rpl.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

#include "connectors/mysql/binlog/control_events.h"
#include "connectors/mysql/binlog/rows_event.h"
#include "connectors/mysql/binlog/table_map.h"
#include "connectors/mysql/binlog_stream/ddl_statement.h"
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

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

uint32_t Le32(const unsigned char* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

// libmariadb keeps the packet's leading OK byte in raw_data on some versions: the event starts
// where its own size field (header bytes 9..12) matches what is left.
Result<std::string_view> EventBytes(const MARIADB_RPL_EVENT& ev) {
  const auto* raw = ev.raw_data;
  const size_t size = ev.raw_data_size;
  for (size_t skip : {size_t{0}, size_t{1}}) {
    if (raw && size >= skip + 19 && Le32(raw + skip + 9) == size - skip) {
      return std::string_view(reinterpret_cast<const char*>(raw) + skip, size - skip);
    }
  }
  return Err(Status::DataError("replication packet of {} bytes does not hold one event", size));
}

bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// Whether `name` occurs in `sql` as a whole identifier (both lower case), bare or quoted.
bool NamesIdentifier(std::string_view sql, std::string_view name) {
  for (size_t at = sql.find(name); at != std::string_view::npos; at = sql.find(name, at + 1)) {
    const size_t end = at + name.size();
    if ((at == 0 || !IsIdentChar(sql[at - 1])) && (end == sql.size() || !IsIdentChar(sql[end]))) {
      return true;
    }
  }
  return false;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  return out;
}

bool IsTxnWord(std::string_view sql, std::string_view word) {
  return sql.size() == word.size() && Lower(sql) == Lower(word);
}

}  // namespace

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
  // The batch reader resolves the table and maps its types: a realtime read and a batch read
  // of one table agree on the schema.
  table_reader_ = std::make_unique<MysqlSource>(config_);
  SLUICE_RETURN_IF_ERROR(table_reader_->Open(request));
  schema_ = table_reader_->schema();
  table_label_ = table_reader_->plan().table_label;
  defs_.clear();
  for (const Field& f : schema_.fields) defs_.push_back(binlog::ColumnDef{f.name, f.type, "", {}});
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
  std::optional<BinlogPosition> from;
  for (const StreamPosition& p : resume_from) {
    if (p.stream != kStreamName) continue;
    SLUICE_ASSIGN_OR_RETURN(BinlogPosition parsed, BinlogPosition::Parse(p.position));
    from = std::move(parsed);
  }
  // Columns dropped at the source before the committed position stay in the schema (NULL).
  const size_t width = schema_.size();
  SLUICE_RETURN_IF_ERROR(follower_.tracker().Restore(resume_from, schema_));
  for (size_t i = width; i < schema_.size(); ++i) {
    defs_.push_back(binlog::ColumnDef{schema_.fields[i].name, schema_.fields[i].type, "", {}});
  }
  snapshot_.reset();
  skip_before_seconds_ = -1;
  std::string gtid;
  if (!from) {
    switch (options_.startup.kind) {
      case Startup::kInitial: {
        SLUICE_RETURN_IF_ERROR(BeginSnapshot());
        from = snapshot_position_;
        break;
      }
      case Startup::kLatest: {
        SLUICE_ASSIGN_OR_RETURN(from, ServerEnd());
        break;
      }
      case Startup::kBinlog: {
        SLUICE_ASSIGN_OR_RETURN(from, BinlogPosition::Parse(options_.startup.position));
        break;
      }
      case Startup::kGtid: {
        gtid = options_.startup.position;
        from = BinlogPosition{};  // the server names the file (its first ROTATE)
        break;
      }
      case Startup::kTimestamp: {
        // From the oldest file the server has, passing over transactions older than asked.
        SLUICE_ASSIGN_OR_RETURN(from, OldestFileStart());
        skip_before_seconds_ = options_.startup.seconds;
        break;
      }
    }
  }
  if (gtid.empty()) SLUICE_RETURN_IF_ERROR(CheckFileExists(*from));
  if (catch_up) {
    SLUICE_ASSIGN_OR_RETURN(end_, ServerEnd());
  } else {
    end_.reset();
  }
  committed_ = *from;
  file_ = from->file;
  positioned_ = gtid.empty();
  in_txn_ = false;
  decoders_.clear();
  if (snapshot_) {
    // The snapshot's rows come first, as one source transaction (see Next); the replication
    // session opens after them, at the snapshot's position.
    in_txn_ = true;
    return Status::OK();
  }
  return OpenReplication(*from, gtid);
}

Status BinlogStream::BeginSnapshot() {
  SLUICE_ASSIGN_OR_RETURN(ConsistentSnapshot snap,
                          BeginConsistentSnapshot(config_.url, conn_, table_reader_->QuotedTable(),
                                                  options_.snapshot_method));
  snapshot_position_ = snap.position;
  SLUICE_ASSIGN_OR_RETURN(snapshot_, MysqlSplitReader::Open(table_reader_->plan(), KeyRange{}, 0,
                                                            std::move(snap.reader)));
  return Status::OK();
}

Result<bool> BinlogStream::NextSnapshotRows(Batch& batch, RejectSink& rejects) {
  SLUICE_ASSIGN_OR_RETURN(bool more, snapshot_->Next(batch, rejects));
  batch.snapshot = true;
  batch.source_table = table_label_;
  if (more) return true;
  // The table is read: its transaction ends (the reader closes its connection), and the
  // changes after the snapshot's position follow. Until here InTransaction() was true, so
  // the whole snapshot lands in the target in one transaction with this position.
  snapshot_.reset();
  in_txn_ = false;
  committed_ = snapshot_position_;
  file_ = committed_.file;
  SLUICE_RETURN_IF_ERROR(OpenReplication(committed_));
  return !ReachedEnd();
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
  if (mariadb_rpl_open(rpl_) != 0) {
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
  const auto deadline = std::chrono::steady_clock::now() + kNextBudget;
  // A batch ends at a transaction end whenever it can: the server writes a transaction to the
  // binlog whole at commit, so reading on to its end does not wait. Then each checkpoint the
  // runner takes holds whole transactions and their end position. Only a transaction of more
  // than kTxnBatches batches is returned in parts (see the header: its rows may be read again
  // after a crash).
  const size_t txn_cap = batch_rows_ * kTxnBatches;
  while ((in_txn_ && batch.num_rows() < txn_cap) ||
         (batch.num_rows() < batch_rows_ && std::chrono::steady_clock::now() < deadline)) {
    event_ = mariadb_rpl_fetch(rpl_, event_);
    if (!event_) {
      const unsigned code = mysql_errno(rpl_conn_.get());
      const std::string why = mysql_error(rpl_conn_.get());
      if (code == kErrBinlogFatal) {
        return Err(Status::Invalid(
            "{}: the server cannot send the binlog from {} ({}): if the file was purged, the "
            "changes since then are lost to this job; re-snapshot (startup: initial, or a "
            "batch run into a fresh target)",
            config_.Describe(), committed_.ToString(), why));
      }
      return Err(Status::IoError("{}: reading the binlog after {}: {}", config_.Describe(),
                                 committed_.ToString(), why.empty() ? "connection closed" : why));
    }
    SLUICE_ASSIGN_OR_RETURN(std::string_view bytes, EventBytes(*event_));
    Status st = Handle(bytes, batch);
    if (!st.ok()) {
      return Err(st.WithContext(fmt::format("{} binlog {}", config_.Describe(), file_)));
    }
    if (ReachedEnd()) return false;
  }
  return true;
}

Status BinlogStream::Handle(std::string_view bytes, Batch& batch) {
  SLUICE_ASSIGN_OR_RETURN(binlog::Event e, framer_.Frame(bytes));
  const binlog::FormatDescription& f = framer_.format();
  const binlog::EventType type = e.type();
  if (type == binlog::EventType::kHeartbeat || type == binlog::EventType::kHeartbeatV2) {
    if (!in_txn_) lag_ms_ = 0;  // the server has nothing newer
    // A stream started by GTID learns its file:offset from the first real event; with none
    // after the GTID, the heartbeat (sent once everything is sent) says where the file ends.
    if (!in_txn_ && !positioned_ && !file_.empty() && e.header.log_pos != 0) {
      committed_ = BinlogPosition{file_, e.header.log_pos};
      positioned_ = true;
    }
    return Status::OK();
  }
  // startup: timestamp: the first transaction (or statement) at or after the time ends the
  // skipping; this event is its first, as nothing is open.
  if (skip_before_seconds_ >= 0 && !in_txn_ && e.header.timestamp != 0 &&
      int64_t{e.header.timestamp} >= skip_before_seconds_) {
    skip_before_seconds_ = -1;
  }
  if (e.header.timestamp != 0) {
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    lag_ms_ = std::max<int64_t>(0, now_ms - int64_t{e.header.timestamp} * 1000);
  }
  switch (type) {
    case binlog::EventType::kRotate: {
      SLUICE_ASSIGN_OR_RETURN(binlog::RotateEvent r, binlog::ParseRotate(e, f));
      file_ = std::string(r.next_file);
      // A file ends between transactions: its start is a boundary too. (Not for a stream
      // started by GTID: the server's first ROTATE names the file, but not where in it.)
      if (!in_txn_ && positioned_) committed_ = BinlogPosition{file_, r.position};
      return Status::OK();
    }
    case binlog::EventType::kMariaGtid: {
      SLUICE_ASSIGN_OR_RETURN(binlog::MariaGtidEvent g, binlog::ParseMariaGtid(e));
      in_txn_ = !g.standalone();
      break;
    }
    case binlog::EventType::kQuery:
      SLUICE_RETURN_IF_ERROR(HandleQuery(e));
      break;
    case binlog::EventType::kXid:
      in_txn_ = false;
      break;
    case binlog::EventType::kTableMap: {
      SLUICE_ASSIGN_OR_RETURN(binlog::TableMap map, binlog::ParseTableMap(e, f));
      const bool ours = config_.table_exact
                            ? map.schema == config_.database && map.table == config_.table
                            : Lower(map.schema) == Lower(config_.database) &&
                                  Lower(map.table) == Lower(config_.table);
      if (!ours) {
        decoders_.erase(map.table_id);
        break;
      }
      const size_t width = schema_.size();
      SLUICE_ASSIGN_OR_RETURN(
          binlog::RowImageDecoder d,
          follower_.Decoder(
              map, table_label_,
              [this](const binlog::TableMap& m, size_t i) { return DefineNewColumn(m, i); },
              row_options_, schema_, defs_, batch));
      if (schema_.size() != width) decoders_.clear();  // decoders of the old shape
      decoders_.insert_or_assign(map.table_id, std::move(d));
      break;
    }
    case binlog::EventType::kTransactionPayload:
      // Skipping it would skip its rows: refuse rather than lose them.
      return Status::Invalid(
          "a compressed transaction (MySQL binlog_transaction_compression=ON) is not read in "
          "realtime yet: set binlog_transaction_compression=OFF");
    default:
      if (binlog::IsRowsEvent(type) || binlog::IsUnsupportedRowsEvent(type)) {
        SLUICE_ASSIGN_OR_RETURN(binlog::RowsEvent rows, binlog::ParseRowsEvent(e, f));
        auto it = decoders_.find(rows.table_id);
        if (it != decoders_.end() && skip_before_seconds_ < 0) {
          SLUICE_RETURN_IF_ERROR(it->second.Decode(rows, batch));
          // For change-event targets: the table, and the event's time (whole seconds: the
          // statement's start on the server, the closest the binlog has to a commit time).
          batch.source_table = table_label_;
          batch.commit_millis.resize(batch.num_rows(), int64_t{e.header.timestamp} * 1000);
        }
      }
      break;
  }
  // Outside a transaction every event's end is a boundary (after XID/COMMIT, a standalone
  // statement, the FORMAT_DESCRIPTION and GTID_LIST of a new file). log_pos 0 marks events the
  // server made up for this session (the FORMAT_DESCRIPTION it resends).
  if (!in_txn_ && e.header.log_pos != 0) {
    committed_ = BinlogPosition{file_, e.header.log_pos};
    positioned_ = true;
  }
  return Status::OK();
}

Status BinlogStream::HandleQuery(const binlog::Event& e) {
  SLUICE_ASSIGN_OR_RETURN(binlog::QueryEvent q, binlog::ParseQuery(e, framer_.format()));
  if (IsTxnWord(q.sql, "BEGIN")) {
    in_txn_ = true;
    return Status::OK();
  }
  if (IsTxnWord(q.sql, "COMMIT") || IsTxnWord(q.sql, "ROLLBACK")) {
    in_txn_ = false;
    return Status::OK();
  }
  if (skip_before_seconds_ >= 0) return Status::OK();  // before the startup time
  // Any other statement is DDL (or statement-logged DML, refused by binlog_format=ROW).
  const std::string sql = Lower(q.sql);
  const std::string table = Lower(config_.table);
  const bool names_table = NamesIdentifier(sql, table);
  const bool in_db =
      Lower(q.schema) == Lower(config_.database) || NamesIdentifier(sql, Lower(config_.database));
  if (names_table && in_db) return HandleTableDdl(q.sql);
  return Status::OK();
}

Status BinlogStream::HandleTableDdl(std::string_view sql) {
  // Added and dropped columns are followed by the names of the next TABLE_MAP
  // (table_map_follower.h); any other change stops the stream before a row is decoded against
  // a changed shape.
  if (ClassifyTableDdl(sql) != TableDdl::kAddDropColumns) {
    return Status::Invalid(
        "{}: the table's definition changed in the binlog ({}): only ADD COLUMN and DROP "
        "COLUMN are followed; re-snapshot the table and start a new job",
        table_label_, sql);
  }
  if (row_metadata_ != "full") {
    return Status::Invalid(
        "{}: a column was added or dropped at the source ({}), but the server writes "
        "binlog_row_metadata={}: the binlog has no column names to follow it by; set "
        "binlog_row_metadata=FULL (SET GLOBAL binlog_row_metadata=FULL, and in the server's "
        "configuration) before changing the table, and re-snapshot the job",
        table_label_, sql, row_metadata_.empty() ? "(not supported)" : Upper(row_metadata_));
  }
  follower_.NoteColumnDdl();
  return Status::OK();
}

Result<std::pair<Field, binlog::ColumnDef>> BinlogStream::DefineNewColumn(
    const binlog::TableMap& map, size_t index) {
  const binlog::TableMapColumn& column = map.columns[index];
  // As the catalog types the column now, as Open typed the others (so a batch read agrees),
  // when its binlog type still fits that; a column dropped since has only the binlog's type.
  MysqlSource catalog(config_);
  if (catalog.Open(request_).ok()) {
    for (const Field& f : catalog.schema().fields) {
      if (Lower(f.name) != Lower(column.name)) continue;
      binlog::ColumnDef def{f.name, f.type, "", {}};
      if (binlog::PlanColumn(column, def, row_options_)) return std::make_pair(f, def);
    }
  }
  binlog::ColumnDef def = binlog::DefaultColumnDefs(map)[index];
  return std::make_pair(Field{def.name, def.type}, def);
}

std::vector<StreamPosition> BinlogStream::Positions() const {
  // Started by GTID and no event placed yet: nothing to commit (a restart starts by the GTID).
  if (!positioned_) return {};
  std::vector<StreamPosition> out{StreamPosition{kStreamName, committed_.ToString()}};
  if (auto dropped = follower_.tracker().DroppedPosition(schema_)) out.push_back(*dropped);
  return out;
}

}  // namespace sluice::mysql::binlog_stream
