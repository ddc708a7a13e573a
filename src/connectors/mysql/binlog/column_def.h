// ColumnDef: what the caller knows about one column of a table beyond the binlog's TABLE_MAP:
// the sluice type the batch column has (from information_schema through mysql_types.h, so a
// binlog read gives the same types as a batch read), and where the TABLE_MAP may lack them
// (binlog_row_metadata=MINIMAL or older servers), the character set and ENUM/SET members.
#pragma once

#include <string>
#include <vector>

#include "connectors/mysql/binlog/fixed_binary_text.h"
#include "connectors/mysql/binlog/table_map.h"
#include "core/schema.h"
#include "core/types.h"

namespace sluice::mysql::binlog {

struct ColumnDef {
  std::string name;
  DataType type;
  // "utf8mb4", "utf8mb3", "latin1", "ascii", "binary"; empty: the TABLE_MAP's collation, else
  // the bytes are taken as UTF-8.
  std::string charset;
  std::vector<std::string> members;  // ENUM/SET members; empty: the TABLE_MAP's
  // MariaDB's UUID, INET6, INET4 (the catalog's type): binary in the binlog, text when read.
  FixedBinaryText fixed_text = FixedBinaryText::kNone;
};

// Column definitions from a TABLE_MAP alone, for tools and tests that have no catalog: the
// type follows the binlog type (integers are signed unless the optional metadata says
// unsigned; DATETIME is wall-clock timestamp, TIMESTAMP timestamptz; ENUM/SET are strings when
// the members are known, else their numbers; BLOB/TEXT are bytes unless a character set is
// known; GEOMETRY bytes; JSON json). Names are the TABLE_MAP's or "col1", "col2", ...
std::vector<ColumnDef> DefaultColumnDefs(const TableMap& map);

// A Schema whose fields are the definitions' names and types (for `Batch(schema)`).
Schema SchemaOf(const std::vector<ColumnDef>& columns);

}  // namespace sluice::mysql::binlog
