// StreamSchemaTracker: what a change source keeps to follow columns added and dropped at the
// source (StreamSource::schema_version()). The source matches the column names of each piece of
// self-describing metadata it meets (a pgoutput Relation message, a binlog TABLE_MAP with its
// column names) against its schema BY NAME, never by position; the tracker appends the new
// columns (to the schema and to the batch being filled, NULL for the rows already in it),
// counts the changes, and warns once per column that is no longer sent.
//
// A dropped column stays in the stream's schema (and the target), NULL from the drop on. A run
// that starts after the drop would no longer know it (Open reads the table's current shape),
// and its updates would leave the column's old values in the target: so the columns the
// latest metadata lacked travel with the positions (DroppedPosition(), committed with the rows
// like any position), and Restore() at Start puts them back into the schema.
//
// A source whose stream carries no DROP statements (PostgreSQL: a Relation message of the new
// shape is all it sees) has a second gap: a checkpoint taken before the drop, and a restart
// from it once the column is gone from the catalog. The restarted run opens without the
// column, and its first metadata may already lack it, so it would never learn of the drop.
// Such a source commits all its columns with each position as well (KnownColumnsPosition());
// Restore() puts back the ones the catalog lost, neither dropped nor carried: the next
// metadata tells which they are (NoteMetadata, with `exists_now`).
//
// Owned by the source; used on its thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/schema.h"
#include "core/sink.h"
#include "core/status.h"

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

// Whether a column of type `to` holds every value of a column of type `from`, and `to` differs:
// longer text or bytes (precision 0: unbounded), a wider integer (an unsigned one into a
// wider signed one too), a decimal with as many digits before and after the point or more (or
// unbounded). What a realtime run follows of a column's type change (Field::widened_at_source).
bool IsWiderType(const DataType& from, const DataType& to);

// Whether a column of type `wide` holds every value of type `narrow`: the same, or wider.
bool Covers(const DataType& wide, const DataType& narrow);

// `type` as a message names it: "string(50)", "bytes", "decimal(10,2)", "int64".
std::string LengthName(const DataType& type);

// Matches `incoming` names against `schema`: exactly, or ignoring ASCII case when
// `ignore_case` (MySQL column names are case-insensitive).
ColumnMatch MatchColumns(const std::vector<std::string>& incoming, const Schema& schema,
                         bool ignore_case);

// `column` holds a NULL for each row of a batch from before `field` was added at the source
// (the rows the change stream had read before the new column's first metadata): the source gave
// those rows Field::added_default when the column was added, so they take it here too instead
// of NULL. Unchanged when the field has no known default or a cell is not NULL.
void FillAddedDefault(const std::string& table, const Field& field, Column& column);

// The one-cell column holding `field`'s added_default, or nullopt when it has none or the text
// is not a value of its type (warned, naming `table` and the column).
std::optional<Column> AddedDefaultCell(const std::string& table, const Field& field);

