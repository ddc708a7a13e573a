#include "core/column.h"

namespace sluice {

void Column::Filter(const std::vector<uint8_t>& keep) {
  size_t out = 0;
  if (!is_var()) {
    for (size_t i = 0; i < valid_.size(); ++i) {
      if (!keep[i]) continue;
      valid_[out] = valid_[i];
      fixed_[out] = fixed_[i];
      ++out;
    }
    valid_.resize(out);
    fixed_.resize(out);
    return;
  }
  // Compact the byte buffer in place: kept values only move towards the front.
  uint32_t write_pos = 0;
  for (size_t i = 0; i < valid_.size(); ++i) {
    if (!keep[i]) continue;
    uint32_t begin = offsets_[i];
    uint32_t len = offsets_[i + 1] - begin;
    if (write_pos != begin) std::memmove(data_.data() + write_pos, data_.data() + begin, len);
    valid_[out] = valid_[i];
    offsets_[out] = write_pos;
    write_pos += len;
    ++out;
  }
  valid_.resize(out);
  offsets_.resize(out + 1);
  offsets_[out] = write_pos;
  data_.resize(write_pos);
}

}  // namespace sluice
