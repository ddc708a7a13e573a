// The settings of one SQLite source or target, parsed from its job-file section.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/options.h"
#include "core/status.h"

namespace sluice::sqlite {

enum class CreateTable { kIfMissing, kNever };

struct SqliteConfig {
  std::string path;  // database file; relative paths are relative to the working directory
  std::string table;
  int busy_timeout_ms = 5000;
  // Target only.
  CreateTable create_table = CreateTable::kIfMissing;
  std::vector<std::string> pre_sql;
  std::vector<std::string> post_sql;

  // "sqlite:shop.db/orders", for Describe() and messages.
  std::string Describe() const { return "sqlite:" + path + "/" + table; }
};

// sqlite:///abs/path.db -> /abs/path.db; sqlite://rel.db and sqlite:rel.db -> rel.db.
Result<std::string> PathFromUrl(std::string_view url);

// Reads the connector's own keys (url or path, table, busy_timeout_ms and, for a target,
// create_table, pre_sql, post_sql). Errors point at the key in the job file.
Result<SqliteConfig> ParseSqliteConfig(const Options& options, bool target);

}  // namespace sluice::sqlite
