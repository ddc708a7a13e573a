// UnchangedCells: which cells of a batch hold "unchanged" rather than a value.
//
// pgoutput sends 'u' for a TOASTed column an UPDATE did not touch: the server did not read the
// value, and the target must keep what it has. sluice's Column has no such state (only valid or
// NULL), so tuple_to_batch appends NULL there and marks the cell here; a sink applying the
// change must leave marked columns out of its UPDATE. Keeping it beside the batch, not in it,
// is temporary: core should grow an "unchanged" cell state (see this folder's README).
// Lifecycle: filled together with its batch by one thread; Clear() with the batch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sluice::postgres::replication {

class UnchangedCells {
 public:
  explicit UnchangedCells(size_t num_columns = 0) { Reset(num_columns); }

  // Empties the marks and sets the row width.
  void Reset(size_t num_columns) {
    num_columns_ = num_columns;
    words_per_row_ = (num_columns + 63) / 64;
    bits_.clear();
    rows_ = 0;
  }
  void Clear() { Reset(num_columns_); }

  // Adds a row with no marks; returns its index.
  size_t AddRow() {
    bits_.resize(bits_.size() + words_per_row_, 0);
    return rows_++;
  }
  void Set(size_t row, size_t column) {
    bits_[row * words_per_row_ + column / 64] |= uint64_t{1} << (column % 64);
  }
  bool Test(size_t row, size_t column) const {
    return (bits_[row * words_per_row_ + column / 64] >> (column % 64)) & 1;
  }
  bool RowHasAny(size_t row) const {
    for (size_t w = 0; w < words_per_row_; ++w) {
      if (bits_[row * words_per_row_ + w] != 0) return true;
    }
    return false;
  }

  size_t rows() const { return rows_; }
  size_t num_columns() const { return num_columns_; }

 private:
  size_t num_columns_ = 0;
  size_t words_per_row_ = 0;
  size_t rows_ = 0;
  std::vector<uint64_t> bits_;  // row-major, words_per_row_ words per row
};

}  // namespace sluice::postgres::replication