class StreamSchemaTracker {
 public:
  uint64_t version() const { return version_; }
  // Appends `field` (nullable: earlier rows have no value) to `schema`, and a column of its type
  // to `batch` holding, for each row already there, the field's added_default when it has one
  // (FillAddedDefault), else NULL; counts one change. Logs it.
  void AddColumn(const std::string& table, Field field, Schema& schema, Batch& batch);
  // Schema column `index` was widened at the source (VARCHAR(50) -> VARCHAR(300) or TEXT, INT
  // -> BIGINT, DECIMAL(10,2) -> DECIMAL(12,2): IsWiderType) to `field`'s type: gives it that
  // type and native type when wider than its own (and the batch column too; its values stay
  // as they are), and marks it Field::widened_at_source. A column as wide already (a run that
  // read the table's newest type from the catalog meets the change again after a restart) is
  // marked only. Counts one change when it did either, so the engine has the target take the
  // wider values (Sink::AddColumns). Logs it.
  void Widen(const std::string& table, const Field& field, Schema& schema, Batch& batch,
             size_t index);
  // Warns once per column (spdlog warn, naming table and column) that the source no longer
  // sends it: the target keeps the column, NULL for the rows from now on. Marks it
  // Field::dropped_at_source, and counts one change when a column becomes so: the engine then
  // has the target accept NULL there (a column created NOT NULL from the source would refuse
  // the rows; Sink::AddColumns).
  void NoteAbsent(const std::string& table, Schema& schema, const std::vector<size_t>& absent);
  // What a source calls with each piece of metadata it matched (MatchColumns): notes the names
  // it carries, and splits the schema columns it lacks (match.absent) into dropped ones (noted
  // by NoteAbsent) and ones not added yet, which it returns. A column not added yet is one the
  // schema had when the stream opened (the table's current shape), which no metadata of this
  // run carried, no statement dropped and no committed position names as dropped: the source
  // added it after the position the stream reads at (a run started, or restarted, before an
  // ADD COLUMN it has yet to read). At the source, the rows written before the ADD hold the
  // ADD's default (Field::added_default), or a value an update gave them after it, which the
  // stream brings when it gets there; so the source gives these rows the default, not NULL.
  // A source whose stream carries no DROP statements (PostgreSQL) passes `exists_now`: a
  // column dropped after Open looks the same until the catalog says it is gone.
  std::vector<size_t> NoteMetadata(const std::string& table, Schema& schema,
                                   const ColumnMatch& match,
                                   const std::function<bool(const std::string&)>& exists_now = {});
  // A statement of the source said it dropped schema column `index`: it counts as absent at
  // once (a checkpoint before the table's next metadata still carries it), warned like above;
  // marked and counted at that next metadata (NoteAbsent).
  void NoteDropped(const std::string& table, Schema& schema, size_t index);
  // The position (stream kDroppedColumnsStream) naming the schema's columns the latest
  // metadata lacked, with their types; nullopt when there are none.
  std::optional<StreamPosition> DroppedPosition(const Schema& schema) const;
  // The position (stream kKnownColumnsStream) naming all the schema's columns with their types;
  // nullopt when the text would not fit a target's position column (kMaxKnownColumnsBytes).
  static std::optional<StreamPosition> KnownColumnsPosition(const Schema& schema);
  // At Start: appends to `schema` the columns a committed DroppedPosition in `resume_from`
  // names and `schema` lacks (nullable), marks them dropped_at_source; appends the columns a
  // committed KnownColumnsPosition names and `schema` lacks (nullable, not marked: dropped
  // after that position, which the stream's metadata will show), and gives the schema's
  // columns that list names with another type that type back (retyped after the position:
  // the stream's metadata from after the change then differs, and says so); counts one change
  // if it added, marked or retyped any.
  Status Restore(const std::vector<StreamPosition>& resume_from, Schema& schema);
  // The column names of the KnownColumnsPosition Restore() read: the table's columns as the
  // run that committed the position knew them; nullopt when it read none.
  const std::optional<std::vector<std::string>>& committed_columns() const {
    return committed_columns_;
  }

  // Whether `stream` is one of the two above: the stream's columns, not a place in the
  // source's log.
  static bool IsColumnsStream(const std::string& stream) {
    return stream == kDroppedColumnsStream || stream == kKnownColumnsStream ||
           stream == kModifiedColumnsStream;
  }

  static constexpr const char* kDroppedColumnsStream = "dropped_columns";
  static constexpr const char* kKnownColumnsStream = "columns";
  // Columns a statement of the source modified (MariaDB/MySQL ALTER TABLE ... MODIFY) whose
  // result the stream has not seen yet (it shows in the table's next TABLE_MAP): a run
  // restarted past the statement still judges it there. Kept by the binlog stream.
  static constexpr const char* kModifiedColumnsStream = "modified_columns";
  // MySQL's TEXT, the smallest position column of the targets, holds 65,535 bytes.
  static constexpr size_t kMaxKnownColumnsBytes = 60000;

 private:
  uint64_t version_ = 0;
  std::set<std::string> warned_;
  std::set<std::string> absent_;                // schema columns the latest metadata lacked
  std::set<std::string> carried_;               // columns some metadata of this run carried
  std::set<std::string> dropped_by_statement_;  // NoteDropped
  std::set<std::string> noted_not_added_;       // said once each
  std::optional<std::vector<std::string>> committed_columns_;

  // Marks schema column `index` dropped at the source; counts one change if it was not.
  void MarkDropped(Schema& schema, size_t index);
};

}  // namespace sluice
