// For tests and the benchmark: reads a binlog file to its end, parsing every event this folder
// decodes and decoding every row image (with the caller's column definitions, or ones made
// from each TABLE_MAP), so "the file reads completely" means every byte was understood.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "connectors/mysql/binlog/binlog_file_reader.h"
#include "connectors/mysql/binlog/control_events.h"
#include "connectors/mysql/binlog/row_image_decoder.h"
#include "connectors/mysql/binlog/rows_event.h"
#include "connectors/mysql/binlog/table_map.h"
#include "connectors/mysql/binlog/transaction_payload.h"
#include "core/value_text.h"

namespace sluice::mysql::binlog::testing {

struct FileSummary {
  std::map<std::string, int> events;     // by type name
  std::vector<std::string> queries;      // QUERY texts
  std::vector<std::string> schemas;      // the default schema of each QUERY
  std::vector<std::string> annotations;  // ANNOTATE_ROWS / ROWS_QUERY statements
  std::vector<uint64_t> xids;
  std::string gtid_list;           // the last MariaDB GTID_LIST: "0-1-5,1-2-7"
  std::string rotate_to;           // the last ROTATE: "binlog.000003:4"
  std::vector<std::string> gtids;  // MariaDB and MySQL GTIDs
  // Rows by table ("db.t"): "I|1|abc", "B|...", "A|...", "D|..." (kind, then the values).
  std::map<std::string, std::vector<std::string>> rows;
  int64_t row_count = 0;
  ChecksumAlg checksum = ChecksumAlg::kUndefined;
  std::string server_version;
};

// Column definitions for a table map; return empty to use DefaultColumnDefs.
using DefsFor = std::function<std::vector<ColumnDef>(const TableMap&)>;

struct DecodeFileOptions {
  DefsFor defs;
  RowDecodeOptions row_options;
  bool keep_rows = true;  // false: decode and count only (benchmark)
  bool verify_checksums = true;
};

inline char KindLetter(RowKind k);

// Row `r` of `batch` as "I|1|a": its kind's letter, then each value (NULL as "NULL", an
// unchanged cell as "-").
inline std::string RowLine(const Batch& batch, size_t r) {
  std::string line(1, KindLetter(batch.kind(r)));
  for (const Column& c : batch.columns) {
    line += '|';
    if (c.IsUnchanged(r)) {
      line += "-";
    } else if (c.IsNull(r)) {
      line += "NULL";
    } else {
      FormatValue(c, r, line);
    }
  }
  return line;
}

inline char KindLetter(RowKind k) {
  switch (k) {
    case RowKind::kInsert:
      return 'I';
    case RowKind::kUpdateBefore:
      return 'B';
    case RowKind::kUpdateAfter:
      return 'A';
    case RowKind::kDelete:
      return 'D';
  }
  return '?';
}

inline Status ParseControl(const Event& e, const FormatDescription& f, FileSummary& s,
                           std::string& inflated) {
  switch (e.type()) {
    case EventType::kRotate: {
      SLUICE_ASSIGN_OR_RETURN(RotateEvent r, ParseRotate(e, f));
      s.rotate_to = std::string(r.next_file) + ":" + std::to_string(r.position);
      return Status::OK();
    }
    case EventType::kQuery:
    case EventType::kQueryCompressed: {
      SLUICE_ASSIGN_OR_RETURN(QueryEvent q, ParseQuery(e, f, inflated));
      s.queries.emplace_back(q.sql);
      s.schemas.emplace_back(q.schema);
      return Status::OK();
    }
    case EventType::kXid: {
      SLUICE_ASSIGN_OR_RETURN(XidEvent x, ParseXid(e));
      s.xids.push_back(x.xid);
      return Status::OK();
    }
    case EventType::kMariaGtid: {
      SLUICE_ASSIGN_OR_RETURN(MariaGtidEvent g, ParseMariaGtid(e));
      s.gtids.push_back(g.ToString());
      return Status::OK();
    }
    case EventType::kMariaGtidList: {
      SLUICE_ASSIGN_OR_RETURN(MariaGtidListEvent list, ParseMariaGtidList(e));
      s.gtid_list.clear();
      for (const MariaGtid& g : list.gtids) {
        if (!s.gtid_list.empty()) s.gtid_list += ',';
        s.gtid_list += std::to_string(g.domain_id) + "-" + std::to_string(g.server_id) + "-" +
                       std::to_string(g.sequence);
      }
      return Status::OK();
    }
    case EventType::kMysqlGtid:
    case EventType::kMysqlAnonymousGtid: {
      SLUICE_ASSIGN_OR_RETURN(MysqlGtidEvent g, ParseMysqlGtid(e));
      s.gtids.push_back(g.ToString());
      return Status::OK();
    }
    case EventType::kAnnotateRows:
    case EventType::kRowsQuery: {
      SLUICE_ASSIGN_OR_RETURN(AnnotateRowsEvent a, ParseAnnotateRows(e));
      s.annotations.emplace_back(a.sql);
      return Status::OK();
    }
    case EventType::kHeartbeat:
      return ::sluice::internal::ToStatus(ParseHeartbeat(e));
    default:
      return Status::OK();
  }
}

// Decodes one event (and, for a TRANSACTION_PAYLOAD, the events inside it).
class FileDecoder {
 public:
  explicit FileDecoder(const DecodeFileOptions& options) : options_(options) {}

