#include "verify/bucket_digest.h"

#include <bit>

namespace sluice::verify {

size_t ChooseBucketCount(int64_t estimated_rows) {
  constexpr size_t kMin = 64;
  constexpr size_t kMax = size_t{1} << 22;
  constexpr size_t kUnknown = size_t{1} << 16;
  if (estimated_rows < 0) return kUnknown;
  const size_t wanted = static_cast<size_t>(estimated_rows / 256) + 1;
  if (wanted <= kMin) return kMin;
  if (wanted >= kMax) return kMax;
  return std::bit_ceil(wanted);
}

BucketDigest::BucketDigest(size_t buckets)
    : mask_(buckets - 1), counts_(buckets, 0), sums_(buckets, 0) {}

void BucketDigest::Merge(const BucketDigest& other) {
  for (size_t b = 0; b < counts_.size(); ++b) {
    counts_[b] += other.counts_[b];
    sums_[b] += other.sums_[b];
  }
}

int64_t BucketDigest::rows() const {
  int64_t total = 0;
  for (int64_t c : counts_) total += c;
  return total;
}

std::vector<uint8_t> BucketDigest::DifferingBuckets(const BucketDigest& other) const {
  std::vector<uint8_t> differ(counts_.size(), 0);
  for (size_t b = 0; b < counts_.size(); ++b) {
    differ[b] = counts_[b] != other.counts_[b] || sums_[b] != other.sums_[b];
  }
  return differ;
}

}  // namespace sluice::verify
