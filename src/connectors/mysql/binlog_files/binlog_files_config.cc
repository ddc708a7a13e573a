#include "connectors/mysql/binlog_files/binlog_files_config.h"

#include <fmt/format.h>

namespace sluice::mysql::binlog_files {
namespace {

// Keys of the live source that mean nothing (or something unsafe) for files on disk.
Status RefuseServerOptions(const Options& options) {
  if (options.Has("url")) {
    return options.ErrorAt("url",
                           "give either url (read the binlog from a server) or binlog_files "
                           "(read files on disk), not both");
  }
  if (options.Has("time_zone")) {
    return options.ErrorAt("time_zone",
                           "is not supported with binlog_files yet (DATETIME values are read "
                           "as wall-clock timestamps)");
  }
  Result<bool> as_bool = options.GetBool("tinyint1_as_bool", false);
  if (!as_bool) return as_bool.error();
  if (*as_bool) {
    return options.ErrorAt("tinyint1_as_bool",
                           "is not supported with binlog_files yet (TINYINT(1) is read as "
                           "int8)");
  }
  Result<bool> snapshot = options.GetBool("snapshot", false);
  if (!snapshot) return snapshot.error();
  if (*snapshot) {
    return options.ErrorAt("snapshot",
                           "applies to a server's tables; binlog_files are read whole, in order");
  }
  const Options startup = options.GetObject("startup");
  for (const auto& [key, value] : startup.values()) {
    if (key == "mode" && (value.scalar.empty() || value.scalar == "initial")) continue;
    return options.ErrorAt("startup",
                           "is not supported with binlog_files: the files are read from the "
                           "start of the first one (a committed position resumes after it)");
  }
  return Status::OK();
}

}  // namespace

std::string BinlogFilesConfig::Describe() const {
  return fmt::format("mysql binlog files {}.{}", database, table);
}

bool ReadsBinlogFiles(const Options& options) {
  return options.Has("binlog_files");
}

Result<BinlogFilesConfig> ParseBinlogFilesConfig(const Options& options, bool need_table) {
  BinlogFilesConfig config;
  config.files = options.GetList("binlog_files");
  if (config.files.empty()) {
    return Err(options.ErrorAt("binlog_files", "names no file (a list of binlog file paths)"));
  }
  for (const std::string& f : config.files) {
    if (f.empty()) return Err(options.ErrorAt("binlog_files", "holds an empty path"));
  }
  SLUICE_RETURN_IF_ERROR(RefuseServerOptions(options));

  const std::string mode = options.GetString("unnamed_columns", "refuse");
  if (mode == "refuse") {
    config.unnamed_columns = UnnamedColumns::kRefuse;
  } else if (mode == "positional") {
    config.unnamed_columns = UnnamedColumns::kPositional;
  } else {
    return Err(options.ErrorAt("unnamed_columns",
                               fmt::format("expected refuse or positional, got '{}'", mode)));
  }
  SLUICE_ASSIGN_OR_RETURN(config.zero_date, ParseZeroDate(options));
  SLUICE_ASSIGN_OR_RETURN(config.truncate, ParseTruncatePolicy(options));

  const std::string table = options.GetString("table");
  if (table.empty()) {
    if (!need_table) return config;
    return Err(options.ErrorAt("table", "is required (database.table, or tables: patterns)"));
  }
  Result<QuotedName> name = ParseQuotedName(table);
  if (!name) return Err(options.ErrorAt("table", name.error().message()));
  if (name->database.empty() || name->table.empty()) {
    return Err(options.ErrorAt("table",
                               "with binlog_files, name the table as database.table (the files "
                               "hold every database's changes)"));
  }
  config.database = std::move(name->database);
  config.table = std::move(name->table);
  config.table_exact = name->table_quoted;
  return config;
}

}  // namespace sluice::mysql::binlog_files
