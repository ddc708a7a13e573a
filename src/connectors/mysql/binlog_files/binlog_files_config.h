// BinlogFilesConfig: the settings of a `type: mysql` realtime source that reads binlog files on
// disk (`binlog_files: [...]`) instead of a server: archived binlogs, offline replay. Parsed
// once from the job file's source section; every option the files cannot honour is refused here
// with the key's place in the job file, before anything is read.
#pragma once

#include <string>
#include <vector>

#include "connectors/mysql/mysql_config.h"
#include "core/options.h"
#include "core/status.h"
#include "core/truncate_policy.h"

namespace sluice::mysql::binlog_files {

// What a TABLE_MAP without column names (binlog_row_metadata=MINIMAL, servers before MariaDB
// 10.5 / MySQL 8.0) is read as.
enum class UnnamedColumns {
  kRefuse,      // an error naming the file, offset and table (the default)
  kPositional,  // col_1, col_2, ... by position
};

struct BinlogFilesConfig {
  // The files, in the order they are read (relative paths as given: the working directory's).
  std::vector<std::string> files;
  std::string database;  // of `table` (db.table); empty with `tables:` (OpenTables fills it)
  std::string table;
  bool table_exact = false;  // quoted in the job file: matched with its case
  ZeroDate zero_date = ZeroDate::kError;
  UnnamedColumns unnamed_columns = UnnamedColumns::kRefuse;
  TruncatePolicy truncate = TruncatePolicy::kStop;  // core/truncate_policy.h

  // "mysql binlog files shop.orders", for messages.
  std::string Describe() const;
};

// Whether a mysql source section reads binlog files (it has `binlog_files`).
bool ReadsBinlogFiles(const Options& options);

// Reads the section. `need_table`: a single-table job names its table with `table: db.table`;
// a job over many tables (`tables:`) has it filled in per table.
Result<BinlogFilesConfig> ParseBinlogFilesConfig(const Options& options, bool need_table = true);

}  // namespace sluice::mysql::binlog_files
