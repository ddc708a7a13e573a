// What a MariaDB/MySQL table's rows hold in a column that was added after they were written
// (Field::added_default, core/schema.h): ALTER TABLE ... ADD COLUMN fills the existing rows with
// the column's default, or, for a NOT NULL column without one, with MariaDB's implicit default
// (0, '', the first ENUM value, a zero date), and the binlog carries no row event for it.
//
// Read from information_schema.COLUMNS when the stream opens the table and when a TABLE_MAP
// brings a column the stream did not know, not parsed from the ALTER statement. The race this
// accepts: the catalog is read when the stream reaches the column, possibly long after the
// ALTER; a default changed in between (ALTER COLUMN SET DEFAULT, MODIFY) comes later in the
// binlog, where it stops the stream anyway (ddl_statement.h: only ADD/DROP COLUMN are followed),
// so the operator re-snapshots. Not covered: the column dropped and added again under its name
// with another default before the stream reaches the first ADD (the second one's default is
// used for both).
#pragma once

#include <optional>
#include <string>

#include "connectors/mysql/mysql_config.h"
#include "core/schema.h"
#include "core/status.h"

namespace sluice::mysql::binlog_stream {

// One row of information_schema.COLUMNS, as far as the fill of existing rows goes.
struct ColumnDefault {
  std::optional<std::string> column_default;  // COLUMN_DEFAULT; nullopt for SQL NULL
  bool nullable = true;                       // IS_NULLABLE
  std::string data_type;                      // DATA_TYPE, lower case
  std::string column_type;                    // COLUMN_TYPE: "enum('a','b')"
  std::string extra;                          // EXTRA: auto_increment, DEFAULT_GENERATED
  bool mariadb = true;  // MariaDB gives COLUMN_DEFAULT as SQL ('text', 1, now()); MySQL bare
};

// Sets field.added_default (a constant) or field.added_default_unknown (a description of what
// the stream cannot know) from `column`; leaves both empty when the existing rows hold NULL.
// Pure. `zero_date` is the source's option: with kNull a zero date reads as NULL, as the
// implicit default of a NOT NULL date column does.
void SetAddedDefault(const ColumnDefault& column, ZeroDate zero_date, Field& field);

// Reads the catalog of `config`'s table and sets the added default of `schema`'s fields from
// index `from` on (matched by name, ignoring case).
Status ReadAddedDefaults(const MysqlConfig& config, Schema& schema, size_t from);

}  // namespace sluice::mysql::binlog_stream
