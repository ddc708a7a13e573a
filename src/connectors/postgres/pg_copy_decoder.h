// CopyDecoder: turns the rows of `COPY ... TO STDOUT (FORMAT binary)` into batch columns.
//
// The stream is a header (signature, flags, extension), then one tuple per CopyData message
// (int16 field count, then per field an int32 length, -1 for NULL, and the bytes), then an
// int16 -1 trailer. Every field is decoded by a switch on its Wire kind straight into its
// Column: no per-value allocation, no virtual call.
// Values PostgreSQL has but sluice types cannot hold (numeric NaN and ±Infinity, date and
// timestamp ±infinity) are handled by SpecialValues: the row is reported (kBadValue, with a
// reason naming the value), the value becomes NULL, or, for a PostgreSQL target, it is kept.
// Lifecycle: one per split reader, used by its thread only.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "connectors/postgres/pg_types.h"
#include "core/batch.h"
#include "core/status.h"

namespace sluice::postgres {

enum class SpecialValues {
  kError,  // reject the row
  kNull,   // read them as NULL
  kKeep,   // carry them (pg_wire.h): the rows go into PostgreSQL, which holds them
};

class CopyDecoder {
 public:
  enum class RowResult {
    kRow,       // one row appended to the batch
    kBadValue,  // one row appended, with NULL for each value that could not be carried;
                // bad_column() and reason() say what; the caller rejects the row
    kEnd,       // the trailer: no more rows
  };

  CopyDecoder(std::vector<Wire> wires, SpecialValues special)
      : wires_(std::move(wires)), special_(special) {}

  // Decodes one CopyData message: the header (first message only) and one tuple or the
  // trailer. A malformed message is an error.
  Result<RowResult> Decode(const char* data, size_t len, Batch& batch);

  size_t bad_column() const { return bad_column_; }
  const std::string& reason() const { return reason_; }

  // Values read as NULL by special_values: null since the last call, with the column and
  // reason of the first; then starts counting again. The reader reports them
  // (RejectSink::NoteSubstituted).
  int64_t TakeSubstituted(size_t& first_column, std::string& first_reason) {
    first_column = substituted_column_;
    first_reason = std::move(substituted_reason_);
    substituted_reason_.clear();
    return std::exchange(substituted_, 0);
  }

  // Decodes one binary value (a binary-format query result) into `column`; false with
  // `reason` set when it cannot be carried. For MaxValue.
  static bool DecodeValue(Wire wire, const char* p, int32_t len, Column& column,
                          std::string& reason);

 private:
  Status SkipHeader(const char*& p, const char* end);

  std::vector<Wire> wires_;
  SpecialValues special_;
  bool header_done_ = false;
  size_t bad_column_ = 0;
  std::string reason_;
  int64_t substituted_ = 0;
  size_t substituted_column_ = 0;
  std::string substituted_reason_;
};

// The canonical text of 16 uuid bytes (8-4-4-4-12 lowercase hex), appended to `out`.
void FormatUuidBytes(const char* p, std::string& out);

}  // namespace sluice::postgres
