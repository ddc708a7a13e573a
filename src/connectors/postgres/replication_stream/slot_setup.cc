#include "connectors/postgres/replication_stream/slot_setup.h"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <cctype>

#include <fmt/format.h>

namespace sluice::postgres::replication_stream {

std::string DefaultSlotName(const std::string& job_name) {
  std::string out = "sluice_";
  for (unsigned char c : job_name) {
    const char lower = static_cast<char>(std::tolower(c));
    out += (std::isalnum(c) && c < 0x80) ? lower : '_';
  }
  if (out.size() > 63) out.resize(63);
  return out;
}

Status CheckServer(PgConnection& conn, const std::string& where) {
  SLUICE_ASSIGN_OR_RETURN(PgResult r,
                          conn.Query("SELECT current_setting('wal_level'), r.rolreplication OR "
                                     "r.rolsuper, current_user FROM pg_roles r WHERE r.rolname = "
                                     "current_user",
                                     where + ": replication settings"));
  if (r.rows() != 1) return Status::Internal("{}: the current role is not in pg_roles", where);
  if (r.Text(0, 0) != "logical") {
    return Status::Invalid(
        "{}: wal_level is '{}', change capture needs logical: set wal_level = logical in "
        "postgresql.conf and restart the server",
        where, r.Text(0, 0));
  }
  if (!r.Bool(0, 1)) {
    return Status::Invalid(
        "{}: role {} may not replicate: ALTER ROLE {} REPLICATION (or connect as a role that "
        "has it)",
        where, r.Text(0, 2), QuoteIdent(r.Text(0, 2)));
  }
  return Status::OK();
}

Result<ReplicaIdentity> ReadReplicaIdentity(PgConnection& conn, const PgTable& table) {
  const std::string context = "replica identity of " + table.Label();
  SLUICE_ASSIGN_OR_RETURN(
      PgResult r, conn.Query("SELECT relreplident FROM pg_class WHERE oid = $1::oid", context,
                             {std::to_string(table.oid)}));
  const std::string ident = r.rows() == 1 ? r.Str(0, 0) : "d";
  ReplicaIdentity identity;
  if (ident == "f") {
    identity.full = true;
    return identity;
  }
  if (ident == "d" && !table.primary_key.empty()) {
    identity.columns = table.primary_key;
    return identity;
  }
  if (ident == "i") {
    // The index's key columns in its order (PostgreSQL falls back to NOTHING when the index
    // is dropped).
    SLUICE_ASSIGN_OR_RETURN(
        PgResult cols,
        conn.Query("SELECT c.relname, a.attname FROM pg_index i JOIN pg_class c ON c.oid = "
                   "i.indexrelid JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = "
                   "ANY (i.indkey) WHERE i.indrelid = $1::oid AND i.indisreplident ORDER BY "
                   "array_position(i.indkey::int2[], a.attnum)",
                   context, {std::to_string(table.oid)}));
    for (int row = 0; row < cols.rows(); ++row) {
      identity.index = cols.Str(row, 0);
      identity.columns.push_back(cols.Str(row, 1));
    }
    if (!identity.columns.empty()) return identity;
  }
  return Err(Status::Invalid(
      "{}: updates and deletes would not carry the row's key ({}): add a primary key or ALTER "
      "TABLE {} REPLICA IDENTITY FULL",
      table.Label(),
      ident == "n"   ? "REPLICA IDENTITY NOTHING"
      : ident == "i" ? "the REPLICA IDENTITY index is gone"
                     : "no primary key, REPLICA IDENTITY DEFAULT",
      table.Qualified()));
}

namespace {

// Created by a job: a partitioned table's changes, made in its partitions, are published under
// the table's own name (publish_via_partition_root), as the job asked for it; without it they
// would arrive under each partition's name and pass the job by.
constexpr const char* kPublicationOptions = " WITH (publish_via_partition_root = true)";

Status EnsurePublishedViaRoot(PgConnection& conn, const std::string& publication,
                              const PgTable& table, bool owned) {
  if (table.relkind != 'p') return Status::OK();
  const std::string context = "publication " + publication;
  SLUICE_ASSIGN_OR_RETURN(
      PgResult p, conn.Query("SELECT pubviaroot FROM pg_publication WHERE pubname = $1", context,
                             {publication}));
  if (p.rows() == 1 && p.Bool(0, 0)) return Status::OK();
  if (owned) {
    spdlog::info(
        "publication {} publishes the partitions of {} under their own names: setting "
        "publish_via_partition_root",
        publication, table.Label());
    return conn.Exec(fmt::format("ALTER PUBLICATION {} SET (publish_via_partition_root = true)",
                                 QuoteIdent(publication)),
                     "setting publish_via_partition_root on " + context);
  }
  return Status::Invalid(
      "{} is partitioned and publication {} publishes its changes under each partition's name, "
      "which the job would never see: ALTER PUBLICATION {} SET (publish_via_partition_root = "
      "true), or name another one with `publication:`",
      table.Label(), publication, QuoteIdent(publication));
}

}  // namespace

Status EnsurePublication(PgConnection& conn, const std::string& publication, const PgTable& table,
                         bool owned) {
  const std::string context = "publication " + publication;
  SLUICE_ASSIGN_OR_RETURN(
      // Listed by itself (a partitioned table's root too), or published as part of all tables or
      // of its schema (FOR TABLES IN SCHEMA, which pg_publication_tables expands).
      PgResult p,
      conn.Query("SELECT puballtables OR EXISTS (SELECT 1 FROM pg_publication_rel pr WHERE "
                 "pr.prpubid = p.oid AND pr.prrelid = $2::oid) OR EXISTS (SELECT 1 FROM "
                 "pg_publication_tables pt WHERE pt.pubname = p.pubname AND pt.schemaname = $3 "
                 "AND pt.tablename = $4) FROM pg_publication p WHERE p.pubname = $1",
                 context, {publication, std::to_string(table.oid), table.schema, table.name}));
  if (p.rows() == 0) {
    return conn.Exec(fmt::format("CREATE PUBLICATION {} FOR TABLE {}{}", QuoteIdent(publication),
                                 table.Qualified(), kPublicationOptions),
                     "creating " + context);
  }
  if (!p.Bool(0, 0) && owned) {
    // Its changes are published from this commit on; the job has no position for the table,
    // so it snapshots it after this (its snapshot's point lies past the commit).
    spdlog::info("publication {} does not publish {} yet: adding it", publication, table.Label());
    SLUICE_RETURN_IF_ERROR(conn.Exec(fmt::format("ALTER PUBLICATION {} ADD TABLE {}",
                                                 QuoteIdent(publication), table.Qualified()),
                                     "adding " + table.Label() + " to " + context));
    return EnsurePublishedViaRoot(conn, publication, table, owned);
  }
  if (!p.Bool(0, 0)) {
    return Status::Invalid(
        "publication {} exists but does not publish {}: ALTER PUBLICATION {} ADD TABLE {}, or "
        "name another one with `publication:`",
        publication, table.Label(), QuoteIdent(publication), table.Qualified());
  }
  return EnsurePublishedViaRoot(conn, publication, table, owned);
}

Status EnsurePublication(PgConnection& conn, const std::string& publication,
                         const std::vector<PgTable>& tables, bool owned) {
  const std::string context = "publication " + publication;
  SLUICE_ASSIGN_OR_RETURN(PgResult p, conn.Query("SELECT 1 FROM pg_publication WHERE pubname = $1",
                                                 context, {publication}));
  if (p.rows() == 0) {
    std::string list;
    for (const PgTable& t : tables) list += (list.empty() ? "" : ", ") + t.Qualified();
    return conn.Exec(fmt::format("CREATE PUBLICATION {} FOR TABLE {}{}", QuoteIdent(publication),
                                 list, kPublicationOptions),
                     "creating " + context);
  }
  for (const PgTable& t : tables) {
    SLUICE_RETURN_IF_ERROR(EnsurePublication(conn, publication, t, owned));
  }
  return Status::OK();
}

Result<std::optional<SlotState>> FindSlot(PgConnection& conn, const std::string& slot) {
  SLUICE_ASSIGN_OR_RETURN(PgResult r,
                          conn.Query("SELECT confirmed_flush_lsn::text, plugin, active, "
                                     "slot_type, database, database = current_database(), "
                                     "active_pid FROM pg_replication_slots WHERE slot_name = $1",
                                     "slot " + slot, {slot}));
  if (r.rows() == 0) return std::optional<SlotState>();
  SlotState s;
  if (!r.IsNull(0, 0)) {
    SLUICE_ASSIGN_OR_RETURN(s.confirmed_flush, replication::Lsn::Parse(r.Text(0, 0)));
  }
  s.plugin = r.IsNull(0, 1) ? "" : r.Str(0, 1);
  s.active = r.Bool(0, 2);
  s.logical = r.Str(0, 3) == "logical";
  s.database = r.IsNull(0, 4) ? "" : r.Str(0, 4);
  s.in_this_database = !r.IsNull(0, 5) && r.Bool(0, 5);
  s.active_pid = r.IsNull(0, 6) ? "" : r.Str(0, 6);
  return std::optional<SlotState>(s);
}

Status CheckSlotIsUsable(const SlotState& found, const std::string& slot) {
  // Slot names are the server's, not a database's: a job of the same name on another database
  // (shards of one cluster) or another tool may hold this one. Never used, never dropped.
  if (!found.logical) {
    return Status::Invalid(
        "replication slot {} is a physical slot (a standby's), not a logical one: it is not "
        "this job's; name another with the source option `slot:`",
        slot);
  }
  if (!found.in_this_database) {
    return Status::Invalid(
        "replication slot {} belongs to database {} (slot names are shared by every database "
        "of a server): it is not this job's; name another with the source option `slot:`",
        slot, found.database);
  }
  if (found.plugin != "pgoutput") {
    return Status::Invalid(
        "replication slot {} decodes with plugin {}, not pgoutput: another tool's slot, not "
        "this job's; name another with the source option `slot:`",
        slot, found.plugin);
  }
  return Status::OK();
}

Status DropSlot(PgConnection& conn, const std::string& slot) {
  // pg_drop_replication_slot fails on a slot still held by a connection (a killed run's
  // walsender may linger until the server notices): terminate that holder first.
  SLUICE_RETURN_IF_ERROR(conn.Exec(
      fmt::format("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE "
                  "slot_name = {} AND active_pid IS NOT NULL",
                  QuoteLiteral(slot)),
      "slot " + slot));
  Status last;
  for (int attempt = 0; attempt < 50; ++attempt) {
    last = conn.Exec(fmt::format("SELECT pg_drop_replication_slot(slot_name) FROM "
                                 "pg_replication_slots WHERE slot_name = {}",
                                 QuoteLiteral(slot)),
                     "dropping slot " + slot);
    if (last.ok()) return last;
    usleep(100000);  // the terminated walsender releases the slot as it exits
  }
  return last;
}

Result<std::string> RetainedWal(PgConnection& conn, const std::string& slot) {
  SLUICE_ASSIGN_OR_RETURN(
      PgResult r,
      conn.Query("SELECT pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)) "
                 "FROM pg_replication_slots WHERE slot_name = $1",
                 "slot " + slot, {slot}));
  if (r.rows() == 0 || r.IsNull(0, 0)) return std::string();
  return fmt::format("slot {} retains {} of WAL", slot, r.Text(0, 0));
}

Result<std::string> DropSlotAndPublication(const std::string& conninfo, const std::string& slot,
                                           const std::string& publication) {
  SLUICE_ASSIGN_OR_RETURN(PgConnection conn, PgConnection::Connect(conninfo, "sluice state"));
  SLUICE_ASSIGN_OR_RETURN(std::optional<SlotState> found, FindSlot(conn, slot));
  std::string said;
  if (found) {
    SLUICE_RETURN_IF_ERROR(CheckSlotIsUsable(*found, slot));
    SLUICE_RETURN_IF_ERROR(DropSlot(conn, slot));
    said = "dropped replication slot " + slot;
  } else {
    said = "no replication slot " + slot;
  }
  SLUICE_ASSIGN_OR_RETURN(PgResult p, conn.Query("SELECT 1 FROM pg_publication WHERE pubname = $1",
                                                 "publication " + publication, {publication}));
  if (p.rows() > 0) {
    SLUICE_RETURN_IF_ERROR(conn.Exec("DROP PUBLICATION " + QuoteIdent(publication),
                                     "dropping publication " + publication));
    said += ", dropped publication " + publication;
  } else {
    said += ", no publication " + publication;
  }
  return said + " on " + conn.target().Describe();
}

}  // namespace sluice::postgres::replication_stream
