// RowEncoder: hashes the rows of one side's batches, a column at a time (verify's pass 1), and
// keeps the full normalized rows of selected ones (pass 2).
//
// Both sides get a SidePlan listing the compared columns in the same order (by name), with
// each column's index in that side's batches and the CompareKind agreed for the pair, and the
// key's positions among them (empty: no key, the row hash is the key). Equal values on the two
// sides then give equal hashes whatever their types.
//
// Lifecycle: one RowEncoder per reader thread; the SidePlan is shared and read-only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/time_zone.h"
#include "verify/value_normalizer.h"

namespace sluice::verify {

struct ComparedColumn {
  std::string name;  // as the report shows it (the name written to the target)
  size_t index = 0;  // in this side's batches
  DataType type;     // this side's type
  CompareKind kind = CompareKind::kText;
};

struct SidePlan {
  std::vector<ComparedColumn> columns;
  std::vector<size_t> key;  // positions in `columns`; empty: whole rows are the key
  TimeZone zone = TimeZone::Utc();
};

// One value of a kept row: NULL, or its normalized text (compared) and display text (shown).
struct KeptValue {
  bool null = false;
  std::string normalized;
  std::string display;
};

// A row of a differing bucket, as pass 2 keeps it.
struct KeptRow {
  std::string key;          // the normalized key values, unambiguously joined: matches rows
  std::string key_display;  // "id=5", "a=1, b='x'" (whole rows without a key)
  uint64_t row_hash = 0;
  std::vector<KeptValue> values;  // in SidePlan::columns order
};

class RowEncoder {
 public:
  explicit RowEncoder(const SidePlan& plan);

  // Computes key_hashes() and row_hashes() for every row of `batch`.
  void HashBatch(const Batch& batch);
  const std::vector<uint64_t>& key_hashes() const { return plan_.key.empty() ? rows_ : keys_; }
  const std::vector<uint64_t>& row_hashes() const { return rows_; }

  // Row `row` of the batch last hashed, in full.
  KeptRow Keep(const Batch& batch, size_t row);

 private:
  // Folds column `c`'s value hashes into rows_, and into keys_ for a key column.
  void HashColumn(const Batch& batch, size_t c);

  const SidePlan& plan_;
  std::vector<uint8_t> is_key_;               // per compared column
  std::vector<ValueNormalizer> normalizers_;  // one per compared column
  std::string text_;                          // the normalized value being hashed, reused
  std::vector<uint64_t> rows_;
  std::vector<uint64_t> keys_;
};

// "id=5" from names and display texts.
std::string KeyDisplay(const std::vector<std::string>& names,
                       const std::vector<std::string>& values);

}  // namespace sluice::verify
