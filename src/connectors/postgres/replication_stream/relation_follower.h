// RelationFollower: maps the streamed table's pgoutput Relation messages onto the stream's
// schema BY NAME, so a realtime job follows ALTER TABLE ... ADD/DROP COLUMN at the source
// (core/stream_source.h, schema_version()).
//
// pgoutput sends a Relation (names and types, as of the change's own catalog snapshot) at the
// start of each streaming session and before the first change after the table's definition
// changed, so every change decodes against the shape it was written with, also after a restart
// from a position before the DDL (when the table's current shape, read at Open, is the new one).
//   - a column the schema lacks, after every known one (ADD COLUMN appends): appended to the
//     schema and to the batch being filled, NULL for the rows already in it;
//   - a schema column the Relation lacks (DROP COLUMN): NULL from now on, warned once;
//     unless no Relation of this run carried it (nor was it dropped): then it is a column added
//     after these changes were written (a run started before an ADD COLUMN it has yet to read),
//     and the rows take the ADD's constant default, as they did at the source;
//   - a known column with another type, or, between two Relations of one session, a new name
//     among known ones or a name gone while another appeared (a rename cannot be told from a
//     drop plus an add): an error naming the table and what to do.
//   - the same rename check at a session's first Relation (a restart, a reconnect), against
//     the names the job had met before it: the committed column list (a restart), or the
//     table's shape at Open (a fresh start), and every Relation of the run since. Against the
//     table's current shape it could not see a rename made while no run streamed: the catalog
//     read at Open already has the new name. A name counts as gone there only when the catalog
//     no longer has it either (`exists_now`): the first Relation may predate columns the
//     catalog added since.
//
// Owned by PgReplicationStream, used on its thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "connectors/postgres/replication/tuple_to_batch.h"
#include "core/batch.h"
#include "core/schema.h"
#include "core/schema_change.h"
#include "core/status.h"

namespace sluice::postgres::replication_stream {

class RelationFollower {
 public:
  // A new streaming session: the next Relation is its first (no rename check against the
  // one before, which may predate any number of changes).
  void Restart() { previous_.clear(); }
  // `relation` is PlanTuple's plan of the Relation alone; returns the plan of the whole schema,
  // which AppendTuple takes with Map()'s tuples. May widen `schema` and `batch`.
  // `exists_now` says whether a column is in the table's catalog now: a schema column no
  // Relation of this run carried is one added after these changes when it still is, and one
  // dropped since Open when not (StreamSchemaTracker::NoteMetadata).
  Result<replication::TuplePlan> Plan(const replication::TuplePlan& relation,
                                      const std::string& label, Schema& schema, Batch& batch,
                                      const std::function<bool(const std::string&)>& exists_now);
  // `tuple` (of the last planned Relation) as a tuple of the schema.
  Result<const replication::TupleData*> Map(const replication::TupleData& tuple);
  uint64_t version() const { return tracker_.version(); }
  // The dropped columns' position and their restore at Start (core/schema_change.h).
  StreamSchemaTracker& tracker() { return tracker_; }
  const StreamSchemaTracker& tracker() const { return tracker_; }

 private:
  // The rename check of a session's first Relation (see the file comment).
  Status CheckFirstOfSession(const std::vector<std::string>& names, const std::string& label,
                             const Schema& schema,
                             const std::function<bool(const std::string&)>& exists_now);

  StreamSchemaTracker tracker_;
  std::vector<size_t> slots_;  // per Relation column: its schema column
  size_t width_ = 0;           // the schema's columns
  bool identity_ = true;
  std::vector<std::string> previous_;  // the last Relation's names, this session
  std::set<std::string> met_;          // the names the job met before this run's Relations
  bool met_seeded_ = false;
  replication::TupleData mapped_;
  // Schema columns not added yet, and their default as text (Plan).
  std::vector<std::pair<size_t, std::string>> fills_;
};

}  // namespace sluice::postgres::replication_stream
