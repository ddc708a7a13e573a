// BinlogStream::LearnDroppedColumns (binlog_stream.h): a DROP COLUMN of a column the run never
// saw, because it started between the column's last TABLE_MAP and the statement, after the
// catalog had lost it. The column's last TABLE_MAP before the stream's start says what it was.
// Likewise a table swapped in under a table's name when the run read no TABLE_MAP of the old
// one: its last TABLE_MAP before the start is what the new table is checked against.
#include "connectors/mysql/binlog_stream/binlog_stream.h"

#include <mariadb_rpl.h>
#include <spdlog/spdlog.h>

#include "connectors/mysql/binlog/control_events.h"
#include "connectors/mysql/binlog/table_map.h"

namespace sluice::mysql::binlog_stream {
namespace {

constexpr size_t kLookbackFiles = 4;  // older binlog files read for a table's last TABLE_MAP

}  // namespace

std::vector<std::string> BinlogStream::FilesBeforeStart() {
  Result<std::vector<Row>> logs = conn_.Query("SHOW BINARY LOGS");
  std::vector<std::string> older;
  for (const Row& row : logs ? *logs : std::vector<Row>{}) {
    if (row.empty() || !row[0]) continue;
    if (*row[0] == stream_from_.file) break;
    older.insert(older.begin(), *row[0]);
  }
  return older;
}

Status BinlogStream::ReadTableMapsBefore(const BinlogPosition& end,
                                         const std::vector<UnknownDrop>& drops,
                                         std::map<size_t, binlog::TableMap>& last) {
  SLUICE_RETURN_IF_ERROR(OpenReplication(BinlogPosition{end.file, 4}));
  while (true) {
    Result<const st_mariadb_rpl_event*> fetched = FetchEvent();
    if (!fetched) {
      return fetched.error().WithContext(
          fmt::format("reading {} up to {}", end.file, end.ToString()));
    }
    SLUICE_ASSIGN_OR_RETURN(std::string_view bytes, ReplicaEventBytes(**fetched));
    SLUICE_ASSIGN_OR_RETURN(binlog::Event e, framer_.Frame(bytes));
    const binlog::EventType type = e.type();
    if (type == binlog::EventType::kHeartbeat || type == binlog::EventType::kHeartbeatV2) continue;
    // The file ends: at its ROTATE, at a STOP (a server shut down), or when the server moves on
    // to the next file (the ROTATE it makes up names it). The session's first, made-up ROTATE
    // names this file.
    if (type == binlog::EventType::kStop) return Status::OK();
    if (type == binlog::EventType::kRotate) {
      SLUICE_ASSIGN_OR_RETURN(binlog::RotateEvent r, binlog::ParseRotate(e, framer_.format()));
      if (e.header.log_pos != 0 || r.next_file != end.file) return Status::OK();
      continue;
    }
    // Other events made up for this session (log_pos 0) are not the file's.
    if (e.header.log_pos == 0) continue;
    if (e.header.log_pos > end.offset) return Status::OK();
    if (type == binlog::EventType::kTableMap) {
      SLUICE_ASSIGN_OR_RETURN(binlog::TableMap map, binlog::ParseTableMap(e, framer_.format()));
      const std::optional<size_t> t = TableOf(map);
      for (const UnknownDrop& d : drops) {
        if (t && *t == d.table) last.insert_or_assign(*t, map);
      }
    }
    if (e.header.log_pos == end.offset) return Status::OK();
  }
}

Status BinlogStream::LearnDroppedColumns(Batch& batch) {
  const std::vector<UnknownDrop> drops = std::move(unknown_drops_);
  unknown_drops_.clear();
  // The statement is outside any transaction: the stream resumes right after it.
  const BinlogPosition resume = committed_;
  std::map<size_t, binlog::TableMap> last;
  Status read =
      stream_from_.offset > 4 ? ReadTableMapsBefore(stream_from_, drops, last) : Status::OK();
  // A table quiet in the start's file: the files before it, newest first, a few at most (each
  // is read whole).
  const std::vector<std::string> older = FilesBeforeStart();
  for (size_t k = 0; read.ok() && k < older.size() && k < kLookbackFiles; ++k) {
    std::vector<UnknownDrop> missing;
    for (const UnknownDrop& d : drops) {
      if (!last.count(d.table)) missing.push_back(d);
    }
    if (missing.empty()) break;
    read = ReadTableMapsBefore(BinlogPosition{older[k], UINT64_MAX}, missing, last);
  }
  SLUICE_RETURN_IF_ERROR(OpenReplication(resume));
  for (const UnknownDrop& d : drops) {
    Table& table = tables_[d.table];
    auto found = last.find(d.table);
    if (d.swap) {
      if (found == last.end()) {
        const std::string what =
            table.swapped_in_by.empty()
                ? fmt::format("a column was modified ({})", table.modified_by)
                : fmt::format("another table was swapped in under the table's name ({})",
                              table.swapped_in_by);
        return Status::Invalid(
            "{}: {}, and this run cannot check what became of its columns' types and its "
            "primary key: it started after the table's last change before that, and its "
            "binlog file and the {} before it hold no TABLE_MAP of it{}; re-snapshot the table "
            "into a fresh target",
            table.label, what, kLookbackFiles,
            read.ok()
                ? ""
                : fmt::format(" ({} could not be read: {})", stream_from_.file, read.message()));
      }
      table.last_map = found->second;
      continue;
    }
    if (found == last.end()) {
      spdlog::warn(
          "{}: the binlog drops column(s) {} that this run never read (it started after their "
          "last change, the table no longer has them, and its binlog file and the {} before it "
          "hold no TABLE_MAP of it){}: rows changed from now on keep their old values there in "
          "the target instead of NULL",
          table.label, fmt::join(d.columns, ", "), kLookbackFiles,
          read.ok()
              ? ""
              : fmt::format(" and {} could not be read ({})", stream_from_.file, read.message()));
      continue;
    }
    // As if that TABLE_MAP had been read: the columns it has and the schema lacks join it,
    // typed as the binlog has them (the catalog no longer does), then the statement drops them.
    spdlog::info(
        "{}: column(s) {} are dropped by the binlog; learned from the table's last TABLE_MAP "
        "before {}",
        table.label, fmt::join(d.columns, ", "), stream_from_.ToString());
    Batch other;
    Batch& widened = batch.num_rows() > 0 && batch.source_table != table.label ? other : batch;
    const size_t t = d.table;
    SLUICE_ASSIGN_OR_RETURN(
        binlog::RowImageDecoder unused,
        table.follower.Decoder(
            found->second, table.label,
            [this, t](const binlog::TableMap& m, size_t i) { return DefineNewColumn(t, m, i); },
            row_options_, table.schema, table.defs, widened));
    (void)unused;
    table.follower.NoteColumnDdl(table.label, table.schema, d.columns);
  }
  return Status::OK();
}

}  // namespace sluice::mysql::binlog_stream
