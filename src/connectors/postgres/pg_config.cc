#include "connectors/postgres/pg_config.h"

#include <fmt/format.h>

namespace sluice::postgres {
namespace {

std::vector<OptionSpec> CommonSpecs() {
  return {
      OptionSpec{"url", OptionKind::kString, true, "",
                 "postgresql://user:${env:PGPASSWORD}@host:5432/db?sslmode=require, or a libpq "
                 "key=value string (host=... dbname=...); TLS settings pass through to libpq"},
      OptionSpec{"table", OptionKind::kString, true, "",
                 "Table name, optionally schema.table; \"quoted\" parts keep their case"},
  };
}

Result<std::string> OneOf(const Options& options, const std::string& key,
                          const std::string& fallback, std::initializer_list<const char*> allowed) {
  std::string value = options.GetString(key, fallback);
  std::string list;
  for (const char* a : allowed) {
    if (value == a) return value;
    list += (list.empty() ? "" : ", ") + std::string(a);
  }
  return Err(options.ErrorAt(key, fmt::format("expected one of {}, got '{}'", list, value)));
}

}  // namespace

std::vector<OptionSpec> PgSourceSpecs() {
  std::vector<OptionSpec> specs = CommonSpecs();
  specs.push_back(OptionSpec{
      "snapshot", OptionKind::kBool, false, "false",
      "true: all parallel readers see one consistent snapshot (exported from a REPEATABLE READ "
      "transaction held open for the whole read)"});
  specs.push_back(OptionSpec{
      "unknown_types", OptionKind::kString, false, "error",
      "error: fail on column types sluice cannot carry (point, tsvector, ranges, composite "
      "types); text: read them as their PostgreSQL text form"});
  specs.push_back(OptionSpec{
      "special_values", OptionKind::kString, false, "error",
      "values sluice types cannot hold: numeric NaN/Infinity, date and timestamp ±infinity. "
      "error: reject the row (naming table.column); null: read them as NULL"});
  return specs;
}

std::vector<OptionSpec> PgTargetSpecs() {
  std::vector<OptionSpec> specs = CommonSpecs();
  specs.push_back(OptionSpec{"create_table", OptionKind::kString, false, "if_missing",
                             "if_missing: create the table from the incoming schema (with "
                             "PRIMARY KEY(key)); never: fail when it does not exist"});
  specs.push_back(OptionSpec{"pre_sql", OptionKind::kStringList, false, "",
                             "Statements run in the write transaction before the rows"});
  specs.push_back(OptionSpec{"post_sql", OptionKind::kStringList, false, "",
                             "Statements run in the write transaction after the rows, before "
                             "COMMIT"});
  specs.push_back(OptionSpec{
      "partition",
      OptionKind::kObject,
      false,
      "",
      "Write one LIST partition: the table is PARTITION BY LIST (column); the partition for "
      "value is created on demand as <table>_p_<value>; write_mode overwrite replaces it",
      {OptionSpec{"column", OptionKind::kString, true, "", "the partition key column"},
       OptionSpec{"value", OptionKind::kString, true, "",
                  "the value of this run, e.g. \"${bizdate}\"; filled into rows that lack "
                  "the column"}}});
  specs.push_back(OptionSpec{"copy_buffer_bytes", OptionKind::kInt, false, "1048576",
                             "Bytes of COPY data sent to the server per message"});
  return specs;
}

Result<PgConfig> ParsePgConfig(const Options& options, bool target) {
  PgConfig config;
  config.url = options.GetString("url");
  if (config.url.empty()) return Err(options.ErrorAt("url", "is required"));
  Result<ConnTarget> conn = ParseConnTarget(config.url);
  if (!conn) return Err(options.ErrorAt("url", conn.error().message()));
  config.target = std::move(*conn);
  config.table_text = options.GetString("table");
  Result<TableName> name = ParseTableName(config.table_text);
  if (!name) return Err(options.ErrorAt("table", name.error().message()));
  config.table = std::move(*name);
  if (!target) {
    SLUICE_ASSIGN_OR_RETURN(config.snapshot, options.GetBool("snapshot", false));
    Result<std::string> unknown = OneOf(options, "unknown_types", "error", {"error", "text"});
    if (!unknown) return Err(unknown.error());
    config.unknown_as_text = *unknown == "text";
    Result<std::string> special = OneOf(options, "special_values", "error", {"error", "null"});
    if (!special) return Err(special.error());
    config.special = *special == "null" ? SpecialValues::kNull : SpecialValues::kError;
    return config;
  }
  Result<std::string> create =
      OneOf(options, "create_table", "if_missing", {"if_missing", "never"});
  if (!create) return Err(create.error());
  config.create_table = *create == "never" ? CreateTable::kNever : CreateTable::kIfMissing;
  config.pre_sql = options.GetList("pre_sql");
  config.post_sql = options.GetList("post_sql");
  if (options.Has("partition")) {
    Options part = options.GetObject("partition");
    PartitionSpec spec{part.GetString("column"), part.GetString("value")};
    if (spec.column.empty()) return Err(options.ErrorAt("partition", "needs a column"));
    if (spec.value.empty()) return Err(options.ErrorAt("partition", "needs a non-empty value"));
    config.partition = std::move(spec);
  }
  SLUICE_ASSIGN_OR_RETURN(int64_t buffer, options.GetInt("copy_buffer_bytes", 1 << 20));
  if (buffer < 4096 || buffer > (64 << 20)) {
    return Err(options.ErrorAt("copy_buffer_bytes", "must be between 4096 and 67108864"));
  }
  config.copy_buffer_bytes = static_cast<size_t>(buffer);
  return config;
}

}  // namespace sluice::postgres
