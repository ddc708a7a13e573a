// RowImageDecoder: the row images of WRITE/UPDATE/DELETE_ROWS events -> rows of a Batch.
//
// Made once per TABLE_MAP (table id and column layout) from that map and the caller's column
// definitions (column_def.h); Make checks every column's binlog type against its sluice type,
// so decoding never meets a combination it cannot store. Decode appends each row with its
// RowKind (kInsert; kUpdateBefore then kUpdateAfter; kDelete) straight into the batch's
// columns: no allocation per value (the columns grow geometrically and are reused; MySQL's
// partial JSON updates, rebuilt through a small document tree, are the exception).
//
// An image holds only the columns its bitmap marks (a session with binlog_row_image=MINIMAL
// or NOBLOB leaves some out). A column an update's after image leaves out was not written: it
// takes the before image's value, or is "unchanged" (core/column.h: the target keeps its own)
// when the before image left it out too. A before image's absent column is NULL (its row is
// found by key). An insert that leaves a column out is an error: its value is nowhere.
// Values are exact: integers by the declared signedness (BIGINT UNSIGNED up to 2^64-1),
// DECIMAL as its digits, FLOAT as the double holding it, times to the microsecond, TIMESTAMP
// as a UTC instant, DATETIME as wall-clock time (an instant in `datetime_zone` when the column
// is timestamptz), BINARY(n) with its zero padding, CHAR without its trailing spaces (as a
// SELECT returns them), latin1 transcoded to UTF-8, MySQL binary JSON as JSON text.
//
// Not thread-safe; one decoder per table per stream. Errors name the table, row, column and
// the byte offset within the event; after an error the batch holds a partial row and must be
// discarded (a corrupt event ends the stream anyway).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "connectors/mysql/binlog/column_def.h"
#include "connectors/mysql/binlog/column_plan.h"
#include "connectors/mysql/binlog/rows_event.h"
#include "connectors/mysql/binlog/table_map.h"
#include "core/batch.h"
#include "core/status.h"

namespace sluice::mysql::binlog {

class ByteReader;

class RowImageDecoder {
 public:
  static Result<RowImageDecoder> Make(const TableMap& map, const std::vector<ColumnDef>& columns,
                                      const RowDecodeOptions& options = {});

  // Appends every row of `event` (which must be for this decoder's table id) to `batch`,
  // whose columns have the ColumnDefs' types in order.
  Status Decode(const RowsEvent& event, Batch& batch) const;

  // Decodes the map's column i into batch column slots[i] of a batch of `width` columns, and
  // appends NULL to the batch columns no slot names (a stream following its table's columns by
  // name: connectors/mysql/binlog_stream/table_map_follower.h). Without it, column i goes to
  // batch column i.
  void MapColumns(std::vector<size_t> slots, size_t width);
  // After MapColumns: batch column `column`, which no column fills, takes `cell`'s one value
  // in every row instead of NULL (a column the source added after these rows were written:
  // they hold its default there).
  void FillUnmapped(size_t column, Column cell);

  uint64_t table_id() const { return table_id_; }
  const std::string& table_name() const { return table_name_; }

 private:
  RowImageDecoder() = default;
  enum class ImageRole { kInsert, kBefore, kAfter };
  // One image: the null bitmap, then the present non-NULL values. An after image's absent
  // columns come from the before image just appended (`before_present` marks its columns).
  // On failure `failed` is the column that did not decode.
  bool DecodeImage(ByteReader& r, ImageRole role, std::string_view present, size_t present_count,
                   std::string_view before_present, Batch& batch, size_t& failed, std::string& why,
                   const std::vector<uint8_t>* partial = nullptr) const;
  // PARTIAL_UPDATE_ROWS: reads the after image's value options; `partial` marks the JSON
  // columns whose after value is a diff against the before image.
  bool AppendAbsent(ImageRole role, size_t i, std::string_view before_present, Column& out,
                    std::string& why) const;
  bool ReadPartialHeader(ByteReader& r, std::string_view present,
                         std::vector<uint8_t>& partial) const;
  bool DecodeJsonDiff(const ColumnPlan& p, ByteReader& r, Column& out, std::string& why) const;
  bool DecodeValue(const ColumnPlan& p, ByteReader& r, Column& out, std::string& why) const;
  bool AppendText(const ColumnPlan& p, std::string_view bytes, Column& out, std::string& why) const;
  // Text already checked to be UTF-8, as is.
  static void AppendCheckedText(const ColumnPlan& p, std::string_view bytes, Column& out);
  bool AppendDateTime(const ColumnPlan& p, ByteReader& r, Column& out, std::string& why) const;

  uint64_t table_id_ = 0;
  std::string table_name_;
  std::vector<ColumnPlan> plans_;
  std::vector<size_t> slots_;           // per column: its batch column
  std::vector<size_t> unmapped_;        // batch columns no column fills (NULL)
  std::vector<Column> unmapped_cells_;  // per unmapped_ column: its one value, or none (NULL)
  size_t width_ = 0;                    // the batch's columns
  RowDecodeOptions options_;
};

}  // namespace sluice::mysql::binlog
