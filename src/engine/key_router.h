// KeyRouter: splits a batch into one batch per writer by a hash of the key columns, so that
// every change to a key goes to the same writer, in the order it was read. Writers then run in
// parallel without two of them ever touching one key (an upsert and a later delete of the same
// row can never be applied in the wrong order by two connections).
//
// Columnar: the hash is computed column by column over the whole batch, then each column is
// copied into the outputs in one pass; no per-row virtual calls, no per-value allocation once
// the outputs (recycled by the pipeline) have grown.
// Lifecycle: one per reader thread (it keeps scratch vectors); not thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "core/batch.h"

namespace sluice {

class KeyRouter {
 public:
  // `key_columns`: indexes into the batches Split() gets; `ways` >= 1 outputs.
  KeyRouter(std::vector<int> key_columns, int ways);

  int ways() const { return ways_; }

  // Appends every row of `in` to exactly one of `outs` (`ways` batches with `in`'s column
  // types, cleared by the caller), keeping the rows' order within each output. Row kinds, the
  // split index and the source position go with the rows.
  void Split(const Batch& in, const std::vector<Batch*>& outs);

  // The output of each row of `batch`, as Split() routes them (filled into `targets`).
  void Route(const Batch& batch, std::vector<uint32_t>& targets);

 private:
  std::vector<int> key_columns_;
  int ways_;
  std::vector<uint64_t> hashes_;   // scratch, one per row
  std::vector<uint32_t> targets_;  // scratch, one per row
};

}  // namespace sluice
