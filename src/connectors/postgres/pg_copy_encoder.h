// CopyEncoder: turns batch rows into `COPY ... FROM STDIN` data, binary or text format.
//
// Binary (the normal case) writes each value in the target column's binary form, checked
// first where PostgreSQL would silently change it (numeric(p,s) would round, an int64 into an
// integer column) so that a value either arrives exactly or its row is rejected. The text
// format is used only when some column needs PostgreSQL's own parser (see pg_types.h): then
// every value is written as canonical text, escaped for COPY.
// Optional fields follow the batch's columns: a constant (the partition value, already
// encoded), a row number (the staging table's order column) and a keep mask (the staging
// table's bytea of the row's unchanged cells: bit c, as get_bit() numbers it, for column c;
// NULL when the row has none).
// Lifecycle: one per sink writer, used by its thread only; its scratch buffer is reused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "connectors/postgres/pg_types.h"
#include "core/batch.h"

namespace sluice::postgres {

class CopyEncoder {
 public:
  CopyEncoder(std::vector<ColumnWrite> columns, bool binary)
      : columns_(std::move(columns)), binary_(binary) {}

  // A field appended to every row: binary mode takes the value's binary form, text mode its
  // text form (escaped here).
  void SetConstant(std::string encoded) { constant_ = std::move(encoded); }
  void SetRowNumbers(bool on) { row_numbers_ = on; }
  void SetKeepMasks(bool on) { keep_masks_ = on; }
  bool binary() const { return binary_; }

  // COPY's header and trailer (binary format only; nothing in text format).
  void Header(std::string& out) const;
  void Trailer(std::string& out) const;

  // Appends row `row` of `batch`. When a value cannot be written exactly, returns false with
  // `bad_column` and `why` set and leaves `out` as it was.
  bool AppendRow(const Batch& batch, size_t row, int64_t row_number, std::string& out,
                 size_t& bad_column, std::string& why);

 private:
  bool Binary(const ColumnWrite& w, const Column& col, size_t row, std::string& out,
              std::string& why);
  bool Text(const ColumnWrite& w, const Column& col, size_t row, std::string& out,
            std::string& why);
  // The value as decimal text for a numeric column, in scratch_; false if it has none.
  bool NumericText(const ColumnWrite& w, const Column& col, size_t row, std::string& why);
  void KeepMask(const Batch& batch, size_t row, std::string& out);

  std::vector<ColumnWrite> columns_;
  bool binary_;
  std::optional<std::string> constant_;
  bool row_numbers_ = false;
  bool keep_masks_ = false;
  std::string scratch_;
  std::string mask_;
};

// Appends `text` to `out` escaped for COPY's text format (backslash, tab, newline, CR).
void AppendCopyText(std::string_view text, std::string& out);

// Parses 8-4-4-4-12 hex (any case), the same in braces, or 32 bare hex digits into 16 bytes.
bool ParseUuidBytes(std::string_view text, char* bytes16);

}  // namespace sluice::postgres
