// PlanTables: a multi-table job (source.tables) -> one single-table job per target table.
//
//   1. list the tables of every connection (source.url/path, then source.connections);
//   2. keep those source.tables selects;
//   3. name each one's target: the first route whose `from` matches, else target.table
//      (a template: ${db}, ${table}; default "${table}"), then target.table_case;
//   4. group by target name: a group of several source tables is a sharded table, read as
//      one (JobSpec::shards), with target.duplicate_keys deciding what a key found in two
//      shards does;
//   5. apply the first matching `overrides:` entry and settings.sync to each job.
// The engine then runs the per-table jobs on one pool of workers (engine/multi_table_runner.h)
// and `sluice check` prints the plan. Runs on the main thread; talks to the sources only to
// list their tables.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/job_spec.h"
#include "core/connector_registry.h"

namespace sluice {

struct PlannedShard {
  int connection = 0;  // index into the job's connections (0 = the section's own)
  CatalogTable table;
};

struct TableTask {
  std::string target_table;
  std::vector<PlannedShard> shards;  // in plan order (connection, db, table)
  JobSpec job;                       // named "<job>/<target_table>"; state is kept per table
  int64_t estimated_rows = -1;       // sum over shards; -1 when unknown
  std::string override_pattern;      // the `overrides:` entry applied, if any
  std::string route;                 // the route's `from` that named the target, if any
  std::string shard_policy;          // for sharded tables: what a key in two shards does
};

struct TablePlan {
  std::vector<TableTask> tasks;  // largest first (unknown sizes last), then by name
  int connections = 1;
  std::vector<std::string> notes;  // e.g. patterns that matched nothing
};

// The name of the per-table job (and of its state): "<job>/<target table>".
std::string TableJobName(const std::string& job, const std::string& target_table);

Result<TablePlan> PlanTables(const JobSpec& spec, const ConnectorRegistry& registry);

}  // namespace sluice
