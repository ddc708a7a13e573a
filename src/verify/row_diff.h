// DiffRows: verify's pass 2 verdict over the rows kept from the differing buckets.
//
// Rows are matched by key. Within one key, rows equal on both sides (same row hash) cancel out,
// as many times as they appear on both; what is left pairs up as "changed" (with the columns
// whose normalized values differ), and the rest is "missing" (source only) or "extra" (target
// only). Without a key the whole row is the key, so rows are only ever missing or extra:
// the comparison of two multisets.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "verify/row_encoder.h"

namespace sluice::verify {

struct ColumnChange {
  std::string column;
  std::string source;  // display texts
  std::string target;
};

struct Difference {
  enum class Kind { kMissing, kExtra, kChanged };
  Kind kind = Kind::kMissing;
  std::string key;                    // KeptRow::key_display
  std::vector<ColumnChange> changes;  // kChanged only
};

const char* DifferenceKindName(Difference::Kind kind);  // "missing", "extra", "changed"

struct RowDiff {
  int64_t missing = 0;
  int64_t extra = 0;
  int64_t changed = 0;
  std::vector<Difference> shown;  // the first `max_shown`, in key order
  bool any() const { return missing + extra + changed > 0; }
};

// `columns`: the compared column names, in KeptValue order. Sorts its inputs.
RowDiff DiffRows(std::vector<KeptRow>& source, std::vector<KeptRow>& target,
                 const std::vector<std::string>& columns, size_t max_shown);

}  // namespace sluice::verify
