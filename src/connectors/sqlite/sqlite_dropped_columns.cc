#include "connectors/sqlite/sqlite_dropped_columns.h"

namespace sluice::sqlite {

Status CheckDroppedColumnsTakeNull(const TableInfo& table, const WriteRequest& request) {
  for (const TableColumn& c : table.columns) {
    if (!c.not_null) continue;
    const std::optional<size_t> field = request.schema.IndexOf(c.name);
    // Dropped at the source: the rows carry it, NULL; or they no longer name it at all (a run
    // that starts after the drop), and it has no default to fill in.
    const bool takes_null =
        field ? request.schema.fields[*field].dropped_at_source : !c.has_default && c.pk == 0;
    if (!takes_null) continue;
    return Status::Invalid(
        "sqlite target: column {} of table {} was dropped at the source and is written NULL "
        "from now on, but the target declares it NOT NULL, which SQLite cannot drop in place; "
        "rebuild the table with {} nullable (or without it) and start the job again, or "
        "re-snapshot into a new target (startup: initial)",
        c.name, table.name, c.name);
  }
  return Status::OK();
}

}  // namespace sluice::sqlite
