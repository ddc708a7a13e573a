#include "verify/row_encoder.h"

#include "verify/row_hash.h"

namespace sluice::verify {

RowEncoder::RowEncoder(const SidePlan& plan) : plan_(plan), is_key_(plan.columns.size(), 0) {
  normalizers_.reserve(plan.columns.size());
  for (const ComparedColumn& c : plan.columns) normalizers_.emplace_back(c.type, c.kind, plan.zone);
  for (size_t k : plan.key) is_key_[k] = 1;
}

void RowEncoder::HashColumn(const Batch& batch, size_t c) {
  const Column& column = batch.columns[plan_.columns[c].index];
  ValueNormalizer& normalizer = normalizers_[c];
  const uint64_t seed = (c + 1) * kHashMultiplier;
  const bool key = is_key_[c] != 0;
  const size_t n = rows_.size();
  for (size_t r = 0; r < n; ++r) {
    uint64_t h = kNullHash;
    if (!column.IsNull(r)) {
      normalizer.Normalize(column, r, text_);
      h = HashBytes(text_, seed);
    }
    rows_[r] = CombineHash(rows_[r], h);
    // The key hash folds the key columns in column order: the same on both sides, since both
    // plans list the compared columns in one order.
    if (key) keys_[r] = CombineHash(keys_[r], h);
  }
}

void RowEncoder::HashBatch(const Batch& batch) {
  const size_t n = batch.num_rows();
  rows_.assign(n, 0);
  if (!plan_.key.empty()) keys_.assign(n, 0);
  for (size_t c = 0; c < plan_.columns.size(); ++c) HashColumn(batch, c);
  for (uint64_t& h : rows_) h = FinishHash(h);
  for (uint64_t& h : keys_) h = FinishHash(h);
}

KeptRow RowEncoder::Keep(const Batch& batch, size_t row) {
  KeptRow kept;
  kept.row_hash = rows_[row];
  kept.values.resize(plan_.columns.size());
  for (size_t c = 0; c < plan_.columns.size(); ++c) {
    const Column& column = batch.columns[plan_.columns[c].index];
    KeptValue& v = kept.values[c];
    v.display = normalizers_[c].Display(column, row);
    v.null = column.IsNull(row);
    if (!v.null) normalizers_[c].Normalize(column, row, v.normalized);
  }
  std::vector<std::string> names;
  std::vector<std::string> shown;
  auto add_to_key = [&](size_t c) {
    const KeptValue& v = kept.values[c];
    // Length-prefixed, with NULL apart from '': no two keys join to the same text.
    kept.key += v.null ? std::string("N") : "V" + std::to_string(v.normalized.size()) + ":";
    kept.key += v.normalized;
    names.push_back(plan_.columns[c].name);
    shown.push_back(v.display);
  };
  if (plan_.key.empty()) {
    for (size_t c = 0; c < plan_.columns.size(); ++c) add_to_key(c);
  } else {
    for (size_t c : plan_.key) add_to_key(c);
  }
  kept.key_display = KeyDisplay(names, shown);
  return kept;
}

std::string KeyDisplay(const std::vector<std::string>& names,
                       const std::vector<std::string>& values) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += names[i];
    out += '=';
    out += values[i];
  }
  return out;
}

}  // namespace sluice::verify
