// TableMapFollower: maps each TABLE_MAP of the streamed table onto the stream's schema BY NAME,
// so a realtime job follows ALTER TABLE ... ADD/DROP COLUMN at the source
// (core/stream_source.h, schema_version()).
//
// A TABLE_MAP precedes the rows events of every transaction and carries the column names when
// the server writes binlog_row_metadata=FULL (MariaDB 10.5+, MySQL 8.0+), so every row decodes
// against the shape it was written with, also after a restart from a position before the DDL
// (when the table's current shape, read at Open, is the new one):
//   - a column the schema lacks: appended to the schema and to the batch being filled (NULL for
//     the rows already in it), typed as the catalog types it now, else from the TABLE_MAP;
//   - a schema column the TABLE_MAP lacks (DROP COLUMN): NULL from now on, warned once;
//   - unless it was never in a TABLE_MAP of this run (nor dropped): then it is a column added
//     after these rows were written (a run started before an ADD COLUMN it has yet to read),
//     and the rows take its ADD's constant default, as they did at the source
//     (StreamSchemaTracker::NoteMetadata);
//   - a TABLE_MAP without names is decoded by position only while it has the schema's column
//     count and no ADD/DROP COLUMN was seen; otherwise it is an error saying to set
//     binlog_row_metadata=FULL: a changed column list is never mapped by guessing.
// Which DDL is followed at all is decided on the statement (ddl_statement.h).
//
// Owned by BinlogStream, used on its thread.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "connectors/mysql/binlog/column_def.h"
#include "connectors/mysql/binlog/row_image_decoder.h"
#include "connectors/mysql/binlog/table_map.h"
#include "core/batch.h"
#include "core/schema.h"
#include "core/schema_change.h"
#include "core/status.h"

namespace sluice::mysql::binlog_stream {

class TableMapFollower {
 public:
  // The field and decoding definition of the TABLE_MAP's column `index`, new to the stream.
  using DefineColumn =
      std::function<Result<std::pair<Field, binlog::ColumnDef>>(const binlog::TableMap&, size_t)>;

  // An ADD/DROP COLUMN of the table was seen: from now on TABLE_MAPs must carry names. The
  // `dropped` columns (ClassifyTableDdl's) are known as dropped from this statement on, not
  // only from the table's next TABLE_MAP: a checkpoint in between must carry them
  // (core/schema_change.h), or a run restarted from there would not know them and leave their
  // old values in place.
  void NoteColumnDdl(const std::string& label, Schema& schema,
                     const std::vector<std::string>& dropped);
  // Columns (by name, any case) a MODIFY widened, with their new types: the next Decoder
  // gives them those (StreamSchemaTracker::Widen) when longer than the schema's.
  void NoteWidened(std::vector<std::pair<std::string, DataType>> columns) {
    widened_ = std::move(columns);
  }
  // The decoder of `map`'s rows into batches of `schema`; may widen `schema`, `defs` (one per
  // schema column) and `batch`.
  Result<binlog::RowImageDecoder> Decoder(const binlog::TableMap& map, const std::string& label,
                                          const DefineColumn& define,
                                          const binlog::RowDecodeOptions& options, Schema& schema,
                                          std::vector<binlog::ColumnDef>& defs, Batch& batch);
  uint64_t version() const { return tracker_.version(); }
  // The dropped columns' position and their restore at Start (core/schema_change.h).
  StreamSchemaTracker& tracker() { return tracker_; }
  const StreamSchemaTracker& tracker() const { return tracker_; }

 private:
  StreamSchemaTracker tracker_;
  bool names_required_ = false;
  std::vector<std::pair<std::string, DataType>> widened_;
};

// Shapes `batch` for the rows of a table of `schema` labelled `label` (Batch::source_table):
// an empty batch takes the schema's columns; false when the batch already holds another
// table's rows (a stream over many tables hands out one table per batch).
bool ShapeBatchFor(Batch& batch, const Schema& schema, const std::string& label);

}  // namespace sluice::mysql::binlog_stream
