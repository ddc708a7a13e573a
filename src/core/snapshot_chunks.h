// Key ranges of an initial snapshot committed in chunks (core/stream_source.h,
// AllowSnapshotChunks), over an integer key: equal widths of the key's span, sized so that a
// range holds about `chunk_rows` of the table's estimated rows. They come from MIN, MAX and
// the catalog's row estimate alone (index lookups), so chunking reads no row twice, where
// ranges at quantiles (a connector's split planning) would walk the whole key index first.
// Shared by the change streams of every connector; each turns a KeyChunk into its own range. A
// skewed key gives ranges of uneven sizes, never a wrong one: the first is unbounded below, the
// last unbounded above, and each begins where the one before ends.
//
// The progress marker committed at a chunk's end names the first key not yet written
// ("id >= 250001"); a restart plans the rest from there.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sluice {

__extension__ typedef __int128 KeyInt;

// low <= key < high; with_nulls: the NULL keys too (the unsplit read of every row).
struct KeyChunk {
  std::optional<std::string> low;   // decimal text; absent: unbounded
  std::optional<std::string> high;  // decimal text; absent: unbounded
  bool with_nulls = false;
  bool operator==(const KeyChunk&) const = default;
};

// At most this many ranges, however small chunk_rows is against the table.
inline constexpr int64_t kMaxSnapshotChunks = 100000;

// The ranges for keys from `from` (a resumed snapshot; none: all keys) up to `max`, the
// smallest key being `min`; one range when the estimate fits one chunk.
std::vector<KeyChunk> PlanIntegerChunks(std::optional<KeyInt> from, KeyInt min, KeyInt max,
                                        int64_t estimated_rows, int64_t chunk_rows);

// The rows still to read from `from` on (a resumed snapshot's share of the key span, or all
// `estimated_rows`): for the status line's progress.
int64_t EstimatedRowsFrom(std::optional<KeyInt> from, KeyInt min, KeyInt max,
                          int64_t estimated_rows);

// The warning for a large table whose snapshot cannot be chunked (its key, `key_text`, is not
// one integer column): it stays one target transaction, and a kill in it starts it over.
std::string UnchunkedSnapshotWarning(const std::string& table, int64_t estimated_rows,
                                     const std::string& key_text);

// An integer's decimal text (the SQL literal of the key), and back; nullopt for anything else.
std::string KeyIntText(KeyInt v);
std::optional<KeyInt> ParseKeyInt(std::string_view text);

// The marker of the keys still to read: "<key> >= <low>", or "<key>: all" before the first
// range ends. ParseSnapshotMarker gives the low back (nullopt: all keys), or an error when
// the marker names another key or is not one.
std::string SnapshotMarker(const std::string& key, const std::optional<std::string>& rest_low);
Result<std::optional<KeyInt>> ParseSnapshotMarker(const std::string& key, std::string_view text);

}  // namespace sluice
