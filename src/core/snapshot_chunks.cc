#include "core/snapshot_chunks.h"

#include <fmt/format.h>

#include <algorithm>

namespace sluice {

std::string KeyIntText(KeyInt v) {
  if (v == 0) return "0";
  const bool negative = v < 0;
  // The magnitude as unsigned: -2^63 and 2^64-1 both fit.
  __extension__ unsigned __int128 m =
      negative ? static_cast<unsigned __int128>(-(v + 1)) + 1 : static_cast<unsigned __int128>(v);
  std::string digits;
  while (m > 0) {
    digits.push_back(static_cast<char>('0' + static_cast<int>(m % 10)));
    m /= 10;
  }
  if (negative) digits.push_back('-');
  std::reverse(digits.begin(), digits.end());
  return digits;
}

std::optional<KeyInt> ParseKeyInt(std::string_view text) {
  bool negative = false;
  if (!text.empty() && text.front() == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  // Up to 20 digits: the integer keys MySQL and PostgreSQL have (BIGINT UNSIGNED is 20 digits at
  // most).
  if (text.empty() || text.size() > 20) return std::nullopt;
  KeyInt v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return negative ? -v : v;
}

std::vector<KeyChunk> PlanIntegerChunks(std::optional<KeyInt> from, KeyInt min, KeyInt max,
                                        int64_t estimated_rows, int64_t chunk_rows) {
  KeyChunk all;
  if (from) {
    all.low = KeyIntText(*from);
  } else {
    all.with_nulls = true;  // an unsplit read: every row
  }
  const KeyInt start = from ? std::max(*from, min) : min;
  if (chunk_rows <= 0 || estimated_rows <= chunk_rows || max <= start) return {all};
  // The rows of [start, max], in proportion to the whole table's span.
  const KeyInt span = max - start + 1;
  const KeyInt whole = std::max<KeyInt>(max - min + 1, 1);
  const KeyInt rows = std::max<KeyInt>(estimated_rows * span / whole, 1);
  const KeyInt parts =
      std::clamp<KeyInt>((rows + chunk_rows - 1) / chunk_rows, 1, kMaxSnapshotChunks);
  if (parts <= 1) return {all};
  const KeyInt width = (span + parts - 1) / parts;
  std::vector<KeyChunk> ranges;
  std::optional<std::string> low =
      from ? std::optional<std::string>(KeyIntText(*from)) : std::nullopt;
  for (KeyInt next = start + width; next <= max; next += width) {
    KeyChunk r;
    r.low = low;
    r.high = KeyIntText(next);
    ranges.push_back(r);
    low = r.high;
  }
  KeyChunk last;
  last.low = low;
  ranges.push_back(last);
  return ranges;
}

std::string SnapshotMarker(const std::string& key, const std::optional<std::string>& rest_low) {
  return rest_low ? key + " >= " + *rest_low : key + ": all";
}

Result<std::optional<KeyInt>> ParseSnapshotMarker(const std::string& key, std::string_view text) {
  if (text == key + ": all") return std::optional<KeyInt>();
  const std::string prefix = key + " >= ";
  if (text.starts_with(prefix)) {
    if (std::optional<KeyInt> low = ParseKeyInt(text.substr(prefix.size()))) return low;
  }
  return Err(Status::Invalid("the snapshot's committed progress '{}' is not of key {}", text, key));
}

int64_t EstimatedRowsFrom(std::optional<KeyInt> from, KeyInt min, KeyInt max,
                          int64_t estimated_rows) {
  if (!from || *from <= min || max < min) return estimated_rows;
  if (*from > max) return 0;
  // An estimate: long double keeps the product of a row count and a 64-bit span in range.
  const long double share =
      static_cast<long double>(max - *from + 1) / static_cast<long double>(max - min + 1);
  return static_cast<int64_t>(static_cast<long double>(estimated_rows) * share + 0.5L);
}

std::string UnchunkedSnapshotWarning(const std::string& table, int64_t estimated_rows,
                                     const std::string& key_text) {
  return fmt::format(
      "{}: about {} rows are snapshotted in one target transaction, not in chunks: its key ({}) "
      "does not start with an integer column; a kill during the snapshot starts it over",
      table, estimated_rows, key_text);
}

}  // namespace sluice
