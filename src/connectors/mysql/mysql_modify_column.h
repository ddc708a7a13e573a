// MySQL's ALTER TABLE ... MODIFY restates a column whole: whatever it leaves out (the default,
// the character set, the comment) is gone after it. What a realtime run changes in a target
// column (it makes one nullable, or longer) goes through here, which restates the rest exactly
// as the catalog has it.
#pragma once

#include <optional>
#include <string>

#include "connectors/mysql/mysql_connection.h"
#include "connectors/mysql/mysql_table.h"
#include "core/status.h"

namespace sluice::mysql {

struct ColumnChange {
  std::optional<std::string> type;  // the new COLUMN_TYPE ("VARCHAR(300)"); nullopt: as it is
  bool nullable = false;            // NULL from now on; false: as it is
};

// `ALTER TABLE db.table MODIFY name ...`: the column as the catalog defines it (type, character
// set and collation, NULL or NOT NULL, default, comment), with `change` applied. COLUMN_DEFAULT
// is an SQL expression in MariaDB 10.2.7+ ('text' quoted, NULL as NULL, functions as written)
// and restated as such; MySQL gives the bare value, quoted here as a string (MySQL converts it
// to the column's type), AUTO_INCREMENT too. nullopt for a new type of a column the statement
// could not restate: generated or ON UPDATE (what EXTRA names). An error when the catalog lacks
// the column.
Result<std::optional<std::string>> ModifyColumnSql(Connection& conn, const MysqlTable& table,
                                                   const std::string& name,
                                                   const ColumnChange& change);

}  // namespace sluice::mysql
