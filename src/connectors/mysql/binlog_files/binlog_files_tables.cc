#include "connectors/mysql/binlog_files/binlog_files_tables.h"

#include <set>
#include <string>
#include <utility>

#include "connectors/mysql/binlog_files/binlog_files_config.h"
#include "connectors/mysql/binlog_files/table_map_scan.h"
#include "connectors/mysql/mysql_connection.h"

namespace sluice::mysql::binlog_files {

Result<std::vector<CatalogTable>> ListBinlogFileTables(const Options& options) {
  SLUICE_ASSIGN_OR_RETURN(BinlogFilesConfig config,
                          ParseBinlogFilesConfig(options, /*need_table=*/false));
  std::set<std::pair<std::string, std::string>> found;
  SLUICE_RETURN_IF_ERROR(ForEachTableMap(config.files, [&](const TableMapAt& at) -> Result<bool> {
    found.emplace(at.map.schema, at.map.table);
    return true;
  }));
  std::vector<CatalogTable> out;
  for (const auto& [db, name] : found) {
    CatalogTable t;
    t.db = db;
    t.name = name;
    // Quoted: the table is matched in the files with its case, as the TABLE_MAP wrote it.
    t.table_option = QuoteIdent(db) + "." + QuoteIdent(name);
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace sluice::mysql::binlog_files
