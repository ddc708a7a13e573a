// ChangeEventFormatter: writes the change rows of a realtime run as Debezium-style events, one
// JSON object per line:
//   {"op":"u","before":{...},"after":{...},"source":{"connector":"mysql","db":"shop",
//    "table":"orders","position":"mysql-bin.000003:1234","ts_ms":1764979200000,
//    "snapshot":false},"ts_ms":1764979200123}
// Downstream tools (Debezium consumers, Materialize, ksqlDB) read this envelope; the engine
// keeps its own change record (Batch + RowKind) and formats it only here, at the edge.
//
// Ops: kInsert is "c" ("r" in a snapshot batch); a kUpdateBefore followed by its kUpdateAfter is
// one "u" with both images; an update without a before image is "u" with before null, and a
// before image whose after image a filter dropped is "u" with after null. An update that changes
// the key (`key` columns, when the target names them) is written as Debezium writes it: a "d" of
// the old row, then a "c" of the new one. kDelete is "d" with the old row as before.
//
// source.position is the batch's position: the source position after the batch's last
// transaction (so every event of a batch carries the same one; it is where a consumer resumes
// once it has everything up to it). source.ts_ms is the row's commit time when the source knows
// it, null otherwise. Values are encoded exactly as the plain-rows format encodes them
// (JsonlRowFormatter), so switching formats changes the envelope and nothing else.
//
// Used by one writer thread; no shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "connectors/jsonl/jsonl_row_formatter.h"
#include "core/batch.h"
#include "core/schema.h"

namespace sluice {

struct ChangeEventSource {
  std::string connector;         // the source connector's type ("mysql", "postgres")
  std::vector<std::string> key;  // key columns; empty: an update is never a key move
};

class ChangeEventFormatter {
 public:
  ChangeEventFormatter(const JsonlWriteFormat& format, const Schema& schema,
                       ChangeEventSource source);
  // Appends one event line per change in `batch`; `now_ms` is the events' "ts_ms" (when they
  // were written). `force_snapshot`: every row is a read ("r"), for batch runs.
  void AppendEvents(const Batch& batch, int64_t now_ms, bool force_snapshot, std::string& out);
  // Appends the event of a TRUNCATE of `batch`'s source table (op "t", no row images), which
  // came before `batch`'s rows.
  void AppendTruncate(const Batch& batch, int64_t now_ms, std::string& out);

 private:
  // Keeps the db and table of `batch`'s source_table, as JSON.
  void NoteSourceTable(const Batch& batch);
  void AppendEvent(char op, const Batch& batch, std::optional<size_t> before,
                   std::optional<size_t> after, size_t source_row, bool snapshot, std::string& out);
  void AppendSource(const Batch& batch, size_t row, bool snapshot, std::string& out) const;
  bool KeyMoved(const Batch& batch, size_t before, size_t after) const;

  JsonlRowFormatter rows_;
  std::string connector_json_;  // the quoted connector name, or null
  std::vector<size_t> key_columns_;
  // The db and table of the last batch's source_table, as JSON, kept between batches.
  std::string source_table_;
  std::string db_json_ = "null";
  std::string table_json_ = "null";
  std::string now_json_;  // the current batch's write time
};

}  // namespace sluice
