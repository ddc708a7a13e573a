// `sluice check` for multi-table jobs: the matching (which source tables go to which target
// table, through which route and override), the reconciliation of sharded tables and each
// target's DDL plan. Opens the source and target of every table, writes nothing.
#include "cli/tables_plan.h"
#include "core/connection_cache.h"

#include <chrono>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "engine/job_setup.h"
#include "engine/stream_table_routes.h"
#include "engine/union_source.h"
#include "tables/table_plan.h"

namespace sluice {

Result<TablesPlanReport> BuildTablesPlan(const JobSpec& spec) {
  const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  // Every table is opened in turn; each takes the connections the last one left idle.
  ScopedConnectionReuse reuse;
  SLUICE_ASSIGN_OR_RETURN(TablePlan plan, PlanTables(spec, BuiltinConnectors()));
  std::string out = fmt::format(
      "job {} ({}): {} target table(s) from {} connection(s), "
      "parallelism {}\n",
      spec.name, spec.file, plan.tasks.size(), plan.connections, spec.settings.parallelism);
  for (const std::string& note : plan.notes) out += fmt::format("  warning: {}\n", note);
  int failed = 0;
  // A realtime job: what the run's change reader and its routes refuse (a column no change
  // carries, a table the stream cannot follow), which the batch plans below would not say; and
  // the columns its routes write, which may differ from a batch read's.
  std::unique_ptr<StreamSource> reader;
  std::optional<StreamTableRoutes> routes;
  if (spec.mode == "realtime") {
    Result<std::unique_ptr<StreamSource>> opened =
        OpenTablesReader(spec, plan, BuiltinConnectors());
    Status refused = opened ? Status::OK() : opened.error();
    if (opened) {
      reader = std::move(*opened);
      Result<StreamTableRoutes> built =
          StreamTableRoutes::Build(plan, *reader, BuiltinConnectors(), now);
      if (built) {
        routes = std::move(*built);
      } else {
        refused = built.error();
      }
    }
    if (!refused.ok()) {
      ++failed;
      out += fmt::format("ERROR: the change stream: {}\n", refused.message());
    }
  }
  for (size_t i = 0; i < plan.tasks.size(); ++i) {
    const TableTask& task = plan.tasks[i];
    out += fmt::format(
        "table {}{}\n", task.target_table,
        task.estimated_rows >= 0 ? fmt::format(" (~{} rows)", task.estimated_rows) : "");
    for (const PlannedShard& shard : task.shards) {
      out += fmt::format("  from {}.{} (connection {})\n", shard.table.db, shard.table.name,
                         shard.connection + 1);
    }
    if (!task.route.empty()) out += fmt::format("  route {}\n", task.route);
    if (!task.override_pattern.empty()) {
      out += fmt::format("  override {}\n", task.override_pattern);
    }
    if (!task.shard_policy.empty()) out += fmt::format("  duplicate keys: {}\n", task.shard_policy);
    // A realtime job's tables are planned with their batch readers (the same schema): a
    // stream per table would set up a slot or publication per table, which the run never uses.
    JobSpec planned = task.job;
    if (planned.mode == "realtime") planned.mode = "batch";
    Result<JobSetup> setup = BuildJobSetup(planned, BuiltinConnectors(), now);
    if (!setup) {
      ++failed;
      out += fmt::format("  ERROR: {}\n", setup.error().message());
      continue;
    }
    if (auto* u = dynamic_cast<UnionSource*>(setup->source.get())) {
      for (const std::string& note : u->notes()) out += fmt::format("  reconcile {}\n", note);
    }
    out += fmt::format("  write_mode {}", WriteModeName(setup->write.mode));
    if (!setup->write.key.empty()) {
      out += fmt::format(", key ({}){}", fmt::join(setup->write.key, ", "),
                         setup->key_from_source ? " from the source's primary key" : "");
    }
    if (!setup->incremental_column.empty()) {
      out += fmt::format(", incremental on {}", setup->incremental_column);
    }
    const Schema& written = routes ? (*routes)[i].setup.write.schema : setup->write.schema;
    out += fmt::format("\n  columns {}\n", written.ToString());
    setup->write.run_id = "check";
    Result<std::vector<std::string>> actions = setup->sink->Plan(setup->write);
    if (!actions) {
      ++failed;
      out += fmt::format("  ERROR: {}\n", actions.error().message());
      continue;
    }
    for (const std::string& a : *actions) out += fmt::format("  will: {}\n", a);
  }
  return TablesPlanReport{std::move(out), failed, plan.tasks.size()};
}

}  // namespace sluice
