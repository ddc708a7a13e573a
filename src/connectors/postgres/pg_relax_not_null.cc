#include "connectors/postgres/pg_relax_not_null.h"

#include <algorithm>

#include <fmt/format.h>

namespace sluice::postgres {
namespace {

bool Lists(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Whether the run writes NULL into target column `c`: the source dropped it (the rows carry it,
// NULL), or the rows do not name it at all and it has no default to fill in.
bool TakesNull(const PgColumn& c, const WriteRequest& request) {
  const std::optional<size_t> field = request.schema.IndexOf(c.name);
  if (field) return request.schema.fields[*field].dropped_at_source;
  return !c.has_default;
}

}  // namespace

Result<std::vector<std::string>> RelaxNotNullSql(const PgTable& table, const WriteRequest& request,
                                                 std::string_view filled) {
  std::vector<std::string> ddl;
  for (const PgColumn& c : table.columns) {
    if (!c.not_null || c.generated || c.name == filled || !TakesNull(c, request)) continue;
    if (Lists(table.primary_key, c.name) || Lists(request.key, c.name)) {
      return Err(Status::Invalid(
          "postgres target {}: column {} was dropped at the source but is part of the target's "
          "key, which cannot take NULL: the changes from the drop on cannot be applied; "
          "re-snapshot the table into a new target (startup: initial) with a key of the "
          "remaining columns",
          table.Label(), c.name));
    }
    ddl.push_back(fmt::format("ALTER TABLE {} ALTER COLUMN {} DROP NOT NULL", table.Qualified(),
                              QuoteIdent(c.name)));
  }
  return ddl;
}

}  // namespace sluice::postgres
