// Batch: a set of rows in columnar form, the unit that moves through a pipeline.
//
// Batch mode carries only inserts (row_kinds empty). Change streams (CDC) use the same Batch
// with a RowKind per row and the source position of the last change it holds, so one engine and
// one sink interface serve both; sinks that cannot apply updates or deletes say so up front.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/column.h"
#include "core/schema.h"
#include "core/status.h"

namespace sluice {

enum class RowKind : uint8_t {
  kInsert,
  kUpdateBefore,  // the old image of an updated row (when the source provides it)
  kUpdateAfter,   // the new image of an updated row
  kDelete,        // the old image (at least the key) of a deleted row
};

struct Batch {
  std::vector<Column> columns;
  // Empty means every row is a kInsert (batch mode). Otherwise one entry per row.
  std::vector<RowKind> row_kinds;
  // Opaque, source-defined position after the last row of this batch (binlog file:pos, LSN,
  // Kafka offsets). Empty in batch mode. Saved only after the sink made the batch durable.
  std::string position;
  // Index of the split this batch came from; lets the engine account progress per split.
  int32_t split_index = -1;
  // Change streams only. `snapshot`: the rows are a consistent snapshot's reads (all kInsert),
  // not changes (a change-event target writes them as op "r"). `source_table`: the source
  // table the rows came from ("db.table"), empty when unknown. `commit_millis`: empty, or per
  // row the source's commit time of the change (ms since the epoch).
  bool snapshot = false;
  std::string source_table;
  std::vector<int64_t> commit_millis;
  // Change streams only: the source table was emptied (TRUNCATE) before this batch's rows, so
  // the target's table is emptied first (SinkWriter::Truncate). A source ends the batch before
  // a TRUNCATE it meets, so every row of a flagged batch follows it; the batch may hold none.
  // `truncate_commit_millis`: the TRUNCATE's commit time at the source (-1: unknown).
  bool truncated = false;
  int64_t truncate_commit_millis = -1;

  Batch() = default;
  explicit Batch(const Schema& schema) {
    columns.reserve(schema.size());
    for (const Field& f : schema.fields) columns.emplace_back(f.type);
  }

  size_t num_rows() const {
    return columns.empty() ? row_count_without_columns : columns[0].size();
  }
  size_t num_columns() const { return columns.size(); }
  RowKind kind(size_t row) const { return row_kinds.empty() ? RowKind::kInsert : row_kinds[row]; }

  void Clear() {
    for (Column& c : columns) c.Clear();
    row_kinds.clear();
    position.clear();
    snapshot = false;
    source_table.clear();
    commit_millis.clear();
    truncated = false;
    truncate_commit_millis = -1;
    row_count_without_columns = 0;
  }
  // Whether a column may hold an unchanged cell (Column::has_unchanged()).
  bool HasUnchanged() const {
    for (const Column& c : columns) {
      if (c.has_unchanged()) return true;
    }
    return false;
  }
  size_t ByteSize() const {
    size_t n = row_kinds.size();
    for (const Column& c : columns) n += c.ByteSize();
    return n;
  }
  // Keeps only the rows whose `keep` byte is non-zero.
  void Filter(const std::vector<uint8_t>& keep) {
    size_t kept = 0;
    for (uint8_t k : keep) kept += k ? 1 : 0;
    for (Column& c : columns) c.Filter(keep);
    if (!row_kinds.empty()) {
      size_t out = 0;
      for (size_t i = 0; i < row_kinds.size(); ++i) {
        if (keep[i]) row_kinds[out++] = row_kinds[i];
      }
      row_kinds.resize(out);
    }
    if (!commit_millis.empty()) {
      size_t out = 0;
      for (size_t i = 0; i < commit_millis.size(); ++i) {
        if (keep[i]) commit_millis[out++] = commit_millis[i];
      }
      commit_millis.resize(out);
    }
    row_count_without_columns = kept;
  }

  // A source that selects no columns (SELECT COUNT-like jobs) still reports rows.
  size_t row_count_without_columns = 0;
};

// How large a reader lets a batch grow: it stops adding rows once either bound is reached
// (checked after each row, so a batch may pass `bytes` by its last row). The byte bound keeps
// memory flat when rows are wide, and keeps every variable-width column far below the 4 GiB its
// 32-bit offsets can address: only a single value of GiBs can still overflow them, which
// Column records and the engine reports (FindOffsetOverflow).
struct BatchLimits {
  size_t rows = 10000;
  size_t bytes = kDefaultBatchBytes;

  static constexpr size_t kDefaultBatchBytes = size_t{64} << 20;

  // O(columns): cheap enough per row next to decoding the row's values.
  bool Full(const Batch& batch) const { return Full(batch.num_rows(), batch); }
  // For readers that count their rows themselves (rows they will filter out are still in
  // `batch`, or no column is selected).
  bool Full(size_t rows_in_batch, const Batch& batch) const {
    return rows_in_batch >= rows ||
           (rows_in_batch > 0 && batch.ByteSize() >= bytes);  // at least one row per batch
  }
};

// settings.batch_bytes' range.
inline constexpr int64_t kMinBatchBytes = int64_t{1} << 10;
inline constexpr int64_t kMaxBatchBytes = int64_t{1} << 30;

// A DataError naming the first column of `batch` (described by `schema`) that holds a value its
// 32-bit offsets could not address, or OK. The engine checks every batch a reader or a
// transform made, so such a value fails the run instead of being written corrupted.
Status CheckOffsets(const Batch& batch, const Schema& schema);

}  // namespace sluice
