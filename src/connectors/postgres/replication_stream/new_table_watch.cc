#include "connectors/postgres/replication_stream/new_table_watch.h"

#include "connectors/sql_common/positions_table.h"

namespace sluice::postgres::replication_stream {
namespace {

constexpr auto kLookInterval = std::chrono::seconds(10);

}  // namespace

Result<std::vector<NewTableWatch::Listed>> NewTableWatch::List(PgConnection& conn) const {
  // The tables a `tables:` plan lists (pg_catalog.cc), views aside: they have no changes.
  SLUICE_ASSIGN_OR_RETURN(
      PgResult r,
      conn.Query("SELECT c.oid, n.nspname, c.relname, n.nspname = current_schema(), "
                 "EXISTS (SELECT 1 FROM pg_publication_tables pt WHERE pt.pubname = $1 AND "
                 "pt.schemaname = n.nspname AND pt.tablename = c.relname) "
                 "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                 "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition "
                 "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                 "AND n.nspname NOT LIKE 'pg\\_%' AND c.relname NOT IN ($2, $3)",
                 "looking for tables created at the source",
                 {publication_, std::string(sql_common::kPositionsTable),
                  std::string(sql_common::kLegacyRunsTable)}));
  std::vector<Listed> out;
  out.reserve(r.rows());
  for (int row = 0; row < r.rows(); ++row) {
    Listed l;
    l.oid = static_cast<uint32_t>(r.Int(row, 0));
    l.table = CreatedTable{r.Str(row, 1), r.Str(row, 2), r.Bool(row, 3)};
    l.published = r.Bool(row, 4);
    out.push_back(std::move(l));
  }
  return out;
}

std::string NewTableWatch::KnownKey(const Listed& l) {
  return std::to_string(l.oid) + " " + l.table.db + "." + l.table.name;
}

Status NewTableWatch::Start(PgConnection& conn, const std::string& publication) {
  publication_ = publication;
  known_.clear();
  SLUICE_ASSIGN_OR_RETURN(std::vector<Listed> now, List(conn));
  for (const Listed& l : now) known_.insert(KnownKey(l));
  next_look_ = std::chrono::steady_clock::now() + kLookInterval;
  started_ = true;
  return Status::OK();
}

Result<std::vector<CreatedTable>> NewTableWatch::Look(PgConnection& conn, bool owned) {
  std::vector<CreatedTable> created;
  const auto now = std::chrono::steady_clock::now();
  if (!started_ || now < next_look_) return created;
  next_look_ = now + kLookInterval;
  SLUICE_ASSIGN_OR_RETURN(std::vector<Listed> listed, List(conn));
  for (Listed& l : listed) {
    std::string key = KnownKey(l);
    if (known_.count(key) > 0 || !(owned || l.published)) continue;
    known_.insert(std::move(key));
    created.push_back(std::move(l.table));
  }
  return created;
}

}  // namespace sluice::postgres::replication_stream
