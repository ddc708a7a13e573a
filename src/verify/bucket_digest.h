// BucketDigest: the constant-memory summary of one side of a table (verify's pass 1).
//
// Every row goes to bucket `key hash mod B` (B a power of two); a bucket keeps the number of
// its rows and the sum (mod 2^64) of RowContribution(key hash, row hash) over them. A sum is
// independent of the order rows arrive in, so each reader thread fills its own digest and the
// digests are merged; equal tables give equal digests, and a row that is missing, extra or
// changed changes its bucket. Pass 2 then re-reads only the rows of the differing buckets.
//
// Lifecycle: one per reader thread, merged on the verifying thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "verify/row_hash.h"

namespace sluice::verify {

// B for a table of about `estimated_rows` rows (<0: unknown): rows/256 rounded up to a power
// of two, at least 64, at most 2^22, 2^16 when unknown. About 256 rows per bucket keeps pass
// 2 small (one changed row costs re-keeping ~256 rows a side) and the digest a few MiB at
// most.
size_t ChooseBucketCount(int64_t estimated_rows);

class BucketDigest {
 public:
  explicit BucketDigest(size_t buckets);  // a power of two

  size_t BucketOf(uint64_t key_hash) const { return static_cast<size_t>(key_hash) & mask_; }
  void Add(uint64_t key_hash, uint64_t row_hash) {
    const size_t b = BucketOf(key_hash);
    ++counts_[b];
    sums_[b] += RowContribution(key_hash, row_hash);
  }
  void Merge(const BucketDigest& other);

  size_t buckets() const { return counts_.size(); }
  int64_t rows() const;
  int64_t count(size_t bucket) const { return counts_[bucket]; }

  // One flag per bucket: 1 where this digest and `other` (of the same size) differ.
  std::vector<uint8_t> DifferingBuckets(const BucketDigest& other) const;

 private:
  size_t mask_;
  std::vector<int64_t> counts_;
  std::vector<uint64_t> sums_;
};

}  // namespace sluice::verify
