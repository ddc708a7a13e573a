// Column: the values of one field for the rows of a batch.
//
// Lifecycle: filled by one thread (a reader or a transform), then moved through a queue to the
// thread that consumes it; never shared between threads at the same time.
// Layout: a validity byte per row, and either one int64 slot per row (fixed types) or offsets
// into one byte buffer (var types).
// Cell states: a value, NULL, or "unchanged": a change row whose source did not send this
// value because the change did not touch it (PostgreSQL's unchanged TOASTed values), so the
// target must keep what it has. An unchanged cell reads as NULL to IsNull(), holds no value,
// and exists only in change rows (RowKind::kUpdateAfter); code that writes values must check
// has_unchanged() and either keep the target's value or refuse the batch, never write NULL.
// Appending never allocates per value: the vectors grow geometrically and are reused when a batch
// is cleared.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.h"

namespace sluice {

class Column {
 public:
  Column() = default;
  explicit Column(DataType type) : type_(type) { Clear(); }

  const DataType& type() const { return type_; }
  TypeId id() const { return type_.id; }
  bool is_var() const { return IsVarWidth(type_.id); }
  size_t size() const { return valid_.size(); }

  // Drops the values but keeps the memory for the next batch.
  void Clear() {
    overflowed_ = false;
    has_unchanged_ = false;
    valid_.clear();
    fixed_.clear();
    offsets_.clear();
    data_.clear();
    if (is_var()) offsets_.push_back(0);
  }
  // Changes the type of an empty column.
  void Reset(DataType type) {
    type_ = type;
    Clear();
  }
  // A wider type whose values are stored alike, the values kept: another length or precision
  // of the same type, or another integer type (all are 64-bit here). For a source column
  // widened while its rows were being read (core/schema_change.h).
  void Widen(DataType type) {
    if (type.id == type_.id || (IsInteger(type.id) && IsInteger(type_.id))) type_ = type;
  }
  void Reserve(size_t rows, size_t bytes = 0) {
    valid_.reserve(rows);
    if (is_var()) {
      offsets_.reserve(rows + 1);
      data_.reserve(bytes);
    } else {
      fixed_.reserve(rows);
    }
  }

  // --- appending -------------------------------------------------------------------------
  void AppendNull() {
    valid_.push_back(0);
    if (is_var()) {
      offsets_.push_back(static_cast<uint32_t>(data_.size()));
    } else {
      fixed_.push_back(0);
    }
  }
  // A cell the change did not send (see the header comment): the target keeps its value.
  void AppendUnchanged() {
    AppendNull();
    valid_.back() = kUnchanged;
    has_unchanged_ = true;
  }
  void AppendInt(int64_t v) {
    valid_.push_back(1);
    fixed_.push_back(v);
  }
  void AppendUInt(uint64_t v) { AppendInt(static_cast<int64_t>(v)); }
  void AppendBool(bool v) { AppendInt(v ? 1 : 0); }
  void AppendDouble(double v) { AppendInt(std::bit_cast<int64_t>(v)); }
  void AppendBytes(std::string_view v) {
    if (v.size() > kMaxVarBytes - data_.size()) [[unlikely]] {
      return AppendOverflow();
    }
    valid_.push_back(1);
    data_.append(v.data(), v.size());
    offsets_.push_back(static_cast<uint32_t>(data_.size()));
  }
  // Copies row `row` of `other`, which must have the same physical layout.
  void AppendFrom(const Column& other, size_t row) {
    if (other.IsUnchanged(row)) {
      AppendUnchanged();
    } else if (other.IsNull(row)) {
      AppendNull();
    } else if (is_var()) {
      AppendBytes(other.GetView(row));
    } else {
      AppendInt(other.fixed_[row]);
    }
  }

  // Appends a copy of this column's own row `row` (a value an image repeats from an earlier
  // one). The bytes are copied after reserving room, so they never move while being read.
  void AppendCopyOf(size_t row) {
    if (!is_var() || IsNull(row)) return AppendFrom(*this, row);
    const uint32_t begin = offsets_[row], end = offsets_[row + 1];
    if (end - begin > kMaxVarBytes - data_.size()) [[unlikely]] {
      return AppendOverflow();
    }
    data_.reserve(data_.size() + (end - begin));
    data_.append(data_, begin, end - begin);
    valid_.push_back(1);
    offsets_.push_back(static_cast<uint32_t>(data_.size()));
  }

  // For writers that build a var value in pieces: append to MutableData(), then CommitVar().
  std::string& MutableData() { return data_; }
  void CommitVar() {
    if (data_.size() > kMaxVarBytes) [[unlikely]] {
      data_.resize(offsets_.back());
      return AppendOverflow();
    }
    valid_.push_back(1);
    offsets_.push_back(static_cast<uint32_t>(data_.size()));
  }
  // True when a value did not fit the 32-bit offsets (it was stored as a null); the batch must
  // not be written: the engine fails the run naming the column.
  bool offsets_overflowed() const { return overflowed_; }

  // --- reading ---------------------------------------------------------------------------
  bool IsNull(size_t row) const { return valid_[row] != kValue; }
  bool IsUnchanged(size_t row) const { return valid_[row] == kUnchanged; }
  // Whether an unchanged cell was appended since the last Clear() (it may have been filtered
  // out since: a hint that is never false when one is there).
  bool has_unchanged() const { return has_unchanged_; }
  int64_t GetInt(size_t row) const { return fixed_[row]; }
  uint64_t GetUInt(size_t row) const { return static_cast<uint64_t>(fixed_[row]); }
  bool GetBool(size_t row) const { return fixed_[row] != 0; }
  double GetDouble(size_t row) const { return std::bit_cast<double>(fixed_[row]); }
  std::string_view GetView(size_t row) const {
    return std::string_view(data_.data() + offsets_[row], offsets_[row + 1] - offsets_[row]);
  }

  // Raw access for tight loops and bulk copies.
  const std::vector<uint8_t>& validity() const { return valid_; }
  std::vector<uint8_t>& mutable_validity() { return valid_; }
  const std::vector<int64_t>& fixed() const { return fixed_; }
  std::vector<int64_t>& mutable_fixed() { return fixed_; }
  const std::vector<uint32_t>& offsets() const { return offsets_; }
  const std::string& data() const { return data_; }

  // Approximate memory held by the values, for rate limits and progress (not capacity).
  size_t ByteSize() const {
    return valid_.size() + (is_var() ? data_.size() + offsets_.size() * 4 : fixed_.size() * 8);
  }

  // Keeps only the rows whose `keep` byte is non-zero, in order. Used by filters.
  void Filter(const std::vector<uint8_t>& keep);

 private:
  // The most value bytes one column of a batch can address with 32-bit offsets.
  static constexpr size_t kMaxVarBytes = UINT32_MAX;
  // Validity byte values: 0 is NULL.
  static constexpr uint8_t kValue = 1;
  static constexpr uint8_t kUnchanged = 2;

  // Keeps the column's shape (one more row) without the value that does not fit; cold.
  void AppendOverflow() {
    overflowed_ = true;
    valid_.push_back(0);
    offsets_.push_back(static_cast<uint32_t>(data_.size()));
  }

  DataType type_;
  bool overflowed_ = false;
  bool has_unchanged_ = false;
  std::vector<uint8_t> valid_;
  std::vector<int64_t> fixed_;
  std::vector<uint32_t> offsets_;
  std::string data_;
};

}  // namespace sluice
