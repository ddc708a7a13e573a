#include "verify/row_diff.h"

#include <algorithm>
#include <span>

namespace sluice::verify {
namespace {

bool ByKeyThenHash(const KeptRow& a, const KeptRow& b) {
  if (a.key != b.key) return a.key < b.key;
  return a.row_hash < b.row_hash;
}

// The end of the run of rows with `rows[begin]`'s key.
size_t KeyRunEnd(const std::vector<KeptRow>& rows, size_t begin) {
  size_t end = begin;
  while (end < rows.size() && rows[end].key == rows[begin].key) ++end;
  return end;
}

std::vector<ColumnChange> ChangedColumns(const KeptRow& source, const KeptRow& target,
                                         const std::vector<std::string>& columns) {
  std::vector<ColumnChange> changes;
  for (size_t c = 0; c < columns.size(); ++c) {
    const KeptValue& s = source.values[c];
    const KeptValue& t = target.values[c];
    if (s.null == t.null && s.normalized == t.normalized) continue;
    changes.push_back(ColumnChange{columns[c], s.display, t.display});
  }
  return changes;
}

class Differ {
 public:
  Differ(const std::vector<std::string>& columns, size_t max_shown)
      : columns_(columns), max_shown_(max_shown) {}

  // One key's rows from each side, sorted by row hash.
  void DiffKey(std::span<const KeptRow> source, std::span<const KeptRow> target) {
    std::vector<const KeptRow*> source_only;
    std::vector<const KeptRow*> target_only;
    size_t i = 0;
    size_t j = 0;
    while (i < source.size() || j < target.size()) {
      if (j == target.size() || (i < source.size() && source[i].row_hash < target[j].row_hash)) {
        source_only.push_back(&source[i++]);
      } else if (i == source.size() || target[j].row_hash < source[i].row_hash) {
        target_only.push_back(&target[j++]);
      } else {
        ++i;  // the same row on both sides
        ++j;
      }
    }
    const size_t pairs = std::min(source_only.size(), target_only.size());
    for (size_t p = 0; p < pairs; ++p) {
      ++diff_.changed;
      Show(Difference::Kind::kChanged, *source_only[p], target_only[p]);
    }
    for (size_t p = pairs; p < source_only.size(); ++p) {
      ++diff_.missing;
      Show(Difference::Kind::kMissing, *source_only[p], nullptr);
    }
    for (size_t p = pairs; p < target_only.size(); ++p) {
      ++diff_.extra;
      Show(Difference::Kind::kExtra, *target_only[p], nullptr);
    }
  }

  RowDiff Take() { return std::move(diff_); }

 private:
  void Show(Difference::Kind kind, const KeptRow& row, const KeptRow* target) {
    if (diff_.shown.size() >= max_shown_) return;
    Difference d;
    d.kind = kind;
    d.key = row.key_display;
    if (target) d.changes = ChangedColumns(row, *target, columns_);
    diff_.shown.push_back(std::move(d));
  }

  const std::vector<std::string>& columns_;
  const size_t max_shown_;
  RowDiff diff_;
};

}  // namespace

const char* DifferenceKindName(Difference::Kind kind) {
  switch (kind) {
    case Difference::Kind::kMissing:
      return "missing";
    case Difference::Kind::kExtra:
      return "extra";
    case Difference::Kind::kChanged:
      return "changed";
  }
  return "?";
}

RowDiff DiffRows(std::vector<KeptRow>& source, std::vector<KeptRow>& target,
                 const std::vector<std::string>& columns, size_t max_shown) {
  std::sort(source.begin(), source.end(), ByKeyThenHash);
  std::sort(target.begin(), target.end(), ByKeyThenHash);
  Differ differ(columns, max_shown);
  size_t i = 0;
  size_t j = 0;
  while (i < source.size() || j < target.size()) {
    size_t i_end = i;
    size_t j_end = j;
    if (j == target.size() || (i < source.size() && source[i].key < target[j].key)) {
      i_end = KeyRunEnd(source, i);
    } else if (i == source.size() || target[j].key < source[i].key) {
      j_end = KeyRunEnd(target, j);
    } else {
      i_end = KeyRunEnd(source, i);
      j_end = KeyRunEnd(target, j);
    }
    differ.DiffKey(std::span<const KeptRow>(source.data() + i, i_end - i),
                   std::span<const KeptRow>(target.data() + j, j_end - j));
    i = i_end;
    j = j_end;
  }
  return differ.Take();
}

}  // namespace sluice::verify
