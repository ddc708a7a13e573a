// The tables of the PostgreSQL state store, and how they are created and migrated.
//
// All of them live in one schema: the first of the connection's search_path (set in the URL
// with ?options=-csearch_path%3DNAME), created if it does not exist, else the default
// (`public`). Their names start with sluice_state_ so that they can share a schema with other
// tables, including a sink's own _sluice_positions markers.
//
// Versions are the PostgreSQL store's own (the SQLite file counts separately). Opening takes no
// lock and runs no DDL when the schema is current, so a role that may only read and write the
// tables can use a store someone else created; otherwise the tables are created or migrated in
// one transaction under a transaction-level advisory lock keyed by the schema, so processes
// opening at once take turns and the later ones find the work done.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "state/pg_session.h"

namespace sluice {

inline constexpr int kPgStateSchemaVersion = 1;

// Quoted, schema-qualified names of the store's tables.
struct PgStateTables {
  std::string schema;  // as PostgreSQL spells it (unquoted)
  std::string version;
  std::string jobs;
  std::string runs;
  std::string positions;
  std::string leases;
  std::string pending_positions;

  static PgStateTables In(const std::string& schema);
  // `sql` with {jobs}, {runs}, {positions}, {leases}, {pending}, {version} and {schema}
  // replaced by the quoted names, and {iso} by the to_char() format of ISO-8601 to the second
  // (as the SQLite store writes times): to_char(t AT TIME ZONE 'UTC', {iso}).
  std::string Sql(std::string_view sql) const;
};

// Finds the schema, then creates or migrates the tables (unless `read_only`: then a missing
// store is kNotFound and an older one an error). `where` names the store in messages.
Result<PgStateTables> PreparePgStateSchema(PgSession& session, bool read_only,
                                           const std::string& where);

// The first schema named by a search_path setting ("\"$user\", public" -> "public";
// "\"My Schema\",x" -> "My Schema"); nullopt when it names none but $user.
std::optional<std::string> FirstSearchPathSchema(std::string_view search_path);

// "name" with embedded quotes doubled.
std::string QuotePgIdent(std::string_view name);

}  // namespace sluice
