#include "connectors/mysql/mysql_config.h"

#include <fmt/format.h>

namespace sluice::mysql {
namespace {

std::vector<OptionSpec> CommonSpecs() {
  return {
      {.name = "url",
       .required = true,
       .description = "mysql://user:password@host:port/database[?ssl-mode=REQUIRED&ssl-ca=...]; "
                      "use ${env:NAME} for the password"},
      {.name = "table",
       .required = true,
       .description = "table name, or database.table when the URL names no database"},
      {.name = "time_zone",
       .description = "source: read DATETIME columns as instants in this zone (default: as "
                      "wall-clock timestamps); target: the zone DATETIME columns hold wall-clock "
                      "time in (default UTC)"},
  };
}

}  // namespace

std::string MysqlConfig::Describe() const {
  return fmt::format("mysql:{}/{}.{}", url.Endpoint(), database, table);
}

std::vector<OptionSpec> MysqlSourceOptionSpecs() {
  std::vector<OptionSpec> specs = CommonSpecs();
  specs[0].required_unless = "binlog_files";  // url: a server, or files (binlog_files/)
  specs.push_back({.name = "binlog_files",
                   .kind = OptionKind::kStringList,
                   .description = "mode realtime without a server: binlog files on disk, read "
                                  "in this order (instead of url; relative paths are the "
                                  "working directory's)"});
  specs.push_back({.name = "unnamed_columns",
                   .description = "binlog_files whose TABLE_MAPs carry no column names "
                                  "(binlog_row_metadata=MINIMAL): refuse (the default), or "
                                  "positional (col_1, col_2, ...)"});
  specs.push_back({.name = "snapshot",
                   .kind = OptionKind::kBool,
                   .default_value = "false",
                   .description = "parallel readers all read one consistent snapshot (takes a "
                                  "brief LOCK TABLES ... READ while their transactions start)"});
  specs.push_back({.name = "foreign_key_actions",
                   .default_value = "stop",
                   .description = "mode realtime: a table whose foreign keys cascade (ON "
                                  "DELETE/UPDATE CASCADE or SET NULL) has rows changed that the "
                                  "binlog never shows; stop (refuse to stream it) or ignore "
                                  "(stream it: the target keeps what the cascades changed)"});
  specs.push_back(TruncateOptionSpec());
  specs.push_back({.name = "zero_date",
                   .default_value = "error",
                   .description = "dates like 0000-00-00 or 2024-00-10: error (the row is "
                                  "rejected) or null"});
  specs.push_back({.name = "tinyint1_as_bool",
                   .kind = OptionKind::kBool,
                   .default_value = "false",
                   .description = "read TINYINT(1) columns as bool instead of int8"});
  specs.push_back({.name = "server_id",
                   .kind = OptionKind::kInt,
                   .default_value = "0",
                   .description = "mode realtime: the replica server id the binlog is read "
                                  "as; 0 = derived from the job name (jobs do not clash)"});
  specs.push_back({.name = "snapshot_chunk_rows",
                   .kind = OptionKind::kInt,
                   .default_value = "500000",
                   .description = "mode realtime, startup: initial, a table with an integer "
                                  "primary key and an upsert target: the snapshot commits about "
                                  "this many rows at a time, by key range, and a restart reads on "
                                  "from the last range committed; 0 = one transaction"});
  specs.push_back({.name = "startup",
                   .kind = OptionKind::kObject,
                   .default_value = "initial",
                   .description =
                       "mode realtime without a committed position: initial (a consistent "
                       "snapshot of the table, then the changes after it), latest (changes from "
                       "now on), {binlog: \"file:offset\"}, {gtid: \"0-1-1234\"} (MariaDB) or "
                       "{timestamp: \"2026-12-01 00:00:00\"} (the first transaction at or after "
                       "it, in the source's time zone)",
                   .children = {{.name = "mode", .description = "initial or latest"},
                                {.name = "binlog", .description = "file:offset to start at"},
                                {.name = "gtid",
                                 .description = "MariaDB GTID (domain-server-seq) to start after"},
                                {.name = "timestamp",
                                 .description = "start at the first transaction "
                                                "committed at or after this time"}},
                   .scalar_child = "mode"});
  return specs;
}

std::vector<OptionSpec> MysqlTargetOptionSpecs() {
  std::vector<OptionSpec> specs = CommonSpecs();
  specs.push_back({.name = "create_table",
                   .default_value = "if_missing",
                   .description = "if_missing: create the table from the incoming schema (with "
                                  "PRIMARY KEY(key)); never: fail when it does not exist"});
  specs.push_back({.name = "pre_sql",
                   .kind = OptionKind::kStringList,
                   .description = "statements run in the write transaction before the rows "
                                  "(DDL commits implicitly in MySQL)"});
  specs.push_back({.name = "post_sql",
                   .kind = OptionKind::kStringList,
                   .description = "statements run in the write transaction after the rows, "
                                  "before COMMIT"});
  specs.push_back(
      {.name = "partition",
       .kind = OptionKind::kObject,
       .description = "write one value of a partition column (e.g. ds = ${bizdate}); "
                      "with write_mode overwrite only that value's rows are replaced",
       .children = {
           {.name = "column", .required = true, .description = "the partition column"},
           {.name = "value", .required = true, .description = "its value for every written row"}}});
  return specs;
}

Result<QuotedName> ParseQuotedName(std::string_view text) {
  std::vector<std::string> parts(1);
  bool quoted = false;
  bool last_quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '`') {
      last_quoted = true;
      if (quoted && i + 1 < text.size() && text[i + 1] == '`') {
        parts.back() += '`';
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (c == '.' && !quoted) {
      parts.emplace_back();
      last_quoted = false;
    } else {
      parts.back() += c;
    }
  }
  if (quoted || parts.size() > 2) {
    return Err(Status::Invalid(
        "'{}' is not a table name (expected table or database.table; a name with a dot or a "
        "backquote is quoted: db.`my.table`, `a``b`)",
        text));
  }
  if (parts.size() == 1) return QuotedName{"", parts[0], last_quoted};
  return QuotedName{parts[0], parts[1], last_quoted};
}

Result<ZeroDate> ParseZeroDate(const Options& options) {
  const std::string zero = options.GetString("zero_date", "error");
  if (zero == "error") return ZeroDate::kError;
  if (zero == "null") return ZeroDate::kNull;
  return Err(options.ErrorAt("zero_date", fmt::format("expected error or null, got '{}'", zero)));
}

Result<MysqlConfig> ParseMysqlConfig(const Options& options, bool target) {
  MysqlConfig config;
  Result<MysqlUrl> url = ParseMysqlUrl(options.GetString("url"));
  if (!url) return Err(options.ErrorAt("url", url.error().message()));
  config.url = std::move(*url);

  const std::string table = options.GetString("table");
  if (table.empty()) return Err(options.ErrorAt("table", "is required"));
  Result<QuotedName> name = ParseQuotedName(table);
  if (!name) return Err(options.ErrorAt("table", name.error().message()));
  config.database = std::move(name->database);
  config.table = std::move(name->table);
  config.table_exact = name->table_quoted;
  if (config.database.empty()) config.database = config.url.database;
  if (config.database.empty()) {
    return Err(options.ErrorAt(
        "table", "names no database: write database.table, or put the database in the url"));
  }
  if (config.table.empty()) return Err(options.ErrorAt("table", "is empty"));

  if (options.Has("time_zone")) {
    Result<TimeZone> zone = TimeZone::Load(options.GetString("time_zone"));
    if (!zone) return Err(options.ErrorAt("time_zone", zone.error().message()));
    config.time_zone = std::move(*zone);
  }

  if (!target) {
    SLUICE_ASSIGN_OR_RETURN(config.snapshot, options.GetBool("snapshot", false));
    SLUICE_ASSIGN_OR_RETURN(config.tinyint1_as_bool, options.GetBool("tinyint1_as_bool", false));
    SLUICE_ASSIGN_OR_RETURN(config.zero_date, ParseZeroDate(options));
    const std::string fk = options.GetString("foreign_key_actions", "stop");
    if (fk != "stop" && fk != "ignore") {
      return Err(options.ErrorAt("foreign_key_actions",
                                 fmt::format("expected stop or ignore, got '{}'", fk)));
    }
    config.ignore_foreign_key_actions = fk == "ignore";
    SLUICE_ASSIGN_OR_RETURN(config.truncate, ParseTruncatePolicy(options));
    return config;
  }

  std::string create = options.GetString("create_table", "if_missing");
  if (create == "if_missing") {
    config.create_table = CreateTable::kIfMissing;
  } else if (create == "never") {
    config.create_table = CreateTable::kNever;
  } else {
    return Err(options.ErrorAt("create_table",
                               fmt::format("expected if_missing or never, got '{}'", create)));
  }
  config.pre_sql = options.GetList("pre_sql");
  config.post_sql = options.GetList("post_sql");
  if (options.Has("partition")) {
    Options part = options.GetObject("partition");
    Partition p{part.GetString("column"), part.GetString("value")};
    if (p.column.empty()) return Err(options.ErrorAt("partition", "needs a column"));
    if (!part.Has("value")) return Err(options.ErrorAt("partition", "needs a value"));
    config.partition = std::move(p);
  }
  return config;
}

}  // namespace sluice::mysql
