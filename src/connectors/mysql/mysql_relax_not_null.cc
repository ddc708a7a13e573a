#include "connectors/mysql/mysql_relax_not_null.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "connectors/mysql/mysql_modify_column.h"

namespace sluice::mysql {
namespace {

bool Lists(const std::vector<std::string>& names, const std::string& name) {
  return std::any_of(names.begin(), names.end(), [&](const std::string& n) {
    return std::equal(n.begin(), n.end(), name.begin(), name.end(), [](char a, char b) {
      return std::tolower(static_cast<unsigned char>(a)) ==
             std::tolower(static_cast<unsigned char>(b));
    });
  });
}

// Whether the run writes NULL into target column `c`: the source dropped it (the rows carry it,
// NULL), or the rows do not name it at all and it has no default to fill in.
bool TakesNull(const MysqlColumn& c, const WriteRequest& request) {
  const std::optional<size_t> field = request.schema.IndexOf(c.name);
  if (field) return request.schema.fields[*field].dropped_at_source;
  return !c.has_default;
}

}  // namespace

Result<std::vector<std::string>> RelaxNotNullSql(Connection& conn, const MysqlTable& table,
                                                 const WriteRequest& request,
                                                 std::string_view filled) {
  std::vector<std::string> ddl;
  for (const MysqlColumn& c : table.columns) {
    if (c.nullable || c.auto_increment || Lists({std::string(filled)}, c.name) ||
        !TakesNull(c, request)) {
      continue;
    }
    if (c.pk > 0 || Lists(table.primary_key, c.name) || Lists(request.key, c.name)) {
      return Err(Status::Invalid(
          "mysql target {}: column {} was dropped at the source but is part of the target's "
          "key, which cannot take NULL: the changes from the drop on cannot be applied; "
          "re-snapshot the table into a new target (startup: initial) with a key of the "
          "remaining columns",
          table.Label(), c.name));
    }
    SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> sql,
                            ModifyColumnSql(conn, table, c.name, ColumnChange{.nullable = true}));
    ddl.push_back(std::move(*sql));
  }
  return ddl;
}

}  // namespace sluice::mysql
