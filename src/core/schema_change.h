// StreamSchemaTracker: what a change source keeps to follow columns added and dropped at the
// source (StreamSource::schema_version()). The source matches the column names of each piece of
// self-describing metadata it meets (a pgoutput Relation message, a binlog TABLE_MAP with its
// column names) against its schema BY NAME, never by position; the tracker appends the new
// columns (to the schema and to the batch being filled, NULL for the rows already in it),
// counts the changes, and warns once per column that is no longer sent.
//
// Owned by the source; used on its thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/schema.h"

namespace sluice {

struct ColumnMatch {
  static constexpr size_t kNew = static_cast<size_t>(-1);
  // Per incoming column: its index in the schema, or kNew.
  std::vector<size_t> slots;
  // Schema columns the metadata does not carry (dropped at the source): NULL from now on.
  std::vector<size_t> absent;
  // Whether the incoming columns are the schema's, in its order (no mapping needed).
  bool identity = false;
};

// Matches `incoming` names against `schema`: exactly, or ignoring ASCII case when
// `ignore_case` (MySQL column names are case-insensitive).
ColumnMatch MatchColumns(const std::vector<std::string>& incoming, const Schema& schema,
                         bool ignore_case);

class StreamSchemaTracker {
 public:
  uint64_t version() const { return version_; }
  // Appends `field` (nullable: earlier rows have no value) to `schema`, and a column of its type
  // to `batch` holding NULL for each row already there; counts one change. Logs it.
  void AddColumn(const std::string& table, Field field, Schema& schema, Batch& batch);
  // Warns once per column (spdlog warn, naming table and column) that the source no longer
  // sends it: the target keeps the column, NULL for the rows from now on.
  void NoteAbsent(const std::string& table, const Schema& schema,
                  const std::vector<size_t>& absent);

 private:
  uint64_t version_ = 0;
  std::set<std::string> warned_;
};

}  // namespace sluice
