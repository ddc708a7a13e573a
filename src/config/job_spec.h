// JobSpec: a job file after parsing, validation and parameter substitution.
//
// Produced once by LoadJobFile (job_file.h) on the main thread; read-only afterwards. Every
// part remembers where it was written so later stages (schema checks, expression compilation)
// can point at the job file in their errors.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/options.h"

namespace sluice {

struct TransformSpec {
  enum class Kind { kFilter, kSet, kRename, kDrop, kSelect };
  Kind kind = Kind::kFilter;
  std::string expression;                                        // kFilter
  std::vector<std::pair<std::string, std::string>> assignments;  // kSet: column -> expression,
                                                                 // kRename: old -> new
  std::vector<std::string> columns;                              // kDrop, kSelect
  SourceLocation location;  // of the step's kind key (`filter:`) in the job file
  // The step's name in messages, with its 0-based position in `transforms:`:
  // "transforms[0] (filter)". Used by the parser, the transforms module and reject records.
  std::string Label(size_t index) const;
};

// routes: one entry maps source tables (a regular expression over "db.table", matched whole)
// to a target table name, which may use ${1}.. (capture groups), ${db} and ${table}.
struct RouteSpec {
  std::string from;
  std::string to;
  SourceLocation location;  // of the entry in the job file
};

// overrides: settings for the tables a pattern matches (the first matching entry applies).
// `source` holds columns/where/split_key/incremental, `target` write_mode/key.
struct TableOverrideSpec {
  std::string pattern;
  Options source;
  Options target;
  SourceLocation location;
};

// How each table of a run is read (settings.sync).
enum class SyncMode {
  kDefault,              // incremental when source.incremental is set, else full
  kFull,                 // everything every run; the watermark is ignored
  kIncremental,          // only rows past the watermark (everything on the first run)
  kFullThenIncremental,  // first run: everything with write_mode overwrite; then incremental
};

struct RateLimitSpec {
  int64_t rows_per_second = 0;  // 0 = unlimited
  int64_t bytes_per_second = 0;
};

struct SettingsSpec {
  int parallelism = 1;
  int64_t batch_rows = 10000;
  RateLimitSpec rate_limit;
  int64_t error_limit_rows = 0;   // rejected rows tolerated; more fails the job
  std::string dirty_records;      // JSON-lines file for rejected rows; empty = don't keep them
  std::string time_zone = "UTC";  // for ${bizdate}, now() and text timestamps without offset
  // settings.state (alias state_path): the state store's location, a path or a URL
  // (state/state_store.h OpenStateStore); empty = $SLUICE_STATE or .sluice/state.db.
  std::string state_path;
  int64_t queue_batches = 8;  // bounded queue between readers and writers, in batches
  SyncMode sync = SyncMode::kDefault;
  // Multi-table jobs: keep going when one table fails (the exit code still says so).
  bool continue_on_table_error = true;
  // Multi-table jobs: open connections per source / target at once; 0 = derived from
  // parallelism.
  int max_source_connections = 0;
  int max_target_connections = 0;
  // Seconds a database call may go without any answer before its server counts as stalled
  // (core/stall_watch.h); 0 = never.
  int stall_timeout_seconds = 60;
  // Runs that never end commit a checkpoint when the first of these is reached
  // (settings.checkpoint); 0 = that bound is off. Batch runs commit once, at their end.
  int64_t checkpoint_interval_ms = 1000;
  int64_t checkpoint_rows = 0;
  int64_t checkpoint_bytes = 0;
  // The job's lease (state/state_store.h), renewed every third of it: an owner on another host
  // that stopped renewing loses it after this long (settings.lease_timeout).
  int64_t lease_timeout_ms = 30000;
  // Realtime jobs: a run that fails on a lost or stalled connection is started again in the
  // same process, at most this many times in a row, waiting 1 s, 2 s, ... up to the max wait
  // (settings.reconnect; engine/stream_reconnect.h). 0 = exit at the first failure.
  int reconnect_attempts = 10;
  int64_t reconnect_max_wait_ms = 60000;
  // settings.error_limit.window: the error limit counts rejects per window of this length
  // (jobs that never end); 0 = over the whole run.
  int64_t error_window_ms = 0;
  // A batch is also cut once its variable-width values reach this many bytes
  // (settings.batch_bytes), so 32-bit offsets never wrap and memory stays bounded.
  int64_t batch_bytes = int64_t{64} << 20;
};

struct JobSpec {
  std::string file;  // path of the job file, for messages
  std::string name;
  std::string mode = "batch";
  std::string source_type;
  // All keys of the source section (`type` included), validated against the connector's specs
  // plus CommonSourceOptions(). Keys left out that have a default hold it, located at the
  // section. path is "source"; values set with --set are located at "--set".
  Options source;
  std::string target_type;
  Options target;  // the same for the target; write_mode is always present (default append)
  std::vector<TransformSpec> transforms;
  std::vector<RouteSpec> routes;
  std::vector<TableOverrideSpec> overrides;
  SettingsSpec settings;
  // Parameters as resolved for this run: bizdate (yyyyMMdd) and every --set key.
  std::map<std::string, std::string> parameters;
  // Set on the per-table jobs of a multi-table job (tables/table_plan.h).
  struct Shards {
    std::vector<Options> more;  // sections of the shards after the first (`source`)
    // db and table of every shard, `source` first: for the source columns and messages.
    std::vector<std::pair<std::string, std::string>> names;
    bool in_order = false;  // read shard after shard (duplicate_keys: keep_last)
    // Without target.key, the source table's primary key is the target's (whole-database
    // jobs: each created table gets its source's key).
    bool source_key = false;
  };
  Shards shards;

  // A job that selects its tables with source.tables rather than naming one.
  bool multi_table() const { return source.Has("tables"); }
};

}  // namespace sluice
