// The settings of one MySQL/MariaDB source or target, parsed from its job-file section, and the
// option specs that declare them (for the registry, the job parser and `sluice connectors`).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/mysql/mysql_url.h"
#include "core/options.h"
#include "core/status.h"
#include "core/time_zone.h"
#include "core/truncate_policy.h"

namespace sluice::mysql {

enum class CreateTable { kIfMissing, kNever };
// What a reader does with '0000-00-00', '2024-00-10' and other dates that are not on the
// calendar (MySQL stores them unless sql_mode forbids it).
enum class ZeroDate { kError, kNull };

struct Partition {
  std::string column;
  std::string value;
};

struct MysqlConfig {
  MysqlUrl url;
  std::string database;  // from `table` (db.table) or the URL
  std::string table;
  // Quoted in the job file (`Same`): matched exactly where the server keeps case apart
  // (lower_case_table_names = 0). Multi-table jobs quote every name they fill in.
  bool table_exact = false;
  // Source only.
  bool snapshot = false;
  ZeroDate zero_date = ZeroDate::kError;
  // Realtime: stream a table whose foreign keys cascade although the binlog never shows the
  // rows the cascades change (foreign_key_actions: ignore).
  bool ignore_foreign_key_actions = false;
  // Realtime: what a TRUNCATE of a streamed table does (core/truncate_policy.h).
  TruncatePolicy truncate = TruncatePolicy::kStop;
  bool tinyint1_as_bool = false;
  // Source: when set, DATETIME columns are read as instants (timestamptz) in this zone.
  // Target: the zone DATETIME columns hold their wall-clock time in (default UTC).
  std::optional<TimeZone> time_zone;
  // Target only.
  CreateTable create_table = CreateTable::kIfMissing;
  std::vector<std::string> pre_sql;
  std::vector<std::string> post_sql;
  std::optional<Partition> partition;

  // "mysql:127.0.0.1:3306/shop.orders", for Describe() and messages (no credentials).
  std::string Describe() const;
  // The zone for DATETIME on the write side.
  TimeZone TargetZone() const { return time_zone ? *time_zone : TimeZone::Utc(); }
};

// A `table` option: table or database.table, split at the dot outside backquotes; a quoted
// part keeps its dots and case, and `` is one backquote.
struct QuotedName {
  std::string database;  // empty when not given
  std::string table;
  bool table_quoted = false;
};
Result<QuotedName> ParseQuotedName(std::string_view text);

std::vector<OptionSpec> MysqlSourceOptionSpecs();
std::vector<OptionSpec> MysqlTargetOptionSpecs();

// The source's `zero_date` (error or null); errors point at the key.
Result<ZeroDate> ParseZeroDate(const Options& options);

// Reads the connector's own keys. Errors point at the key in the job file.
Result<MysqlConfig> ParseMysqlConfig(const Options& options, bool target);

}  // namespace sluice::mysql
