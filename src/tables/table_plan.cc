#include "tables/table_plan.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <re2/re2.h>

#include "core/time_zone.h"
#include "tables/table_pattern.h"
#include "tables/target_name.h"
#include "tables/tool_tables.h"

namespace sluice {
namespace {

struct CompiledRoute {
  const RouteSpec* spec;
  std::unique_ptr<RE2> re;
};

Status LocatedError(const SourceLocation& where, std::string_view path, std::string_view message) {
  const std::string at = where.ToString();
  return Status::Invalid("{}{}{}: {}", at, at.empty() ? "" : ": ", path, message);
}

Result<std::vector<CompiledRoute>> CompileRoutes(const std::vector<RouteSpec>& routes) {
  std::vector<CompiledRoute> compiled;
  RE2::Options options;
  options.set_log_errors(false);
  for (size_t i = 0; i < routes.size(); ++i) {
    auto re = std::make_unique<RE2>(routes[i].from, options);
    if (!re->ok()) {
      return Err(LocatedError(routes[i].location, fmt::format("routes[{}].from", i),
                              fmt::format("not a valid regular expression: {}", re->error())));
    }
    compiled.push_back(CompiledRoute{&routes[i], std::move(re)});
  }
  return compiled;
}

// The source section of each connection: the section's own first, then one per entry of
// `connections`, without the multi-table keys.
std::vector<Options> ConnectionSections(const JobSpec& spec, const ConnectorInfo& info) {
  Options base = spec.source;
  base.Erase("tables");
  base.Erase("connections");
  std::vector<Options> sections = {base};
  for (const std::string& connection : spec.source.GetList("connections")) {
    Options section = base;
    section.Erase("url");
    section.Erase("path");
    section.SetString(info.connection_option, connection);
    sections.push_back(std::move(section));
  }
  return sections;
}

// What names the target of each table: the target connector's option (`table`, or `path` for
// files) as a template, and how the names filled into it are written (quoted).
struct TargetNaming {
  std::string option;
  std::string pattern;
  NameCase name_case = NameCase::kKeep;
  TemplateValue value;
};

// A table's target: as shown (in the plan, the summary and the state's name) and as the
// target option's value, whose filled-in names are quoted so that they are never re-parsed.
struct NamedTarget {
  std::string shown;
  std::string option;
};

Result<NamedTarget> Expand(std::string_view pattern, const CatalogTable& table,
                           const std::vector<std::string>& captures, const TargetNaming& naming) {
  NamedTarget named;
  SLUICE_ASSIGN_OR_RETURN(named.option, ExpandTableTemplate(pattern, table.db, table.name, captures,
                                                            naming.name_case, naming.value));
  SLUICE_ASSIGN_OR_RETURN(
      named.shown, ExpandTableTemplate(pattern, table.db, table.name, captures, naming.name_case));
  return named;
}

// Where a table goes: the first matching route, else the target's template.
Result<NamedTarget> TargetName(const TargetNaming& naming, const JobSpec& spec,
                               const std::vector<CompiledRoute>& routes, const CatalogTable& table,
                               std::string& route) {
  const std::string full = table.db + "." + table.name;
  for (size_t r = 0; r < routes.size(); ++r) {
    const RE2& re = *routes[r].re;
    const int groups = re.NumberOfCapturingGroups();
    std::vector<std::string> captures(groups);
    std::vector<RE2::Arg> args(groups);
    std::vector<const RE2::Arg*> arg_ptrs(groups);
    for (int g = 0; g < groups; ++g) {
      args[g] = &captures[g];
      arg_ptrs[g] = &args[g];
    }
    if (!RE2::FullMatchN(full, re, arg_ptrs.data(), groups)) continue;
    route = routes[r].spec->from;
    Result<NamedTarget> name = Expand(routes[r].spec->to, table, captures, naming);
    if (!name) {
      return Err(LocatedError(routes[r].spec->location, fmt::format("routes[{}].to", r),
                              name.error().message()));
    }
    return name;
  }
  route.clear();
  Result<NamedTarget> name = Expand(naming.pattern, table, {}, naming);
  if (!name) {
    return Err(spec.target.ErrorAt(
        naming.option, fmt::format("{}.{}: {}", table.db, table.name, name.error().message())));
  }
  return name;
}

Result<TargetNaming> MakeTargetNaming(const JobSpec& spec, const ConnectorRegistry& registry) {
  TargetNaming naming;
  const ConnectorInfo* target = registry.Find(spec.target_type);
  naming.option = target != nullptr ? target->target_name_option : "table";
  if (target != nullptr) naming.value = target->template_value;
  naming.pattern = spec.target.GetString(naming.option, naming.option == "table" ? "${table}" : "");
  Result<NameCase> name_case = ParseNameCase(spec.target.GetString("table_case", "keep"));
  if (!name_case) return Err(spec.target.ErrorAt("table_case", name_case.error().message()));
  naming.name_case = *name_case;
  return naming;
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string SourceNames(const TableTask& task) {
  std::string out;
  for (const PlannedShard& s : task.shards) {
    out += (out.empty() ? "" : ", ") + s.table.db + "." + s.table.name;
  }
  return out;
}

// Target names that differ only by case are two tables only where the target keeps case
// apart (PostgreSQL's quoted names, MariaDB with lower_case_table_names = 0); elsewhere one
// table would silently take both tables' rows. The target is asked only when such a pair
// exists.
Status CheckCaseCollisions(const JobSpec& spec, const ConnectorRegistry& registry,
                           const ConnectorContext& context, const TablePlan& plan) {
  std::map<std::string, const TableTask*> folded;
  std::optional<bool> keeps_case;
  for (const TableTask& task : plan.tasks) {
    auto [it, inserted] = folded.emplace(Lower(task.target_table), &task);
    if (inserted) continue;
    if (!keeps_case) {
      const ConnectorInfo* target = registry.Find(spec.target_type);
      keeps_case = false;
      if (target != nullptr && target->case_sensitive_names) {
        SLUICE_ASSIGN_OR_RETURN(keeps_case, target->case_sensitive_names(spec.target, context));
      }
    }
    if (*keeps_case) return Status::OK();
    return spec.target.ErrorAt(
        spec.target.Has("table") ? "table" : "type",
        fmt::format("{} and {} differ only by case, and the {} target does not keep such names "
                    "apart (one table would take both tables' rows): name them apart with a "
                    "route or target.table",
                    it->second->target_table, task.target_table, spec.target_type));
  }
  return Status::OK();
}

void ApplyOverride(const TableOverrideSpec& o, TableTask& task) {
  task.override_pattern = o.pattern;
  for (const auto& [key, value] : o.source.values()) {
    task.job.source.Set(key, value);
    for (Options& shard : task.job.shards.more) shard.Set(key, value);
  }
  for (const auto& [key, value] : o.target.values()) task.job.target.Set(key, value);
}

Result<const TableOverrideSpec*> FindOverride(const JobSpec& spec, const TableTask& task) {
  CatalogTable as_target;
  const size_t dot = task.target_table.rfind('.');
  as_target.db = dot == std::string::npos ? "" : task.target_table.substr(0, dot);
  as_target.name = dot == std::string::npos ? task.target_table : task.target_table.substr(dot + 1);
  as_target.in_default_db = dot == std::string::npos;
  for (const TableOverrideSpec& o : spec.overrides) {
    Result<TablePattern> pattern = TablePattern::Compile(o.pattern);
    if (!pattern) return Err(LocatedError(o.location, "overrides", pattern.error().message()));
    if (pattern->Matches(task.shards.front().table) || pattern->Matches(as_target)) return &o;
  }
  return nullptr;
}

// What happens when two shards hold the same key (target.duplicate_keys), made concrete in
// the per-table job and described for the plan.
Status ApplyShardPolicy(TableTask& task) {
  Options& target = task.job.target;
  const std::string policy = target.GetString("duplicate_keys", "fail");
  if (policy != "fail" && policy != "keep_last" && policy != "add_source_columns") {
    // Checked for every table, so that a misspelt policy is caught before a table is sharded.
    return target.ErrorAt(
        "duplicate_keys",
        fmt::format("expected fail, keep_last or add_source_columns, got '{}'", policy));
  }
  if (task.shards.size() < 2) return Status::OK();
  std::vector<std::string> key = target.GetList("key");
  const std::string mode = target.GetString("write_mode", "append");
  if (policy == "fail") {
    // Only a plain insert makes the target's key refuse the second row: upsert and replace
    // would let one shard's row silently win (whichever is written last), ignore would drop it.
    if (!key.empty() && mode != "append" && mode != "overwrite") {
      return target.ErrorAt(
          "duplicate_keys",
          fmt::format("fail cannot be enforced with write_mode {}: a second row with the same "
                      "key would not be refused; use keep_last (the last shard wins), "
                      "add_source_columns (both rows kept), or write_mode append or overwrite",
                      mode));
    }
    task.shard_policy = key.empty() ? "fail (no target.key: duplicates are not detected)"
                                    : "fail: the target's key refuses a second row with the "
                                      "same key (a rejected row)";
    return Status::OK();
  }
  if (policy == "keep_last") {
    if (key.empty()) {
      return target.ErrorAt("duplicate_keys", "keep_last needs target.key to know duplicates");
    }
    if (mode == "overwrite" || mode == "ignore") {
      return target.ErrorAt(
          "duplicate_keys",
          fmt::format("keep_last writes with upsert; it cannot be combined with write_mode {}",
                      mode));
    }
    if (task.job.settings.sync == SyncMode::kFullThenIncremental) {
      // The first run of full_then_incremental writes with overwrite, whose plain inserts
      // would refuse the later shard's row instead of keeping it.
      return target.ErrorAt("duplicate_keys",
                            "keep_last writes with upsert; it cannot be combined with "
                            "settings.sync full_then_incremental, whose first run overwrites");
    }
    if (mode == "append") target.SetString("write_mode", "upsert");
    task.job.shards.in_order = true;
    task.job.settings.parallelism = 1;
    task.shard_policy = fmt::format(
        "keep_last: shards read one after another in plan order, written with {}; the last "
        "shard's row wins",
        target.GetString("write_mode"));
    return Status::OK();
  }
  if (policy == "add_source_columns") {
    const Options columns = target.GetObject("source_columns");
    const std::string db = columns.GetString("db");
    const std::string table = columns.GetString("table");
    if (db.empty() || table.empty()) {
      return target.ErrorAt("duplicate_keys",
                            "add_source_columns needs source_columns: {db: NAME, table: NAME}");
    }
    key.push_back(db);
    key.push_back(table);
    OptionValue value;
    value.kind = OptionKind::kStringList;
    value.list = key;
    if (const OptionValue* old = target.Find("duplicate_keys")) value.location = old->location;
    target.Set("key", value);
    task.shard_policy = fmt::format("add_source_columns: key is ({})", fmt::join(key, ", "));
  }
  return Status::OK();
}

std::string Listing(const std::vector<CatalogTable>& tables) {
  std::string out;
  for (size_t i = 0; i < tables.size() && i < 10; ++i) {
    out += (i ? ", " : "") + tables[i].db + "." + tables[i].name;
  }
  if (tables.size() > 10) out += fmt::format(" and {} more", tables.size() - 10);
  return out.empty() ? "none" : out;
}

}  // namespace

std::string TableJobName(const std::string& job, const std::string& target_table) {
  return job + "/" + target_table;
}

Result<TablePlan> PlanTables(const JobSpec& spec, const ConnectorRegistry& registry) {
  const ConnectorInfo* info = registry.Find(spec.source_type);
  if (info == nullptr || !info->list_tables) {
    return Err(spec.source.ErrorAt(
        "tables", fmt::format("connector '{}' cannot list tables", spec.source_type)));
  }
  Result<TableSelector> selector = TableSelector::Compile(spec.source.GetList("tables"));
  if (!selector) return Err(spec.source.ErrorAt("tables", selector.error().message()));
  SLUICE_ASSIGN_OR_RETURN(std::vector<CompiledRoute> routes, CompileRoutes(spec.routes));
  SLUICE_ASSIGN_OR_RETURN(TargetNaming naming, MakeTargetNaming(spec, registry));
  SLUICE_ASSIGN_OR_RETURN(TimeZone zone, TimeZone::Load(spec.settings.time_zone));
  ConnectorContext context;
  context.zone = zone;
  context.job_name = spec.name;

  const std::vector<Options> sections = ConnectionSections(spec, *info);
  TablePlan plan;
  plan.connections = static_cast<int>(sections.size());
  std::map<std::string, size_t> by_target;      // by the target option's value
  std::map<std::string, std::string> shown_as;  // shown name -> the option's value
  std::vector<CatalogTable> everything;
  for (size_t c = 0; c < sections.size(); ++c) {
    Result<std::vector<CatalogTable>> listed = info->list_tables(sections[c], context);
    if (!listed) {
      return Err(Status(listed.error().code(),
                        fmt::format("source connection {} of {}: listing tables: {}", c + 1,
                                    sections.size(), listed.error().message())));
    }
    // A realtime job's selected tables of the connection, by db and name: an online schema
    // change tool's table beside one of them is left out (tables/tool_tables.h).
    const bool realtime = spec.mode == "realtime";
    std::set<std::pair<std::string, std::string>> selected;
    for (const CatalogTable& table : *listed) {
      if (realtime && !table.is_view && selector->Selects(table)) {
        selected.emplace(table.db, table.name);
      }
    }
    for (CatalogTable& table : *listed) {
      if (table.is_view) {
        if (selector->Selects(table)) {
          plan.notes.push_back(
              fmt::format("skipped view {}.{}: views are not read by jobs over "
                          "many tables (name it in a job of its own)",
                          table.db, table.name));
        }
        continue;
      }
      everything.push_back(table);
      if (!selector->Selects(table)) continue;
      // Realtime only: there the copy would break the stream at the tool's swap; a batch job
      // copies what its patterns select, the tools' tables included.
      const auto is_selected = [&](const std::string& name) {
        return selected.count({table.db, name}) > 0;
      };
      if (const std::string base = realtime ? ToolTableBase(*selector, table, is_selected) : "";
          !base.empty()) {
        plan.notes.push_back(LeftOutToolTableNote(table, base));
        continue;
      }
      std::string route;
      SLUICE_ASSIGN_OR_RETURN(NamedTarget named, TargetName(naming, spec, routes, table, route));
      const std::string& target = named.shown;
      auto [it, inserted] = by_target.emplace(named.option, plan.tasks.size());
      if (auto [shown, fresh] = shown_as.emplace(target, named.option);
          !fresh && shown->second != named.option) {
        // "a.b"."c" and "a"."b.c": two tables, but one name in the state and the summary.
        return Err(spec.target.ErrorAt(
            naming.option, fmt::format("{}.{} and an earlier table both go to tables shown as "
                                       "'{}' ({} and {}): name them apart with a route",
                                       table.db, table.name, target, shown->second, named.option)));
      }
      if (!inserted && route.empty() && naming.option != "table") {
        // A file holds one table: only a route says that shards go to one file.
        return Err(spec.target.ErrorAt(
            naming.option,
            fmt::format("'{}' writes {} and {}.{} to the same file {}: put ${{table}} (and "
                        "${{db}}) in it for one file per table",
                        naming.pattern, SourceNames(plan.tasks[it->second]), table.db, table.name,
                        target)));
      }
      if (inserted) {
        TableTask task;
        task.target_table = target;
        task.route = route;
        task.job = spec;
        task.job.name = TableJobName(spec.name, target);
        task.job.source = sections[c];
        task.job.source.SetString("table", table.table_option);
        task.job.shards.source_key = true;
        task.job.target.SetString(naming.option, named.option);
        task.estimated_rows = table.estimated_rows;
        plan.tasks.push_back(std::move(task));
      } else {
        TableTask& task = plan.tasks[it->second];
        Options shard = sections[c];
        shard.SetString("table", table.table_option);
        task.job.shards.more.push_back(std::move(shard));
        task.estimated_rows = (task.estimated_rows < 0 || table.estimated_rows < 0)
                                  ? -1
                                  : task.estimated_rows + table.estimated_rows;
      }
      plan.tasks[it->second].job.shards.names.emplace_back(table.db, table.name);
      plan.tasks[it->second].shards.push_back(PlannedShard{static_cast<int>(c), table});
    }
  }
  if (plan.tasks.empty()) {
    return Err(spec.source.ErrorAt(
        "tables", fmt::format("selects no table; the source has: {}", Listing(everything))));
  }
  for (const std::string& pattern : selector->Unmatched(everything)) {
    plan.notes.push_back(fmt::format("source.tables pattern '{}' matches no table", pattern));
  }
  SLUICE_RETURN_IF_ERROR(CheckCaseCollisions(spec, registry, context, plan));
  for (TableTask& task : plan.tasks) {
    SLUICE_ASSIGN_OR_RETURN(const TableOverrideSpec* o, FindOverride(spec, task));
    if (o != nullptr) ApplyOverride(*o, task);
    SLUICE_RETURN_IF_ERROR(ApplyShardPolicy(task));
  }
  std::stable_sort(plan.tasks.begin(), plan.tasks.end(),
                   [](const TableTask& a, const TableTask& b) {
                     if (a.estimated_rows != b.estimated_rows)
                       return a.estimated_rows > b.estimated_rows;
                     return a.target_table < b.target_table;
                   });
  return plan;
}

}  // namespace sluice
