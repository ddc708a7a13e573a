// PgSplitReader: streams the rows of one split with COPY (SELECT ...) TO STDOUT (binary).
//
// Lifecycle: created by PgSource::OpenSplit (on any thread), then used by one worker thread
// only. It owns its own connection, so splits are read in parallel. The COPY streams: rows
// are decoded as they arrive (PQgetCopyData, one row per message) and never buffered beyond
// the current batch. With a snapshot, the reader runs in a REPEATABLE READ transaction that
// imports it (SET TRANSACTION SNAPSHOT), so every split sees the same data.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "connectors/postgres/pg_connection.h"
#include "connectors/postgres/pg_copy_decoder.h"
#include "connectors/postgres/pg_splits.h"
#include "core/source.h"

namespace sluice::postgres {

// Everything a split reader needs, prepared once by the source and copied into each reader.
struct ReadPlan {
  std::string conninfo;
  std::string label;                    // "public.orders", for messages
  std::string select_sql;               // "SELECT a, b::text FROM "public"."orders"", without WHERE
  std::vector<std::string> conditions;  // `where` and the watermark range, ANDed
  std::string key_sql;                  // split key; empty when the read is not split
  std::string key_type;
  Schema schema;
  std::vector<Wire> wires;
  std::string snapshot;  // exported snapshot id; empty: each reader takes its own
  SpecialValues special = SpecialValues::kError;
  BatchLimits limits;

  // " WHERE a AND b" for these conditions plus `extra` (may be empty).
  std::string WhereClause(const std::string& extra = "") const;
};

class PgSplitReader : public SplitReader {
 public:
  static Result<std::unique_ptr<PgSplitReader>> Open(const ReadPlan& plan, const KeyRange& range,
                                                     int split_index);
  ~PgSplitReader() override;

  Result<bool> Next(Batch& batch, RejectSink& rejects) override;

 private:
  PgSplitReader(const ReadPlan& plan, int split_index)
      : plan_(plan), split_index_(split_index), decoder_(plan.wires, plan.special) {}
  Status Finish();

  ReadPlan plan_;
  int split_index_;
  PgConnection conn_;
  CopyDecoder decoder_;
  std::vector<uint8_t> keep_;
  bool copying_ = false;
  bool done_ = false;
};

}  // namespace sluice::postgres