  Status Handle(const Event& e, const FormatDescription& f, FileSummary& s) {
    s.events[EventTypeName(e.header.type_code)]++;
    SLUICE_RETURN_IF_ERROR(ParseControl(e, f, s, inflated_));
    if (e.type() == EventType::kTransactionPayload) {
      SLUICE_ASSIGN_OR_RETURN(TransactionPayload payload, ParseTransactionPayload(e));
      SLUICE_ASSIGN_OR_RETURN(PayloadEvents inner, PayloadEvents::Open(payload, payload_buffer_));
      while (true) {
        SLUICE_ASSIGN_OR_RETURN(std::optional<Event> next, inner.Next());
        if (!next) break;
        Status st = Handle(*next, f, s);
        if (!st.ok()) return st.WithContext(EventTypeName(next->header.type_code));
      }
    }
    if (e.type() == EventType::kTableMap) {
      SLUICE_ASSIGN_OR_RETURN(TableMap map, ParseTableMap(e, f));
      std::vector<ColumnDef> defs;
      if (options_.defs) defs = options_.defs(map);
      if (defs.empty()) defs = DefaultColumnDefs(map);
      SLUICE_ASSIGN_OR_RETURN(RowImageDecoder d,
                              RowImageDecoder::Make(map, defs, options_.row_options));
      tables_.insert_or_assign(map.table_id, std::pair{std::move(d), Batch(SchemaOf(defs))});
    }
    if (IsRowsEvent(e.type()) || IsUnsupportedRowsEvent(e.type())) {
      SLUICE_ASSIGN_OR_RETURN(RowsEvent rows, ParseRowsEvent(e, f, inflated_));
      auto it = tables_.find(rows.table_id);
      if (it == tables_.end()) {
        return Status::DataError("rows for table id {} without a TABLE_MAP", rows.table_id);
      }
      auto& [decoder, batch] = it->second;
      batch.Clear();
      SLUICE_RETURN_IF_ERROR(decoder.Decode(rows, batch));
      s.row_count += static_cast<int64_t>(batch.num_rows());
      if (options_.keep_rows) AppendRowLines(decoder.table_name(), batch, s);
    }
    return Status::OK();
  }

 private:
  static void AppendRowLines(const std::string& table, const Batch& batch, FileSummary& s) {
    auto& out = s.rows[table];
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      out.push_back(RowLine(batch, r));
    }
  }

  const DecodeFileOptions& options_;
  std::map<uint64_t, std::pair<RowImageDecoder, Batch>> tables_;
  std::string payload_buffer_;
  std::string inflated_;
};

inline Result<FileSummary> DecodeFile(const std::string& path,
                                      const DecodeFileOptions& options = {}) {
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<BinlogFileReader> reader, BinlogFileReader::Open(path));
  reader->mutable_framer().set_verify_checksums(options.verify_checksums);
  FileSummary s;
  FileDecoder decoder(options);
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(std::optional<Event> next, reader->Next());
    if (!next) break;
    const FormatDescription& f = reader->framer().format();
    if (next->type() == EventType::kFormatDescription) {
      s.checksum = f.checksum;
      s.server_version = f.server_version;
    }
    Status st = decoder.Handle(*next, f, s);
    if (!st.ok()) return Err(reader->Locate(st, EventTypeName(next->header.type_code)));
  }
  return s;
}

}  // namespace sluice::mysql::binlog::testing
