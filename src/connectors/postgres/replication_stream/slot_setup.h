// What a replication stream needs on the source server before it reads: the settings and
// rights it checks (each failure one line that says what to change), the job's publication
// and slot (named from the job, created or reused), and dropping them (`sluice state
// drop-slot JOB`). Plain SQL on a normal connection; the slot itself is created on the
// replication connection (replication_connection.h), which can export a snapshot.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "connectors/postgres/pg_connection.h"
#include "connectors/postgres/pg_table.h"
#include "connectors/postgres/replication/lsn.h"
#include "core/status.h"

namespace sluice::postgres::replication_stream {

// "sluice_" + the job name, lower case, every character outside [a-z0-9_] as '_', at most 63
// bytes (NAMEDATALEN - 1): a valid slot and publication name.
std::string DefaultSlotName(const std::string& job_name);

// wal_level = logical, and the role may replicate (REPLICATION or superuser).
Status CheckServer(PgConnection& conn, const std::string& where);
// What `table`'s deletes and key-changing updates carry of the old row: every column (REPLICA
// IDENTITY FULL), or only the primary key (DEFAULT) or the columns of a unique index (USING
// INDEX). An error when they would carry no key (NOTHING, DEFAULT without a primary key, an
// identity index that was dropped).
struct ReplicaIdentity {
  bool full = false;
  std::string index;                 // USING INDEX: its name
  std::vector<std::string> columns;  // not full: the columns, in the key's order
};
Result<ReplicaIdentity> ReadReplicaIdentity(PgConnection& conn, const PgTable& table);

// Creates the publication for `table` when missing. An existing one must publish the table:
// the job's own (`owned`: named by sluice, not by `publication:`) is extended to it (ALTER
// PUBLICATION ... ADD TABLE: a table created at the source since, which the job's patterns
// select); another one is an error saying what to run. A partitioned table's changes must be
// published under its own name (publish_via_partition_root): the job's publications are
// created so, its own are altered to it, another one is an error.
Status EnsurePublication(PgConnection& conn, const std::string& publication, const PgTable& table,
                         bool owned);
// The same for the tables of a realtime job over many tables: one publication lists them all.
Status EnsurePublication(PgConnection& conn, const std::string& publication,
                         const std::vector<PgTable>& tables, bool owned);

struct SlotState {
  replication::Lsn confirmed_flush;
  std::string plugin;  // "" for a physical slot
  bool active = false;
  std::string active_pid;  // of the connection that holds it, when active
  bool logical = false;
  std::string database;  // a logical slot's; "" for a physical one
  bool in_this_database = false;
};
// The slot of that name on the server (slot names are per server), or nullopt.
Result<std::optional<SlotState>> FindSlot(PgConnection& conn, const std::string& slot);
// A slot this job may use or drop: logical, of this database, decoding with pgoutput. Else an
// error that names what it is and says to name another slot.
Status CheckSlotIsUsable(const SlotState& found, const std::string& slot);
Status DropSlot(PgConnection& conn, const std::string& slot);

// "slot X retains 3.2 MB of WAL", or "" when the slot is gone.
Result<std::string> RetainedWal(PgConnection& conn, const std::string& slot);

// Drops the slot and the publication; says what it did ("dropped slot x and publication y",
// "no slot x ...").
Result<std::string> DropSlotAndPublication(const std::string& conninfo, const std::string& slot,
                                           const std::string& publication);

}  // namespace sluice::postgres::replication_stream
