// SqliteSplitReader: streams the rows of one split into batches.
//
// Lifecycle: created by SqliteSource::OpenSplit (on any thread) and then used by one worker
// thread only. It owns its own read-only connection, so readers of the same source run in
// parallel; in WAL mode each sees its own snapshot, taken when its query starts.
// Rows are stepped one at a time (never loaded whole); each cell is converted to the column's
// sluice type, and a row with a cell that cannot be converted goes to the RejectSink instead
// of the batch.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "connectors/sqlite/sqlite_codec.h"
#include "connectors/sqlite/sqlite_handle.h"
#include "connectors/sqlite/sqlite_splits.h"
#include "core/source.h"
#include "core/time_zone.h"

namespace sluice::sqlite {

// Everything a split reader needs, prepared once by the source and copied into each reader.
struct ReadPlan {
  std::string path;
  int busy_timeout_ms = 5000;
  std::string table;       // for messages
  std::string select_sql;  // "SELECT cols[, id] FROM t", without WHERE
  Filter filter;           // where + incremental range
  std::string key_expr;    // split key; empty when the read is not split
  Schema schema;           // of the selected columns, in select order
  std::string id_label;    // "rowid" or a key column, shown in rejects; empty: none selected
  TimeZone zone = TimeZone::Utc();
  BatchLimits limits;
};

class SqliteSplitReader : public SplitReader {
 public:
  static Result<std::unique_ptr<SqliteSplitReader>> Open(const ReadPlan& plan,
                                                         const KeyRange& range, int split_index);

  Result<bool> Next(Batch& batch, RejectSink& rejects) override;

 private:
  SqliteSplitReader() = default;
  // Hands the current row, as raw text, to `rejects`.
  Status RejectRow(RejectSink& rejects, size_t column, const std::string& why);

  std::string table_;
  std::string id_label_;
  BatchLimits limits_;
  int split_index_ = 0;
  Database db_;
  Statement stmt_;
  std::vector<CellDecoder> decoders_;
  std::vector<Cell> cells_;
  std::string why_;
  Schema reject_schema_;  // the selected columns, as text
  Batch reject_batch_;
  bool done_ = false;
};

}  // namespace sluice::sqlite
