// The checks that the table a job streams is the one it read, and that its changes carry every
// column and row the snapshot reads: generated columns and a publication's column list or row
// filter (at Open), the table's oid against the committed one (at Start), a rename or a
// partition's changes under its own name (in the stream). Each one stops the job with what to
// do; none lets a change pass unseen.
#include <algorithm>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "connectors/postgres/replication_stream/pg_replication_stream.h"

namespace sluice::postgres::replication_stream {

namespace r = ::sluice::postgres::replication;

// A delete, and an update that changes the replica identity, send the old row's identity
// columns only (all of them under REPLICA IDENTITY FULL). Changes are applied by the identity
// when it is an index other than the primary key: a delete carries no primary key then, and an
// update of the primary key alone sends no old row at all (it would leave the old row behind).
void PgReplicationStream::UseReplicaIdentity(Table& t, const ReplicaIdentity& identity) const {
  t.key = t.table.primary_key;
  if (identity.full) return;
  if (identity.columns != t.table.primary_key) {
    t.key = identity.columns;
    spdlog::info(
        "{}: changes are applied by ({}), the columns of its REPLICA IDENTITY index {}, which "
        "its deletes carry{}",
        t.table.Label(), fmt::join(identity.columns, ", "), identity.index,
        t.table.primary_key.empty()
            ? std::string()
            : fmt::format(" (not by its primary key ({}))", fmt::join(t.table.primary_key, ", ")));
  }
  const std::string why = fmt::format(
      "{}'s deletes and key changes carry only its replica identity ({}); ALTER TABLE {} "
      "REPLICA IDENTITY FULL makes them carry every column",
      t.table.Label(), fmt::join(identity.columns, ", "), t.table.Qualified());
  for (Field& f : t.schema.fields) {
    if (std::find(identity.columns.begin(), identity.columns.end(), f.name) ==
        identity.columns.end()) {
      f.absent_from_old_rows = why;
    }
  }
}

void PgReplicationStream::FollowReplicaIdentity(const r::CachedRelation& relation, Table& t,
                                                size_t known) {
  const bool full = relation.replica_identity == r::ReplicaIdentity::kFull;
  std::vector<std::string> sent;
  std::vector<std::string> carried;
  for (const r::CachedColumn& c : relation.columns) {
    sent.push_back(c.name);
    if (full || c.key) carried.push_back(c.name);
  }
  const auto has = [](const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  // Columns no change sends (generated, dropped at the source) keep what the start said.
  bool changed = false;
  bool narrowed = false;
  for (size_t i = 0; i < known && i < t.schema.size(); ++i) {
    const Field& f = t.schema.fields[i];
    if (!has(sent, f.name)) continue;
    changed = changed || has(carried, f.name) != f.absent_from_old_rows.empty();
    narrowed = narrowed || (!has(carried, f.name) && f.absent_from_old_rows.empty());
  }
  // The engine stops when its key is among the columns no longer carried (schema_follow.cc).
  const std::string now = full ? std::string("FULL (every column)")
                          : relation.replica_identity == r::ReplicaIdentity::kNothing
                              ? std::string("NOTHING (no column)")
                              : fmt::format("({})", fmt::join(carried, ", "));
  if (changed) {
    spdlog::warn("{}: the REPLICA IDENTITY of the changes read from here on is {}", t.table.Label(),
                 now);
  }
  const std::string why =
      changed ? fmt::format(
                    "{}'s REPLICA IDENTITY changed while the job streamed: the deletes "
                    "and key changes read from here on carry only {}",
                    t.table.Label(), now)
              : fmt::format("{}'s deletes and key changes carry only its replica identity {}",
                            t.table.Label(), now);
  for (size_t i = 0; i < t.schema.size(); ++i) {
    Field& f = t.schema.fields[i];
    if (!has(sent, f.name) || (i < known && !changed)) continue;
    f.absent_from_old_rows = has(carried, f.name) ? "" : why;
  }
  // Only fewer columns can fail the job's key; more (to FULL) need no checkpoint.
  if (narrowed) ++t.identity_changes;
}

// PostgreSQL reads a table with the rows of the tables that INHERIT from it (a SELECT without
// ONLY), and a publication of it publishes them too, but their changes arrive under their own
// names: a snapshot would hold their rows, and no change of them would ever reach the target.
// Found by a probe: the children's updates, deletes and inserts were all lost with exit 0.
Status PgReplicationStream::CheckInheritance(Table& t) {
  SLUICE_ASSIGN_OR_RETURN(
      PgResult r,
      conn_.Query("SELECT i.inhrelid::regclass::text FROM pg_inherits i JOIN pg_class p ON "
                  "p.oid = i.inhparent WHERE i.inhparent = $1::oid AND p.relkind = 'r' "
                  "ORDER BY 1",
                  "tables inheriting from " + t.table.Label(), {std::to_string(t.table.oid)}));
  if (r.rows() == 0) return Status::OK();
  std::vector<std::string> children;
  for (int row = 0; row < r.rows(); ++row) children.push_back(r.Str(row, 0));
  if (options_.leave_out_inherited) {
    t.config.only_own_rows = true;
    spdlog::info("{}: its own rows only (inherited_rows: leave_out), not those of {}",
                 t.table.Label(), fmt::join(children, ", "));
    return Status::OK();
  }
  return Status::Invalid(
      "{}: tables INHERIT from it ({}): reading it returns their rows too, but their changes "
      "arrive under their own names, so the target would keep their rows as the snapshot found "
      "them. Set the source's inherited_rows: leave_out to stream its own rows only, and "
      "stream the children as tables of their own (source.tables; routes merge them into one "
      "target)",
      t.table.Label(), fmt::join(children, ", "));
}

// pgoutput sends no generated column (PostgreSQL 18 can, with publish_generated_columns, which
// this job does not set yet): the snapshot reads its values, the changes would not.
Status PgReplicationStream::MarkGeneratedColumns(Table& t) {
  if (std::none_of(t.table.columns.begin(), t.table.columns.end(),
                   [](const PgColumn& c) { return c.generated; })) {
    return Status::OK();
  }
  SLUICE_ASSIGN_OR_RETURN(
      PgResult r,
      conn_.Query("SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM "
                  "pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND "
                  "d.adnum = a.attnum WHERE a.attrelid = $1::oid AND "
                  "a.attgenerated <> '' AND NOT a.attisdropped",
                  "generated columns of " + t.table.Label(), {std::to_string(t.table.oid)}));
  for (int row = 0; row < r.rows(); ++row) {
    const std::string name = r.Str(row, 0);
    std::string expr = r.Str(row, 1);  // "(a * 10)", or "a"
    if (expr.empty() || expr.front() != '(') expr = "(" + expr + ")";
    for (Field& f : t.schema.fields) {
      if (f.name != name) continue;
      f.absent_from_changes = fmt::format(
          "{}.{} is GENERATED ALWAYS AS {} STORED, and PostgreSQL's logical replication sends "
          "no generated column (or set the source's generated_columns: leave_out)",
          t.table.Label(), name, expr);
    }
  }
  if (!options_.leave_out_generated) return Status::OK();
  std::vector<Field> kept;
  for (Field& f : t.schema.fields) {
    if (f.absent_from_changes.empty()) {
      t.read_columns.push_back(f.name);
      kept.push_back(std::move(f));
    } else {
      spdlog::info("{}: leaving out generated column {} (generated_columns: leave_out)",
                   t.table.Label(), f.name);
    }
  }
  t.schema.fields = std::move(kept);
  return Status::OK();
}

// A publication may publish some kinds of change only (inserts, say), and (PostgreSQL 15+)
// some columns or rows of a table only: the snapshot reads the whole table, the changes would
// not carry the rest. The job's own publications are made whole; one named by `publication:`
// is checked here (nothing to check while it does not exist: Start makes it whole). The kinds
// once per job, the shape per table.
Status PgReplicationStream::CheckPublicationKinds() {
  SLUICE_ASSIGN_OR_RETURN(
      PgResult version,
      conn_.Query("SELECT current_setting('server_version_num')::int", "server version"));
  server_version_ = version.rows() == 1 ? std::stoi(version.Str(0, 0)) : 0;
  SLUICE_ASSIGN_OR_RETURN(
      PgResult kinds,
      conn_.Query("SELECT pubinsert, pubupdate, pubdelete, pubtruncate FROM pg_publication "
                  "WHERE pubname = $1",
                  "publication " + options_.publication, {options_.publication}));
  // A TRUNCATE unpublished would leave the target's rows in place (a published one stops).
  if (kinds.rows() == 1 &&
      !(kinds.Bool(0, 0) && kinds.Bool(0, 1) && kinds.Bool(0, 2) && kinds.Bool(0, 3))) {
    std::vector<std::string> missing;
    if (!kinds.Bool(0, 0)) missing.push_back("inserts");
    if (!kinds.Bool(0, 1)) missing.push_back("updates");
    if (!kinds.Bool(0, 2)) missing.push_back("deletes");
    if (!kinds.Bool(0, 3)) missing.push_back("truncates");
    return Status::Invalid(
        "publication {} does not publish {}, which the job would never see: ALTER PUBLICATION "
        "{} SET (publish = 'insert, update, delete, truncate'), or name another one with "
        "`publication:`",
        options_.publication, fmt::join(missing, " or "), QuoteIdent(options_.publication));
  }
  return Status::OK();
}

Status PgReplicationStream::CheckStillPublished(const std::vector<bool>& streamed, bool live) {
  const std::string context = "publication " + options_.publication;
  SLUICE_ASSIGN_OR_RETURN(PgResult exists,
                          conn_.Query("SELECT 1 FROM pg_publication WHERE pubname = $1", context,
                                      {options_.publication}));
  std::string oids;
  for (size_t t = 0; t < tables_.size(); ++t) {
    if (streamed[t]) oids += (oids.empty() ? "" : ",") + std::to_string(tables_[t].table.oid);
  }
  if (oids.empty()) return Status::OK();
  std::vector<uint32_t> unpublished;
  if (exists.rows() == 1) {
    // Listed (by oid), in a listed schema or all tables (pg_publication_tables expands them),
    // or, for a partitioned table published without publish_via_partition_root, through its
    // partitions (a start then stops on that with its own message).
    SLUICE_ASSIGN_OR_RETURN(
        PgResult left,
        conn_.Query(
            "SELECT u.oid::int8 FROM pg_publication p, unnest(('{' || $2 || '}')::oid[]) u(oid) "
            "WHERE p.pubname = $1 AND NOT (p.puballtables OR EXISTS (SELECT 1 FROM "
            "pg_publication_rel pr WHERE pr.prpubid = p.oid AND pr.prrelid = u.oid) OR EXISTS "
            "(SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN "
            "pg_publication_tables x ON x.pubname = p.pubname AND x.schemaname = n.nspname AND "
            "x.tablename = c.relname WHERE c.oid = u.oid OR c.oid IN (SELECT relid FROM "
            "pg_partition_tree(u.oid))))",
            context, {options_.publication, oids}));
    for (int row = 0; row < left.rows(); ++row) {
      unpublished.push_back(static_cast<uint32_t>(std::stoll(left.Str(row, 0))));
    }
  }
  for (size_t t = 0; t < tables_.size(); ++t) {
    if (!streamed[t]) continue;
    const PgTable& table = tables_[t].table;
    if (exists.rows() == 1 &&
        std::find(unpublished.begin(), unpublished.end(), table.oid) == unpublished.end()) {
      continue;
    }
    const std::string what =
        exists.rows() == 1 ? "no longer publishes it" : "is gone (DROP PUBLICATION)";
    return Status::Invalid(
        "{}: publication {} {}, {}: its changes made while it is not published never reach "
        "the slot, not even once it is published again (pgoutput reads a publication as it "
        "was when each change was written), so the target lacks them. Re-snapshot: run `sluice "
        "state drop-slot JOB`, clear the job's positions in the target, then start again with "
        "startup: initial",
        table.Label(), options_.publication, what,
        live ? "while the job streamed the table"
             : "though the job had streamed the table (ALTER PUBLICATION ... DROP TABLE or SET "
               "TABLE since)");
  }
  if (!live || exists.rows() == 0) return Status::OK();
  // A kind of change the publication stopped publishing (ALTER PUBLICATION ... SET (publish =
  // ...)) is left out of the stream the same way.
  Status kinds = CheckPublicationKinds();
  if (kinds.ok()) return kinds;
  return Status::Invalid(
      "{} while the job streamed: the changes of that kind since then never reach the slot, so "
      "the target lacks them; after fixing the publication, re-snapshot (sluice state "
      "drop-slot JOB, clear the job's positions in the target, startup: initial)",
      kinds.message());
}

Status PgReplicationStream::CheckPublishedShape(Table& t) {
  if (server_version_ < 150000) return Status::OK();  // no column lists or row filters before
  // One row per published column (with the row filter), none when it does not publish the table.
  SLUICE_ASSIGN_OR_RETURN(
      PgResult published,
      conn_.Query("SELECT pt.rowfilter, a FROM pg_publication_tables pt, unnest(pt.attnames) a "
                  "WHERE pt.pubname = $1 AND pt.schemaname = $2 AND pt.tablename = $3",
                  "publication " + options_.publication,
                  {options_.publication, t.table.schema, t.table.name}));
  if (published.rows() == 0) return Status::OK();
  if (!published.IsNull(0, 0)) {
    return Status::Invalid(
        "publication {} publishes only the rows of {} WHERE {}: the snapshot reads every row, "
        "and a row outside the filter would never change in the target again. Use a publication "
        "without a row filter and a `filter` transform (the job keeps its target filtered)",
        options_.publication, t.table.Label(), published.Str(0, 0));
  }
  std::vector<std::string> names;
  for (int row = 0; row < published.rows(); ++row) names.push_back(published.Str(row, 1));
  for (Field& f : t.schema.fields) {
    if (!f.absent_from_changes.empty()) continue;
    if (std::find(names.begin(), names.end(), f.name) != names.end()) continue;
    f.absent_from_changes = fmt::format(
        "publication {} publishes only the columns {} of {} (ALTER PUBLICATION {} SET TABLE {} "
        "publishes them all)",
        options_.publication, fmt::join(names, ", "), t.table.Label(),
        QuoteIdent(options_.publication), t.table.Qualified());
  }
  return Status::OK();
}

std::string PgReplicationStream::RelationId(const PgTable& table) {
  return fmt::format("oid {}", table.oid);
}

Status PgReplicationStream::CheckSameTable(size_t t, const std::string& committed) {
  const PgTable& table = tables_[t].table;
  if (committed == RelationId(table)) return Status::OK();
  std::string where = "which was dropped";
  const std::string old_oid = committed.substr(committed.find(' ') + 1);
  Result<PgResult> r = conn_.Query(
      "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = "
      "c.relnamespace WHERE c.oid = $1::oid",
      "the table this job read", {old_oid});
  if (r && r->rows() == 1) where = "which is now named " + r->Str(0, 0);
  return Status::Invalid(
      "{} is not the table this job read (the target holds the rows of {}, {}; {} is {}): the "
      "table was replaced since the last run, and its rows from before were never read. "
      "Re-snapshot: run `sluice state drop-slot JOB`, empty the target table (it holds the old "
      "table's rows) and clear the job's positions in the target, then start again with "
      "startup: initial",
      table.Label(), committed, where, table.Label(), RelationId(table));
}

// A change published under a partition's name (a publication without
// publish_via_partition_root, or WAL written before the job's own publication was set to it)
// would pass a job of the partitioned table by: stop rather than lose it. pgoutput sends a
// partition's Relation message even when it publishes via the root, so only a change says.
// Each relation is looked up once.
Status PgReplicationStream::RefusePartitionOfJobTable(uint32_t oid) {
  const bool any_partitioned = std::any_of(tables_.begin(), tables_.end(),
                                           [](const Table& t) { return t.table.relkind == 'p'; });
  if (!any_partitioned || !checked_relations_.insert(oid).second) return Status::OK();
  SLUICE_ASSIGN_OR_RETURN(const r::CachedRelation* relation, relations_.Get(oid));
  SLUICE_ASSIGN_OR_RETURN(
      PgResult r,
      conn_.Query("SELECT relid::oid::int8 FROM pg_partition_ancestors($1::oid)",
                  "partition ancestors of " + relation->QualifiedName(), {std::to_string(oid)}));
  for (int row = 0; row < r.rows(); ++row) {
    const std::optional<size_t> t = TableOf(static_cast<uint32_t>(std::stoll(r.Str(row, 0))));
    if (!t) continue;
    return Status::Invalid(
        "{}: changes of its partition {} arrive under the partition's name (publication {} "
        "does not publish_via_partition_root, or did not when they were written), so the job "
        "would pass them by; nothing was skipped. Set publish_via_partition_root on the "
        "publication and re-snapshot (sluice state drop-slot JOB, startup: initial)",
        tables_[*t].table.Label(), relation->QualifiedName(), options_.publication);
  }
  return Status::OK();
}

// A job follows its table by name: renamed while the job streams, a restart would find another
// table, or none, under the name. A Relation of the old name is fine when the catalog has the
// job's name now: WAL written before a rename the job file already follows.
Status PgReplicationStream::RefuseRenamedTable(const r::RelationMessage& relation, size_t t) {
  const PgTable& table = tables_[t].table;
  if (relation.name == table.name && relation.namespace_name == table.schema) return Status::OK();
  SLUICE_ASSIGN_OR_RETURN(
      PgResult r, conn_.Query("SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n "
                              "ON n.oid = c.relnamespace WHERE c.oid = $1::oid",
                              "the name of " + table.Label(), {std::to_string(table.oid)}));
  if (r.rows() == 1 && r.Str(0, 0) == table.schema && r.Str(0, 1) == table.name) {
    return Status::OK();
  }
  return Status::Invalid(
      "{} was renamed to {}.{} at the source: the job follows its table by name. To go on with "
      "it, put the new name in the job file and start again: the job resumes where it stopped",
      table.Label(), relation.namespace_name, relation.name);
}

}  // namespace sluice::postgres::replication_stream
