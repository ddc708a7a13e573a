// The TABLE_MAPs of binlog files, read before streaming: the first one of a table gives its
// columns, types and primary key (there is no server to ask), and the set of tables in the
// files is what `tables:` patterns select from. Reads through BinlogFileReader (every length
// checked), including the events inside MySQL 8's compressed TRANSACTION_PAYLOADs; errors name
// the file and byte offset.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "connectors/mysql/binlog/table_map.h"
#include "core/status.h"

namespace sluice::mysql::binlog_files {

// Where a TABLE_MAP was found: the file and the byte offset of the event holding it (the
// TRANSACTION_PAYLOAD's for one inside a compressed transaction).
struct TableMapAt {
  const binlog::TableMap& map;
  const std::string& file;
  size_t file_index;  // in the list given
  uint64_t offset;
};

// Calls `visit` with every TABLE_MAP of `files`, in order, until it returns false.
Status ForEachTableMap(const std::vector<std::string>& files,
                       const std::function<Result<bool>(const TableMapAt&)>& visit);

}  // namespace sluice::mysql::binlog_files
