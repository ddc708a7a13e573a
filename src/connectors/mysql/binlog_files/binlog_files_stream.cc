#include "connectors/mysql/binlog_files/binlog_files_stream.h"

#include <algorithm>

#include <fmt/ranges.h>

#include "connectors/mysql/binlog/column_def.h"
#include "connectors/mysql/binlog/event_type.h"
#include "connectors/mysql/binlog_files/table_map_scan.h"
#include "connectors/mysql/binlog_stream/ascii_case.h"

namespace sluice::mysql::binlog_files {
namespace {

using binlog_stream::Lower;

// How long Next() reads before it returns a partial batch, and how far past batch_rows it reads
// to reach a transaction end (as the live stream: core/stream_source.h).
constexpr auto kNextBudget = std::chrono::milliseconds(200);
constexpr size_t kTxnBatches = 16;

}  // namespace

Result<std::unique_ptr<StreamSource>> BinlogFilesStream::Make(const Options& options,
                                                              const ConnectorContext& context) {
  // With `tables:` the section names no table; OpenTables gets one section per table.
  SLUICE_ASSIGN_OR_RETURN(BinlogFilesConfig config,
                          ParseBinlogFilesConfig(options, /*need_table=*/false));
  return std::make_unique<BinlogFilesStream>(std::move(config), context.zone);
}

BinlogFilesStream::BinlogFilesStream(BinlogFilesConfig config, TimeZone zone)
    : config_(std::move(config)), zone_(std::move(zone)) {
  row_options_.zero_date_as_null = config_.zero_date == ZeroDate::kNull;
  row_options_.datetime_zone = &zone_;
}

std::string BinlogFilesStream::Describe() const {
  if (tables_.size() > 1) {
    return fmt::format("mysql binlog files ({} tables)", tables_.size());
  }
  return config_.Describe();
}

std::string BinlogFilesStream::StartDescription() const {
  std::string out = fmt::format(
      "reads {} binlog file{} in this order, from the start of the first (or after the committed "
      "position) to the end of the last, then stops:",
      config_.files.size(), config_.files.size() == 1 ? "" : "s");
  for (const std::string& f : config_.files) out += "\n    " + f;
  for (const Table& t : tables_) {
    const std::string key = t.primary_key.empty()
                                ? std::string("no primary key in the binlog")
                                : fmt::format("primary key ({})", fmt::join(t.primary_key, ", "));
    out += fmt::format("\n  {}: columns from its TABLE_MAP at {}, {}", t.label,
                       t.first_map.ToString(config_.files), key);
  }
  return out;
}

const Schema& BinlogFilesStream::schema() const {
  static const Schema kNone;
  return tables_.empty() ? kNone : tables_[0].schema;
}

Status BinlogFilesStream::Open(const ReadRequest& request) {
  if (!request.where.empty()) {
    return Status::Invalid("{}: `where` is not supported with binlog_files", Describe());
  }
  if (!request.columns.empty()) {
    return Status::Invalid(
        "{}: `columns` is not supported with binlog_files (all columns are read; drop "
        "columns with a transform)",
        Describe());
  }
  if (config_.table.empty()) {
    return Status::Invalid("{}: name the table to read with `table: database.table`", Describe());
  }
  batch_rows_ = std::max<size_t>(1, request.batch_rows);
  tables_.clear();
  SLUICE_RETURN_IF_ERROR(AddTable(config_));
  return ReadSchemas();
}

Status BinlogFilesStream::OpenTables(const std::vector<Options>& tables,
                                     const ReadRequest& request) {
  if (tables.empty()) return Status::Invalid("{}: no table to stream", Describe());
  SLUICE_ASSIGN_OR_RETURN(config_, ParseBinlogFilesConfig(tables[0]));
  SLUICE_RETURN_IF_ERROR(Open(request));
  for (size_t i = 1; i < tables.size(); ++i) {
    SLUICE_ASSIGN_OR_RETURN(BinlogFilesConfig config, ParseBinlogFilesConfig(tables[i]));
    SLUICE_RETURN_IF_ERROR(AddTable(config));
  }
  return ReadSchemas();
}

Status BinlogFilesStream::AddTable(const BinlogFilesConfig& config) {
  Table t;
  t.database = config.database;
  t.name = config.table;
  t.exact = config.table_exact;
  t.label = config.database + "." + config.table;
  tables_.push_back(std::move(t));
  return Status::OK();
}

std::optional<size_t> BinlogFilesStream::TableOf(std::string_view db,
                                                 std::string_view table) const {
  for (size_t i = 0; i < tables_.size(); ++i) {
    const Table& t = tables_[i];
    const bool ours = t.exact ? db == t.database && table == t.name
                              : Lower(db) == Lower(t.database) && Lower(table) == Lower(t.name);
    if (ours) return i;
  }
  return std::nullopt;
}

Status BinlogFilesStream::ReadSchemas() {
  size_t missing = 0;
  for (const Table& t : tables_) missing += t.schema.fields.empty() ? 1 : 0;
  if (missing == 0) return Status::OK();
  // A TABLE_MAP of the name as written settles a table; one of the name in another case is
  // taken only when the files hold no map of the exact name and no other case of it (read on
  // to the end of the files to know).
  std::vector<bool> settled(tables_.size(), false);  // a table with a shape already is settled
  for (size_t i = 0; i < tables_.size(); ++i) settled[i] = !tables_[i].schema.fields.empty();
  SLUICE_RETURN_IF_ERROR(ForEachTableMap(config_.files, [&](const TableMapAt& at) -> Result<bool> {
    const std::optional<size_t> found = TableOf(at.map.schema, at.map.table);
    if (!found || settled[*found]) return true;
    Table& t = tables_[*found];
    const bool exact_name = at.map.table == t.name && at.map.schema == t.database;
    if (!exact_name) {
      const CaseVariant variant{at.map.schema, at.map.table};
      const bool known = std::find(t.case_variants.begin(), t.case_variants.end(), variant) !=
                         t.case_variants.end();
      if (!known) t.case_variants.push_back(variant);
      if (!t.schema.fields.empty()) return true;  // the first variant's shape is kept for now
    }
    if (!at.map.has_names && config_.unnamed_columns == UnnamedColumns::kRefuse) {
      return Err(Status::Invalid(
          "table {}: the binlog has no column names for it (the server wrote "
          "binlog_row_metadata=MINIMAL, or is older than MariaDB 10.5 / MySQL 8.0): set "
          "unnamed_columns: positional on the source to read its columns as col_1, col_2, ... "
          "by position",
          at.map.QualifiedName()));
    }
    t.schema.fields.clear();
    t.primary_key.clear();
    t.first_map = FilePosition{at.file_index, at.offset};
    t.defs = binlog::DefaultColumnDefs(at.map);
    for (size_t i = 0; i < t.defs.size(); ++i) {
      if (!at.map.has_names) t.defs[i].name = "col_" + std::to_string(i + 1);
      t.schema.fields.push_back(Field{t.defs[i].name, t.defs[i].type});
    }
    for (uint32_t k : at.map.primary_key) {
      if (k < t.defs.size()) t.primary_key.push_back(t.defs[k].name);
    }
    if (!exact_name) return true;
    t.exact = true;  // the other cases are other tables
    settled[*found] = true;
    return --missing > 0;
  }));
  for (size_t i = 0; i < tables_.size(); ++i) {
    Table& t = tables_[i];
    if (settled[i] || t.case_variants.empty()) continue;
    if (t.case_variants.size() > 1) {
      std::string names;
      for (const CaseVariant& v : t.case_variants) {
        names += (names.empty() ? "" : ", ") + v.database + "." + v.name;
      }
      return Status::Invalid(
          "{}: table {} is not in the binlog files under that name, and several tables differ "
          "from it only by case ({}): name one exactly",
          Describe(), t.label, names);
    }
    t.database = t.case_variants.front().database;
    t.name = t.case_variants.front().name;
    t.exact = true;
  }
  for (const Table& t : tables_) {
    if (!t.schema.fields.empty()) continue;
    return Status::Invalid(
        "{}: table {} has no rows in the binlog files (no TABLE_MAP of it in {} file{}), so "
        "its columns are unknown",
        Describe(), t.label, config_.files.size(), config_.files.size() == 1 ? "" : "s");
  }
  return Status::OK();
}

bool BinlogFilesStream::ShapeFor(Batch& batch, size_t t) const {
  return binlog_stream::ShapeBatchFor(batch, tables_[t].schema, tables_[t].label);
}

Status BinlogFilesStream::Start(const std::vector<StreamPosition>& resume_from, bool catch_up) {
  return StartTables(std::vector<std::vector<StreamPosition>>(tables_.size(), resume_from),
                     catch_up);
}

Status BinlogFilesStream::StartTables(const std::vector<std::vector<StreamPosition>>& resume_from,
                                      bool catch_up) {
  // Files do not grow: a run ends at the end of the last file whether or not it catches up.
  (void)catch_up;
  if (resume_from.size() != tables_.size()) {
    return Status::Internal("{}: positions for {} tables, {} open", Describe(), resume_from.size(),
                            tables_.size());
  }
  // Each table's own position; the stream starts at the oldest of them, or at the start of
  // the first file when a table has none.
  std::optional<FilePosition> from;
  bool unplaced = false;
  for (size_t t = 0; t < tables_.size(); ++t) {
    Table& table = tables_[t];
    table.own.reset();
    for (const StreamPosition& p : resume_from[t]) {
      if (p.stream != kStreamName) continue;
      Result<FilePosition> parsed = FilePosition::Parse(p.position, config_.files);
      if (!parsed) return parsed.error().WithContext(Describe());
      table.own = *parsed;
    }
    if (!table.own) {
      unplaced = true;
    } else if (!from || *table.own < *from) {
      from = table.own;
    }
    // Columns dropped before the committed position stay in the schema (NULL).
    const size_t width = table.schema.size();
    SLUICE_RETURN_IF_ERROR(table.follower.tracker().Restore(resume_from[t], table.schema));
    for (size_t i = width; i < table.schema.size(); ++i) {
      const Field& f = table.schema.fields[i];
      table.defs.push_back(binlog::ColumnDef{f.name, f.type, "", {}});
    }
  }
  if (unplaced || !from) from = FilePosition{0, binlog::kBinlogMagic.size()};
  decoders_.clear();
  table_of_id_.clear();
  pending_.reset();
  payload_.reset();
  in_txn_ = false;
  txn_rows_ = false;
  done_ = false;
  committed_ = *from;
  return OpenFile(from->index, from->offset);
}

Status BinlogFilesStream::OpenFile(size_t index, uint64_t offset) {
  reader_.reset();
  payload_.reset();
  file_index_ = index;
  SLUICE_ASSIGN_OR_RETURN(reader_, binlog::BinlogFileReader::Open(config_.files[index]));
  if (offset > binlog::kBinlogMagic.size()) SLUICE_RETURN_IF_ERROR(reader_->SeekTo(offset));
  return Status::OK();
}

Result<std::optional<binlog::Event>> BinlogFilesStream::NextEvent() {
  if (payload_) {
    Result<std::optional<binlog::Event>> inner = payload_->Next();
    if (!inner) return Err(reader_->Locate(inner.error(), "TRANSACTION_PAYLOAD"));
    if (*inner) return inner;
    payload_.reset();
    // The payload's end: a transaction end when its XID closed it.
    if (!in_txn_) committed_ = FilePosition{file_index_, reader_->next_offset()};
  }
  return reader_->Next();
}

Result<bool> BinlogFilesStream::Next(Batch& batch, RejectSink& rejects) {
  (void)rejects;  // a row image that does not decode stops the stream: nothing is skipped
  if (!reader_) return Err(Status::Internal("BinlogFilesStream::Next before Start"));
  if (done_) return false;
  batch_ended_ = false;
  if (pending_) {
    // A rows event of another table ended the last batch: it opens this one.
    const PendingEvent p = std::move(*pending_);
    pending_.reset();
    const std::string_view bytes(p.bytes);
    SLUICE_RETURN_IF_ERROR(
        Handle(binlog::Event{p.header, bytes, bytes.substr(p.body_offset, p.body_size)}, batch));
    // A parked TRUNCATE is a statement of its own: its end is a boundary (the reader stands
    // there, having read nothing after it).
    if (!in_txn_ && !payload_) committed_ = FilePosition{file_index_, reader_->next_offset()};
  }
  const auto deadline = std::chrono::steady_clock::now() + kNextBudget;
  const size_t txn_cap = batch_rows_ * kTxnBatches;
  while (!batch_ended_ &&
         ((in_txn_ && batch.num_rows() < txn_cap) ||
          (batch.num_rows() < batch_rows_ && std::chrono::steady_clock::now() < deadline))) {
    SLUICE_ASSIGN_OR_RETURN(std::optional<binlog::Event> e, NextEvent());
    if (!e) {
      if (in_txn_) {
        return Err(Status::DataError(
            "{}: binlog {}: the file ends at byte offset {} inside the transaction that begins "
            "at byte offset {} (truncated?): its rows are not applied",
            Describe(), reader_->path(), reader_->next_offset(), txn_start_.offset));
      }
      if (file_index_ + 1 == config_.files.size()) {
        done_ = true;
        return false;
      }
      SLUICE_RETURN_IF_ERROR(OpenFile(file_index_ + 1, binlog::kBinlogMagic.size()));
      committed_ = FilePosition{file_index_, binlog::kBinlogMagic.size()};
      continue;
    }
    const bool outer = !payload_;
    SLUICE_RETURN_IF_ERROR(Handle(*e, batch));
    // Outside a transaction every event's end is a boundary (after XID/COMMIT, a standalone
    // statement, a file's FORMAT_DESCRIPTION). A payload's inner events end inside it: its
    // end is placed when NextEvent finishes it.
    if (outer && !payload_ && !in_txn_ && !batch_ended_) {
      committed_ = FilePosition{file_index_, reader_->next_offset()};
    }
  }
  return true;
}

std::vector<StreamPosition> BinlogFilesStream::Positions() const {
  return PositionsAt(0, committed_);
}

std::vector<StreamPosition> BinlogFilesStream::TablePositions(size_t table) const {
  const std::optional<FilePosition>& own = tables_[table].own;
  return PositionsAt(table, own && committed_ < *own ? *own : committed_);
}

std::vector<StreamPosition> BinlogFilesStream::PositionsAt(size_t t, const FilePosition& at) const {
  const Table& table = tables_[t];
  std::vector<StreamPosition> out{StreamPosition{kStreamName, at.ToString(config_.files)}};
  if (auto dropped = table.follower.tracker().DroppedPosition(table.schema)) {
    out.push_back(*dropped);
  }
  return out;
}

Status BinlogFilesStream::Locate(const Status& error, const binlog::Event& e) const {
  if (payload_) {
    return reader_->Locate(error.WithContext(fmt::format(
                               "{} event inside", binlog::EventTypeName(e.header.type_code))),
                           "TRANSACTION_PAYLOAD");
  }
  return reader_->Locate(error, binlog::EventTypeName(e.header.type_code));
}

}  // namespace sluice::mysql::binlog_files
