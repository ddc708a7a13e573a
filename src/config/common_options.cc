// The option specs the engine itself reads from every source and target section, and from
// settings. Connector-specific keys come from each connector's ConnectorInfo.
#include "config/job_file.h"
#include "config/settings_section.h"

namespace sluice {

const std::vector<OptionSpec>& CommonSourceOptions() {
  static const std::vector<OptionSpec> kSpecs = {
      {.name = "type",
       .required = true,
       .description = "the connector that reads, e.g. sqlite, csv (see `sluice connectors`)"},
      {.name = "columns",
       .kind = OptionKind::kStringList,
       .description = "columns to read, in this order; default: all, in the source's order"},
      {.name = "where",
       .description = "a filter in the source's own dialect, applied while reading"},
      {.name = "split_key",
       .description = "the column to cut parallel reads on; default: the primary key, if any"},
      {.name = "incremental",
       .kind = OptionKind::kObject,
       .description = "read only rows whose column grew since the last successful run",
       .children = {{.name = "column",
                     .required = true,
                     .description = "the watermark column (a timestamp or increasing id)"},
                    {.name = "strictly_increasing",
                     .kind = OptionKind::kBool,
                     .default_value = "false",
                     .description = "true when a row committed later never has a value at or "
                                    "below one already read (auto-increment ids): each run then "
                                    "reads up to and including the maximum"},
                    {.name = "look_back",
                     .description =
                         "keyed targets (any write_mode but append): also read again this "
                         "window before the stored watermark, for rows long "
                         "transactions committed late: a duration for date and "
                         "timestamp columns (10m, 2h, 1d), a count of units for "
                         "numeric ones"}}},
      {.name = "tables",
       .kind = OptionKind::kStringList,
       .description = "many tables in one job: patterns over db.table, e.g. [\"shop.*\", "
                      "\"!shop.tmp_*\"] (globs; regular expressions when they use + ( | \\ "
                      "^ $ {); a leading ! excludes; replaces `table`"},
      {.name = "connections",
       .kind = OptionKind::kStringList,
       .description = "more connections (urls or paths) whose tables `tables` also selects, "
                      "for shards spread over instances"},
  };
  return kSpecs;
}

const std::vector<OptionSpec>& CommonTargetOptions() {
  static const std::vector<OptionSpec> kSpecs = {
      {.name = "type",
       .required = true,
       .description = "the connector that writes, e.g. sqlite, csv (see `sluice connectors`)"},
      // No default_value: the default depends on the mode (engine/job_setup.cc).
      {.name = "write_mode",
       .description = "append, overwrite, upsert, replace or ignore; default append, and in "
                      "realtime jobs upsert (changes applied by key) where the target has it"},
      {.name = "key",
       .kind = OptionKind::kStringList,
       .description = "key columns for upsert, replace and ignore, and for created tables"},
      {.name = "table_case",
       .default_value = "keep",
       .description = "multi-table jobs: keep, lower or upper case for target table names"},
      {.name = "source_columns",
       .kind = OptionKind::kObject,
       .description = "multi-table jobs: add columns holding each row's source db and table",
       .children = {{.name = "db", .description = "name of the column for the source db"},
                    {.name = "table", .description = "name of the column for the source table"}}},
      {.name = "duplicate_keys",
       .default_value = "fail",
       .description = "sharded tables, the same key in two shards: fail, keep_last (later "
                      "shards win, read one after another) or add_source_columns (the source "
                      "columns join the key)"},
  };
  return kSpecs;
}

const std::vector<OptionSpec>& SettingsOptions() {
  static const std::vector<OptionSpec> kSpecs = {
      {.name = "parallelism",
       .kind = OptionKind::kInt,
       .default_value = "1",
       .description = "reader threads (1..256); the source may use fewer splits"},
      {.name = "batch_rows",
       .kind = OptionKind::kInt,
       .default_value = "10000",
       .description = "rows per batch (1..1000000)"},
      {.name = "rate_limit",
       .kind = OptionKind::kObject,
       .description = "throttling; 0 = unlimited",
       .children = {{.name = "rows_per_second",
                     .kind = OptionKind::kInt,
                     .default_value = "0",
                     .description = "rows per second for the whole job"},
                    {.name = "bytes_per_second",
                     .kind = OptionKind::kInt,
                     .default_value = "0",
                     .description = "bytes per second for the whole job"}}},
      {.name = "error_limit",
       .kind = OptionKind::kObject,
       .description = "how many rejected (dirty) rows the job tolerates before failing",
       .children = {{.name = "rows",
                     .kind = OptionKind::kInt,
                     .default_value = "0",
                     .description = "rejected rows tolerated; one more fails the run"},
                    {.name = "window",
                     .description = "count only the rows rejected within this long (e.g. 10m), "
                                    "for jobs that never end; default: the whole run"}}},
      {.name = "dirty_records",
       .description = "a JSON-lines file that receives rejected rows with their reasons"},
      {.name = "time_zone",
       .default_value = "UTC",
       .description = "IANA name or offset; for ${bizdate} and timestamps without an offset"},
      {.name = "state",
       .description = "the state store, a path or a URL; default SLUICE_STATE or "
                      ".sluice/state.db"},
      {.name = "state_path", .description = "the same as state (its older name)"},
      {.name = "queue_batches",
       .kind = OptionKind::kInt,
       .default_value = "8",
       .description = "batches buffered between readers and writers (1..1024)"},
      {.name = "sync",
       .description = "full, incremental or full_then_incremental (first run full with "
                      "write_mode overwrite, then incremental); default: incremental when "
                      "source.incremental is set"},
      {.name = "on_table_error",
       .default_value = "continue",
       .description = "multi-table jobs: continue with the other tables, or stop"},
      {.name = "max_source_connections",
       .kind = OptionKind::kInt,
       .default_value = "0",
       .description = "multi-table jobs: connections to each source at once (0 = derived "
                      "from parallelism)"},
      {.name = "max_target_connections",
       .kind = OptionKind::kInt,
       .default_value = "0",
       .description = "multi-table jobs: connections to the target at once (0 = derived)"},
      {.name = "stall_timeout",
       .default_value = "60",
       .description = "seconds (or a duration: 2m) a MariaDB/PostgreSQL call may go without any "
                      "answer before the "
                      "server counts as stalled and the run fails naming it (0 = wait forever)"},
      {.name = "batch_bytes",
       .default_value = "64MiB",
       .description = "a batch is also cut at this size (64MB, 1GiB, or bytes); bounds memory "
                      "with wide rows (1MiB..1GiB)"},
      {.name = "checkpoint",
       .kind = OptionKind::kObject,
       .description = "realtime jobs: commit a checkpoint when the first bound is reached; a "
                      "duration (1s) is the interval; 0 or off turns a bound off",
       .children = {{.name = "interval", .description = "a duration, e.g. 1s (default 1s)"},
                    {.name = "rows", .description = "rows since the last checkpoint"},
                    {.name = "bytes", .description = "bytes since the last checkpoint (64MB)"}},
       .scalar_child = "interval"},
      {.name = "lease_timeout",
       .default_value = "30s",
       .description = "realtime jobs: an owner that stopped renewing the job's lease loses it "
                      "after this long (at least 1s)"},
      {.name = "reconnect",
       .kind = OptionKind::kObject,
       .description = "realtime jobs: start the run again from its last checkpoint when a "
                      "connection is lost or stalls; a count (10) is the attempts; 0 or off "
                      "exits at the first failure",
       .children = {{.name = "attempts",
                     .description = "reconnects in a row without a checkpoint (default 10)"},
                    {.name = "max_wait",
                     .description = "the longest wait between attempts, which doubles from "
                                    "1s (default 1m)"}},
       .scalar_child = "attempts"},
  };
  return kSpecs;
}

}  // namespace sluice
