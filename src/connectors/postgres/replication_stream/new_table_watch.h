// NewTableWatch: the tables created in the source database while a stream over many tables
// runs (StreamSource::TakeCreatedTables). PostgreSQL writes no DDL to the WAL, and a job's
// publication lists its tables, so the stream never sees a new table's CREATE or its rows: the
// catalog is looked at instead, every 10 s at most. The engine keeps those the job's patterns
// select and starts the run again, which snapshots and streams them
// (engine/multi_stream_runner.cc).
//
// A table counts once it can be streamed: always when the job owns its publication (a start
// adds the table to it), else once the user's publication publishes it (FOR ALL TABLES, a
// schema, or an ALTER PUBLICATION ... ADD TABLE later on: looked for again at every look).
// A table renamed since (ALTER TABLE ... RENAME TO) counts as created under its new name.
// Used by the stream's thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "connectors/postgres/pg_connection.h"
#include "core/status.h"
#include "core/stream_source.h"

namespace sluice::postgres::replication_stream {

class NewTableWatch {
 public:
  // Remembers the tables there are now: none of them is new.
  Status Start(PgConnection& conn, const std::string& publication);
  // The tables created since Start that can be streamed, each returned once; empty when the
  // last look was less than 10 s ago. `owned`: the job owns its publication.
  Result<std::vector<CreatedTable>> Look(PgConnection& conn, bool owned);

 private:
  struct Listed {
    uint32_t oid = 0;
    CreatedTable table;
    bool published = false;
  };
  Result<std::vector<Listed>> List(PgConnection& conn) const;

  // "oid schema.name" of each table seen: a table renamed into the job's patterns counts as new.
  static std::string KnownKey(const Listed& l);

  std::string publication_;
  std::unordered_set<std::string> known_;
  std::chrono::steady_clock::time_point next_look_;
  bool started_ = false;
};

}  // namespace sluice::postgres::replication_stream
