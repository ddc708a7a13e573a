// The tables binlog files hold rows of, for jobs that select tables by pattern
// (`tables: ["shop.*"]` with `binlog_files`): every table with a TABLE_MAP in the files, in
// db then name order (ConnectorInfo::list_tables). The job's patterns then select among them
// exactly as they do among a server's tables (src/tables/).
#pragma once

#include <vector>

#include "core/connector_registry.h"
#include "core/options.h"
#include "core/status.h"

namespace sluice::mysql::binlog_files {

Result<std::vector<CatalogTable>> ListBinlogFileTables(const Options& options);

}  // namespace sluice::mysql::binlog_files
