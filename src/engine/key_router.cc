#include "engine/key_router.h"

#include <functional>
#include <string_view>

namespace sluice {
namespace {

// splitmix64's finaliser: spreads nearby ids (1, 2, 3...) over all writers.
uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

constexpr uint64_t kNullHash = 0x9e3779b97f4a7c15ULL;

void HashColumn(const Column& column, std::vector<uint64_t>& hashes) {
  const size_t rows = hashes.size();
  const std::hash<std::string_view> hash_bytes;
  for (size_t r = 0; r < rows; ++r) {
    uint64_t h = kNullHash;
    if (!column.IsNull(r)) {
      h = column.is_var() ? static_cast<uint64_t>(hash_bytes(column.GetView(r)))
                          : static_cast<uint64_t>(column.GetInt(r));
    }
    hashes[r] = Mix(hashes[r] ^ Mix(h));
  }
}

}  // namespace

KeyRouter::KeyRouter(std::vector<int> key_columns, int ways)
    : key_columns_(std::move(key_columns)), ways_(ways < 1 ? 1 : ways) {}

void KeyRouter::Route(const Batch& batch, std::vector<uint32_t>& targets) {
  const size_t rows = batch.num_rows();
  hashes_.assign(rows, 0);
  for (int c : key_columns_) HashColumn(batch.columns[static_cast<size_t>(c)], hashes_);
  targets.resize(rows);
  for (size_t r = 0; r < rows; ++r) {
    targets[r] = static_cast<uint32_t>(hashes_[r] % static_cast<uint64_t>(ways_));
  }
}

void KeyRouter::Split(const Batch& in, const std::vector<Batch*>& outs) {
  Route(in, targets_);
  const size_t rows = targets_.size();
  for (size_t c = 0; c < in.columns.size(); ++c) {
    const Column& from = in.columns[c];
    for (size_t r = 0; r < rows; ++r) outs[targets_[r]]->columns[c].AppendFrom(from, r);
  }
  if (!in.row_kinds.empty()) {
    for (size_t r = 0; r < rows; ++r) outs[targets_[r]]->row_kinds.push_back(in.row_kinds[r]);
  }
  if (!in.commit_millis.empty()) {
    for (size_t r = 0; r < rows; ++r) {
      outs[targets_[r]]->commit_millis.push_back(in.commit_millis[r]);
    }
  }
  if (in.columns.empty()) {
    for (size_t r = 0; r < rows; ++r) ++outs[targets_[r]]->row_count_without_columns;
  }
  for (Batch* out : outs) {
    out->split_index = in.split_index;
    out->position = in.position;
    out->snapshot = in.snapshot;
    out->source_table = in.source_table;
  }
}

}  // namespace sluice
