#include "tables/table_plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace sluice {
namespace {

// A connector that only lists tables: connection "conn1" and "conn2" offer fixed catalogs.
ConnectorRegistry FakeRegistry() {
  ConnectorInfo info;
  info.name = "fake";
  info.connection_option = "path";
  info.list_tables = [](const Options& options,
                        const ConnectorContext&) -> Result<std::vector<CatalogTable>> {
    auto table = [](std::string db, std::string name, int64_t rows) {
      CatalogTable t;
      t.db = db;
      t.name = name;
      t.table_option = db + "." + name;
      t.estimated_rows = rows;
      t.in_default_db = db == "shop_1" || db == "shop";
      return t;
    };
    const std::string path = options.GetString("path");
    if (path == "conn1") {
      return std::vector<CatalogTable>{
          table("shop", "Customers", 10), table("shop", "items", -1),
          table("shop", "orders", 500),   table("shop", "tmp_x", 7),
          table("shop_1", "orders_0", 3), table("shop_1", "orders_1", 4)};
    }
    if (path == "conn2") {
      return std::vector<CatalogTable>{table("shop_2", "orders_0", 5)};
    }
    if (path == "osc") {  // gh-ost and pt-osc at work on shop.orders; a lone _items_new
      return std::vector<CatalogTable>{
          table("shop", "orders", 9),      table("shop", "_orders_gho", 9),
          table("shop", "_orders_ghc", 1), table("shop", "_orders_20261207040512_del", 9),
          table("shop", "_items_new", 2),  table("crm", "_orders_new", 3)};
    }
    if (path == "cased") {
      CatalogTable view = table("cs", "v", -1);
      view.is_view = true;
      return std::vector<CatalogTable>{table("cs", "Same", 1), table("cs", "same", 1),
                                       table("cs", "a.b", 1), view};
    }
    return Err(Status(StatusCode::kConnection, "cannot reach " + path));
  };
  ConnectorRegistry registry;
  registry.Register(std::move(info));
  return registry;
}

OptionValue List(std::vector<std::string> items) {
  OptionValue v;
  v.kind = OptionKind::kStringList;
  v.list = std::move(items);
  return v;
}

OptionValue SourceColumns() {
  OptionValue db;
  db.scalar = "src_db";
  OptionValue table;
  table.scalar = "src_table";
  OptionValue v;
  v.kind = OptionKind::kObject;
  v.object = {{"db", db}, {"table", table}};
  return v;
}

JobSpec Job(std::vector<std::string> tables) {
  JobSpec spec;
  spec.name = "j";
  spec.source_type = "fake";
  spec.target_type = "fake";
  spec.source.path = "source";
  spec.target.path = "target";
  spec.source.SetString("path", "conn1");
  spec.source.Set("tables", List(std::move(tables)));
  return spec;
}

std::map<std::string, const TableTask*> ByTarget(const TablePlan& plan) {
  std::map<std::string, const TableTask*> out;
  for (const TableTask& t : plan.tasks) out[t.target_table] = &t;
  return out;
}

std::vector<std::string> Targets(const TablePlan& plan) {
  std::vector<std::string> out;
  for (const TableTask& t : plan.tasks) out.push_back(t.target_table);
  return out;
}

std::string PlanError(const JobSpec& spec) {
  Result<TablePlan> plan = PlanTables(spec, FakeRegistry());
  return plan ? "planned" : plan.error().message();
}

TEST(PlanTablesTest, WholeDatabaseWithTemplateAndCase) {
  JobSpec spec = Job({"shop.*", "!shop.tmp_*"});
  spec.target.SetString("table", "ods_${db}_${table}");
  spec.target.SetString("table_case", "lower");
  Result<TablePlan> plan = PlanTables(spec, FakeRegistry());
  ASSERT_TRUE(plan.has_value()) << plan.error().message();
  // Largest first, unknown sizes last.
  EXPECT_EQ(Targets(*plan),
            (std::vector<std::string>{"ods_shop_orders", "ods_shop_customers", "ods_shop_items"}));
  const TableTask& orders = plan->tasks[0];
  EXPECT_EQ(orders.job.name, "j/ods_shop_orders");
  EXPECT_EQ(orders.job.source.GetString("table"), "shop.orders");
  EXPECT_FALSE(orders.job.source.Has("tables"));  // a single-table job now
  EXPECT_FALSE(orders.job.multi_table());
  EXPECT_EQ(orders.job.target.GetString("table"), "ods_shop_orders");
  EXPECT_EQ(orders.estimated_rows, 500);
  EXPECT_EQ(orders.shards.size(), 1u);
  EXPECT_TRUE(orders.shard_policy.empty());
  EXPECT_TRUE(plan->notes.empty());
}

TEST(PlanTablesTest, DefaultTargetNameIsTheTable) {
  Result<TablePlan> plan = PlanTables(Job({"shop.orders"}), FakeRegistry());
  ASSERT_TRUE(plan.has_value()) << plan.error().message();
  EXPECT_EQ(Targets(*plan), (std::vector<std::string>{"orders"}));
}

TEST(PlanTablesTest, ShardsAcrossConnectionsThroughARoute) {
  JobSpec spec = Job({"shop_[0-9]+\\.orders_[0-9]+", "shop.orders"});
  spec.source.Set("connections", List({"conn2"}));
  spec.routes.push_back(RouteSpec{"shop_(\\d+)\\.orders_(\\d+)", "all_orders", {}});
  Result<TablePlan> plan = PlanTables(spec, FakeRegistry());
  ASSERT_TRUE(plan.has_value()) << plan.error().message();
  EXPECT_EQ(plan->connections, 2);
  EXPECT_EQ(Targets(*plan), (std::vector<std::string>{"orders", "all_orders"}));
  const TableTask& all = *ByTarget(*plan)["all_orders"];
  EXPECT_EQ(all.route, "shop_(\\d+)\\.orders_(\\d+)");
  ASSERT_EQ(all.shards.size(), 3u);
  EXPECT_EQ(all.shards[0].connection, 0);
  EXPECT_EQ(all.shards[2].connection, 1);
  EXPECT_EQ(all.estimated_rows, 12);
  EXPECT_EQ(all.job.source.GetString("table"), "shop_1.orders_0");
  ASSERT_EQ(all.job.shards.more.size(), 2u);
  EXPECT_EQ(all.job.shards.more[0].GetString("table"), "shop_1.orders_1");
  EXPECT_EQ(all.job.shards.more[1].GetString("table"), "shop_2.orders_0");
  // The second connection's section is the first one's with the connection replaced.
  EXPECT_EQ(all.job.shards.more[1].GetString("path"), "conn2");
  EXPECT_FALSE(all.job.shards.more[1].Has("connections"));
  EXPECT_EQ(all.job.shards.names,
            (std::vector<std::pair<std::string, std::string>>{
                {"shop_1", "orders_0"}, {"shop_1", "orders_1"}, {"shop_2", "orders_0"}}));
  EXPECT_EQ(all.shard_policy, "fail (no target.key: duplicates are not detected)");
}

TEST(PlanTablesTest, RouteCaptureGroupsNameTheTarget) {
  JobSpec spec = Job({"shop_1.*"});
  spec.source.Set("connections", List({"conn2"}));
  spec.source.Set("tables", List({"shop_?.*"}));
  spec.routes.push_back(RouteSpec{"shop_(\\d+)\\.orders_(\\d+)", "o${2}_from_${1}", {}});
  Result<TablePlan> plan = PlanTables(spec, FakeRegistry());
  ASSERT_TRUE(plan.has_value()) << plan.error().message();
  EXPECT_EQ(Targets(*plan), (std::vector<std::string>{"o0_from_2", "o1_from_1", "o0_from_1"}));
}

TEST(PlanTablesTest, FirstMatchingOverrideApplies) {
  JobSpec spec = Job({"shop.*", "!shop.tmp_*"});
  TableOverrideSpec by_source;
  by_source.pattern = "shop.orders";
  by_source.source.SetString("where", "amount > 10");
  by_source.target.SetString("write_mode", "overwrite");
  TableOverrideSpec later;
  later.pattern = "shop.*";
  later.source.SetString("where", "never used for orders");
  TableOverrideSpec by_target;  // a glob without a db part matches the target name
  by_target.pattern = "Cust*";
  by_target.source.SetString("split_key", "id");
  spec.overrides = {by_source, by_target, later};
  Result<TablePlan> plan = PlanTables(spec, FakeRegistry());
  ASSERT_TRUE(plan.has_value()) << plan.error().message();
  auto tasks = ByTarget(*plan);
  EXPECT_EQ(tasks["orders"]->override_pattern, "shop.orders");
  EXPECT_EQ(tasks["orders"]->job.source.GetString("where"), "amount > 10");
  EXPECT_EQ(tasks["orders"]->job.target.GetString("write_mode"), "overwrite");
  EXPECT_EQ(tasks["Customers"]->override_pattern, "Cust*");
  EXPECT_EQ(tasks["Customers"]->job.source.GetString("split_key"), "id");
  EXPECT_FALSE(tasks["Customers"]->job.source.Has("where"));
  EXPECT_EQ(tasks["items"]->override_pattern, "shop.*");
  EXPECT_EQ(tasks["items"]->job.source.GetString("where"), "never used for orders");
}

TEST(PlanTablesTest, OverrideOfAShardedTableReachesEveryShard) {
  JobSpec spec = Job({"shop_1.orders_*"});
  spec.target.SetString("table", "o");
  TableOverrideSpec o;
  o.pattern = "o";
  o.source.SetString("where", "id > 0");
  spec.overrides = {o};
  Result<TablePlan> plan = PlanTables(spec, FakeRegistry());
  ASSERT_TRUE(plan.has_value()) << plan.error().message();
  ASSERT_EQ(plan->tasks.size(), 1u);
  EXPECT_EQ(plan->tasks[0].job.source.GetString("where"), "id > 0");
  EXPECT_EQ(plan->tasks[0].job.shards.more.at(0).GetString("where"), "id > 0");
}

// An online schema change tool's tables beside a selected table are left out of a realtime
// job (a note says so), unless a pattern names them; one whose table the job does not read is
// an ordinary table.
TEST(PlanTablesTest, OnlineSchemaChangeToolTablesAreLeftOutOfRealtimeJobs) {
  JobSpec spec = Job({"shop.*", "crm.*"});
  spec.source.SetString("path", "osc");
  // A batch job copies what the patterns select: all six.
  Result<TablePlan> batch = PlanTables(spec, FakeRegistry());
  ASSERT_TRUE(batch.has_value()) << batch.error().message();
  EXPECT_EQ(batch->tasks.size(), 6u);
  EXPECT_TRUE(batch->notes.empty());
  spec.mode = "realtime";
  Result<TablePlan> plan = PlanTables(spec, FakeRegistry());
  ASSERT_TRUE(plan.has_value()) << plan.error().message();
  EXPECT_EQ(Targets(*plan), (std::vector<std::string>{"orders", "_orders_new", "_items_new"}));
  ASSERT_EQ(plan->notes.size(), 3u);
  EXPECT_EQ(plan->notes[0],
            "left out shop._orders_gho: an online schema change tool's table beside shop.orders "
            "(gh-ost, pt-online-schema-change), whose swap the job follows on shop.orders; name "
            "shop._orders_gho in source.tables to stream it anyway");
  EXPECT_NE(plan->notes[2].find("left out shop._orders_20261207040512_del"), std::string::npos);

  spec.source.Set("tables", List({"shop.*", "shop._orders_gho"}));
  plan = PlanTables(spec, FakeRegistry());
  ASSERT_TRUE(plan.has_value()) << plan.error().message();
  std::vector<std::string> targets = Targets(*plan);  // orders and the copy: same size, any order
  std::sort(targets.begin(), targets.end());
  EXPECT_EQ(targets, (std::vector<std::string>{"_items_new", "_orders_gho", "orders"}));
  EXPECT_EQ(plan->notes.size(), 2u);
}

TEST(PlanTablesTest, UnmatchedPatternIsANote) {
  Result<TablePlan> plan = PlanTables(Job({"shop.orders", "shop.ordres"}), FakeRegistry());
  ASSERT_TRUE(plan.has_value()) << plan.error().message();
  EXPECT_EQ(plan->notes,
            (std::vector<std::string>{"source.tables pattern 'shop.ordres' matches no table"}));
}

TEST(PlanTablesTest, NoTableIsAnErrorListingWhatExists) {
  EXPECT_EQ(PlanError(Job({"crm.*"})),
            "source.tables: selects no table; the source has: shop.Customers, shop.items, "
            "shop.orders, shop.tmp_x, shop_1.orders_0, shop_1.orders_1");
}

TEST(PlanTablesTest, ErrorsOfPatternsRoutesAndNames) {
  EXPECT_EQ(PlanError(Job({"shop_("})),
            "source.tables: table pattern 'shop_(' is not a valid regular expression: missing ): "
            "shop_(");
  JobSpec bad_route = Job({"shop.*"});
  bad_route.routes.push_back(RouteSpec{"shop\\.orders", "x_${1}", {}});
  EXPECT_EQ(PlanError(bad_route),
            "routes[0].to: 'x_${1}': ${1} but the route has 0 capture group(s)");
  JobSpec bad_case = Job({"shop.*"});
  bad_case.target.SetString("table_case", "camel");
  EXPECT_EQ(PlanError(bad_case), "target.table_case: expected keep, lower or upper, got 'camel'");
  JobSpec unreachable = Job({"shop.*"});
  unreachable.source.Set("connections", List({"conn9"}));
  EXPECT_EQ(PlanError(unreachable), "source connection 2 of 2: listing tables: cannot reach conn9");
}

JobSpec Sharded(const std::string& policy, const std::string& mode, bool key) {
  JobSpec spec = Job({"shop_1.orders_*"});
  spec.target.SetString("table", "o");
  if (!policy.empty()) spec.target.SetString("duplicate_keys", policy);
  if (!mode.empty()) spec.target.SetString("write_mode", mode);
  if (key) spec.target.Set("key", List({"id"}));
  spec.target.Set("source_columns", SourceColumns());
  return spec;
}

TEST(PlanTablesTest, DuplicateKeyPolicies) {
  {
    Result<TablePlan> plan = PlanTables(Sharded("", "append", true), FakeRegistry());
    ASSERT_TRUE(plan.has_value()) << plan.error().message();
    EXPECT_EQ(plan->tasks[0].shard_policy,
              "fail: the target's key refuses a second row with the same key (a rejected row)");
  }
  {
    Result<TablePlan> plan = PlanTables(Sharded("keep_last", "append", true), FakeRegistry());
    ASSERT_TRUE(plan.has_value()) << plan.error().message();
    const TableTask& t = plan->tasks[0];
    EXPECT_TRUE(t.job.shards.in_order);
    EXPECT_EQ(t.job.settings.parallelism, 1);
    EXPECT_EQ(t.job.target.GetString("write_mode"), "upsert");
    EXPECT_EQ(t.shard_policy,
              "keep_last: shards read one after another in plan order, written with upsert; the "
              "last shard's row wins");
  }
  {
    Result<TablePlan> plan =
        PlanTables(Sharded("add_source_columns", "upsert", true), FakeRegistry());
    ASSERT_TRUE(plan.has_value()) << plan.error().message();
    EXPECT_EQ(plan->tasks[0].job.target.GetList("key"),
              (std::vector<std::string>{"id", "src_db", "src_table"}));
    EXPECT_EQ(plan->tasks[0].shard_policy, "add_source_columns: key is (id, src_db, src_table)");
  }
}

TEST(PlanTablesTest, DuplicateKeyPolicyErrors) {
  EXPECT_EQ(PlanError(Sharded("keep_last", "append", false)),
            "target.duplicate_keys: keep_last needs target.key to know duplicates");
  EXPECT_EQ(PlanError(Sharded("keep_last", "overwrite", true)),
            "target.duplicate_keys: keep_last writes with upsert; it cannot be combined with "
            "write_mode overwrite");
  JobSpec no_columns = Sharded("add_source_columns", "append", true);
  no_columns.target.Erase("source_columns");
  EXPECT_EQ(PlanError(no_columns),
            "target.duplicate_keys: add_source_columns needs source_columns: {db: NAME, table: "
            "NAME}");
}

// A policy the target cannot keep is an error, not a silent last-write-wins.
TEST(PlanTablesTest, FailWithUpsertIsAnError) {
  EXPECT_EQ(PlanError(Sharded("fail", "upsert", true)),
            "target.duplicate_keys: fail cannot be enforced with write_mode upsert: a second row "
            "with the same key would not be refused; use keep_last (the last shard wins), "
            "add_source_columns (both rows kept), or write_mode append or overwrite");
  // Without a key nothing is detected either way, and the plan says so.
  EXPECT_EQ(PlanError(Sharded("fail", "append", false)), "planned");
}

TEST(PlanTablesTest, KeepLastWithFullThenIncrementalIsAnError) {
  JobSpec spec = Sharded("keep_last", "upsert", true);
  spec.settings.sync = SyncMode::kFullThenIncremental;
  EXPECT_EQ(PlanError(spec),
            "target.duplicate_keys: keep_last writes with upsert; it cannot be combined with "
            "settings.sync full_then_incremental, whose first run overwrites");
}

// A misspelt policy is caught even when no table is sharded (yet).
TEST(PlanTablesTest, UnknownPolicyIsAnErrorWithoutShards) {
  JobSpec spec = Job({"shop.orders"});
  spec.target.SetString("duplicate_keys", "keep-last");
  EXPECT_EQ(PlanError(spec),
            "target.duplicate_keys: expected fail, keep_last or add_source_columns, got "
            "'keep-last'");
}

// Names differing only by case are two tables only where the target keeps case apart.
TEST(PlanTablesTest, CaseOnlyTargetNames) {
  JobSpec spec = Job({"cs.*"});
  spec.source.SetString("path", "cased");
  // The fake target cannot tell: such names are refused, both named.
  EXPECT_EQ(PlanError(spec),
            "target.type: Same and same differ only by case, and the fake target does not keep "
            "such names apart (one table would take both tables' rows): name them apart with a "
            "route or target.table");
  ConnectorRegistry registry = FakeRegistry();
  ConnectorInfo keeps = *registry.Find("fake");
  keeps.name = "keeps";
  keeps.case_sensitive_names = [](const Options&, const ConnectorContext&) -> Result<bool> {
    return true;
  };
  keeps.template_value = [](std::string_view name) -> Result<std::string> {
    return "<" + std::string(name) + ">";
  };
  registry.Register(std::move(keeps));
  spec.target_type = "keeps";
  spec.target.SetString("table", "ods.${table}");
  Result<TablePlan> plan = PlanTables(spec, registry);
  ASSERT_TRUE(plan.has_value()) << plan.error().message();
  EXPECT_EQ(Targets(*plan), (std::vector<std::string>{"ods.Same", "ods.a.b", "ods.same"}));
  // The target option holds the names as the target quotes them; the plan shows them bare.
  EXPECT_EQ(ByTarget(*plan)["ods.a.b"]->job.target.GetString("table"), "ods.<a.b>");
  ASSERT_EQ(plan->notes.size(), 1u);
  EXPECT_EQ(plan->notes[0],
            "skipped view cs.v: views are not read by jobs over many tables (name it in a job "
            "of its own)");
}

// A file target's path is the template: one file per table, never two tables in one file.
TEST(PlanTablesTest, FileTargetPathTemplate) {
  ConnectorRegistry registry = FakeRegistry();
  ConnectorInfo files = *registry.Find("fake");
  files.name = "files";
  files.target_name_option = "path";
  registry.Register(std::move(files));
  JobSpec spec = Job({"shop.*"});
  spec.target_type = "files";
  spec.target.SetString("path", "out/${db}_${table}.csv");
  Result<TablePlan> plan = PlanTables(spec, registry);
  ASSERT_TRUE(plan.has_value()) << plan.error().message();
  EXPECT_EQ(ByTarget(*plan)["out/shop_orders.csv"]->job.target.GetString("path"),
            "out/shop_orders.csv");
  EXPECT_FALSE(ByTarget(*plan)["out/shop_orders.csv"]->job.target.Has("table"));
  spec.target.SetString("path", "out/${db}.csv");
  plan = PlanTables(spec, registry);
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error().message(),
            "target.path: 'out/${db}.csv' writes shop.Customers and shop.items to the same file "
            "out/shop.csv: put ${table} (and ${db}) in it for one file per table");
}

}  // namespace
}  // namespace sluice
