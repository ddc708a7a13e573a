// Source: the read side of a connector.
//
// Lifecycle (DataX's Job/Task split, DuckDB's global/local state):
//   1. the engine creates one Source per job from its Options (on the main thread);
//   2. Open() connects and resolves the schema; PlanSplits() cuts the read into Splits;
//   3. worker threads each call OpenSplit() and pull batches from their own SplitReader.
// A Source must allow OpenSplit() from several threads at once; each SplitReader is used by
// one thread only. The Source outlives all its SplitReaders.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/options.h"
#include "core/reject_sink.h"
#include "core/schema.h"
#include "core/status.h"

namespace sluice {

// The range of an incremental read, on the watermark column: low <= value < high.
// Values are in canonical text form (value_text.h) of the column's type.
struct WatermarkRange {
  std::string column;
  std::optional<std::string> low;  // inclusive; absent on the first run
  std::string high;                // the column's maximum when the run started; exclusive
                                   // unless strictly_increasing or include_high
  // For columns whose values only grow (auto-increment ids): low < value <= high, so every
  // run reads up to the maximum and never a row twice. See docs/guarantees.md.
  bool strictly_increasing = false;
  // Keyed targets (every write mode but append): low <= value <= high; rows read again replace
  // themselves by key (engine/watermark_range.h).
  bool include_high = false;
  const char* LowOperator() const { return strictly_increasing ? ">" : ">="; }
  const char* HighOperator() const { return strictly_increasing || include_high ? "<=" : "<"; }
};

struct ReadRequest {
  std::vector<std::string> columns;  // empty: all columns, in table order
  std::string where;                 // filter in the source's own dialect; empty: none
  std::string split_key;             // empty: the source picks (primary key) or none
  std::optional<WatermarkRange> incremental;
  // The connector type the rows are written to ("postgres"). A target of the source's own
  // engine holds every value of the source's types, so the source may then carry values no
  // sluice type holds (PostgreSQL's numeric NaN) instead of refusing them.
  std::string target_type;
  int max_splits = 1;  // the engine's parallelism
  size_t batch_rows = 10000;
  size_t batch_bytes = BatchLimits::kDefaultBatchBytes;  // settings.batch_bytes
  BatchLimits limits() const { return BatchLimits{std::max<size_t>(1, batch_rows), batch_bytes}; }
};

// One independent part of a read. `description` is shown by `sluice check`.
struct Split {
  int index = 0;
  std::string description;  // e.g. "id in [1, 250000)"
  std::string payload;      // source-defined (a range, a file name)
  std::optional<int64_t> estimated_rows;
};

class SplitReader {
 public:
  virtual ~SplitReader() = default;
  // Fills `batch` (already shaped by the schema, cleared by the caller) until it is
  // request.limits().Full() or the split ends. Returns false when the split is exhausted (batch
  // may still hold rows). A reader that waits for rows (a tail of a growing file, a queue) returns
  // within about 200 ms with what it has, possibly an empty batch and true, so the engine can
  // stop, report and checkpoint; the engine skips empty batches.
  // Rows that cannot be decoded (a CSV field that is not an integer) go to `rejects` with a
  // reason naming the file/line or table/column; kLimitExceeded from it must be returned.
  virtual Result<bool> Next(Batch& batch, RejectSink& rejects) = 0;
};

class Source {
 public:
  virtual ~Source() = default;
  // Connects and resolves the schema of the requested columns. Errors name the table/column.
  virtual Status Open(const ReadRequest& request) = 0;
  virtual const Schema& schema() const = 0;
  // The largest value of `column` among rows matching the request's `where`, in canonical text;
  // nullopt when there are none. Sources without incremental support return an error.
  virtual Result<std::optional<std::string>> MaxValue(const std::string& column) = 0;
  // Rows the read will return, if cheaply known (for progress and ETA).
  virtual Result<std::optional<int64_t>> EstimateRows() { return std::optional<int64_t>(); }
  // The table's primary key columns, in key order, once Open() has run; empty when the source
  // has none or cannot tell (files, views). Used by `sluice verify` to match rows by key.
  virtual std::vector<std::string> PrimaryKey() const { return {}; }
  virtual Result<std::vector<Split>> PlanSplits() = 0;
  virtual Result<std::unique_ptr<SplitReader>> OpenSplit(const Split& split) = 0;
  // The name of what is read, for messages: "sqlite:shop.db/orders", "csv:in/*.csv".
  virtual std::string Describe() const = 0;
};

}  // namespace sluice
