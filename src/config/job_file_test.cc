#include "config/job_file.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "config/testing_registry.h"
#include "core/value_text.h"

namespace sluice {
namespace {

// 2024-03-01T17:00:00Z: already 2024-03-02 01:00 in Shanghai.
const int64_t kNow = (DaysFromCivil(2024, 3, 1) * 86400LL + 17 * 3600LL) * 1'000'000LL;

const char* const kFullJob = R"yaml(name: orders_daily
mode: batch
source:
  type: fakedb
  url: fakedb://etl:s3cret@db.local/shop
  table: orders
  columns: [id, amount, gmt_modified]
  where: "status <> 'test'"
  split_key: id
  incremental: { column: gmt_modified }
  schema: { amount: "decimal(10,2)", id: int64 }
target:
  type: csv
  path: out/orders_${bizdate}.csv
  write_mode: overwrite
  key: [id]
transforms:
  - filter: "amount > 0"
  - set: { amount_cents: "CAST(amount * 100 AS BIGINT)", ds: "'${bizdate:yyyy-MM-dd}'" }
  - rename: { user_id: buyer_id }
  - drop: [status]
  - select: [id, amount]
settings:
  parallelism: 4
  batch_rows: 5000
  rate_limit: { rows_per_second: 100, bytes_per_second: 0 }
  error_limit: { rows: 10 }
  dirty_records: dirty/orders.jsonl
  time_zone: Asia/Shanghai
  state_path: .sluice/state.db
  queue_batches: 4
)yaml";

const char* const kMinimalJob = R"yaml(name: t
source:
  type: csv
  path: in.csv
target:
  type: csv
  path: out.csv
)yaml";

class JobFileTest : public ::testing::Test {
 protected:
  Result<JobSpec> Parse(const std::string& text) {
    return ParseJobText(text, "jobs/a.yaml", options_, registry_);
  }
  JobSpec ParseOk(const std::string& text) {
    Result<JobSpec> job = Parse(text);
    EXPECT_TRUE(job.has_value()) << job.error().message();
    return job.value_or(JobSpec{});
  }

  ConnectorRegistry registry_ = testing::FakeRegistry();
  JobLoadOptions options_{.now_micros = kNow};
};

TEST_F(JobFileTest, FullJob) {
  JobSpec job = ParseOk(kFullJob);
  EXPECT_EQ(job.file, "jobs/a.yaml");
  EXPECT_EQ(job.name, "orders_daily");
  EXPECT_EQ(job.mode, "batch");

  EXPECT_EQ(job.source_type, "fakedb");
  EXPECT_EQ(job.source.path, "source");
  EXPECT_EQ(job.source.section().ToString(), "jobs/a.yaml:3:1");
  EXPECT_EQ(job.source.GetString("type"), "fakedb");
  EXPECT_EQ(job.source.GetString("url"), "fakedb://etl:s3cret@db.local/shop");
  EXPECT_EQ(job.source.GetString("table"), "orders");
  EXPECT_EQ(job.source.Find("table")->location.ToString(), "jobs/a.yaml:6:10");
  EXPECT_EQ(job.source.GetList("columns"),
            (std::vector<std::string>{"id", "amount", "gmt_modified"}));
  EXPECT_EQ(job.source.Find("columns")->kind, OptionKind::kStringList);
  EXPECT_EQ(job.source.GetString("where"), "status <> 'test'");
  EXPECT_EQ(job.source.GetString("split_key"), "id");
  const Options incremental = job.source.GetObject("incremental");
  EXPECT_EQ(incremental.GetString("column"), "gmt_modified");
  EXPECT_EQ(incremental.Find("column")->location.ToString(), "jobs/a.yaml:10:26");
  EXPECT_EQ(job.source.GetMap("schema"), (std::vector<std::pair<std::string, std::string>>{
                                             {"amount", "decimal(10,2)"}, {"id", "int64"}}));
  // A connector default fills a key left out, located at the section.
  EXPECT_EQ(job.source.GetInt("fetch_size", 0).value(), 1000);
  EXPECT_EQ(job.source.Find("fetch_size")->location.ToString(), "jobs/a.yaml:3:1");

  EXPECT_EQ(job.target_type, "csv");
  EXPECT_EQ(job.target.path, "target");
  EXPECT_EQ(job.target.GetString("path"), "out/orders_20240301.csv");
  EXPECT_EQ(job.target.GetString("write_mode"), "overwrite");
  EXPECT_EQ(job.target.GetList("key"), std::vector<std::string>{"id"});
  EXPECT_EQ(job.target.GetBool("header", false).value(), true);

  ASSERT_EQ(job.transforms.size(), 5u);
  EXPECT_EQ(job.transforms[0].kind, TransformSpec::Kind::kFilter);
  EXPECT_EQ(job.transforms[0].expression, "amount > 0");
  EXPECT_EQ(job.transforms[0].location.ToString(), "jobs/a.yaml:18:5");
  EXPECT_EQ(job.transforms[0].Label(0), "transforms[0] (filter)");
  EXPECT_EQ(job.transforms[1].kind, TransformSpec::Kind::kSet);
  EXPECT_EQ(job.transforms[1].assignments,
            (std::vector<std::pair<std::string, std::string>>{
                {"amount_cents", "CAST(amount * 100 AS BIGINT)"}, {"ds", "'2024-03-01'"}}));
  EXPECT_EQ(job.transforms[1].Label(1), "transforms[1] (set)");
  EXPECT_EQ(job.transforms[2].kind, TransformSpec::Kind::kRename);
  EXPECT_EQ(job.transforms[2].assignments,
            (std::vector<std::pair<std::string, std::string>>{{"user_id", "buyer_id"}}));
  EXPECT_EQ(job.transforms[3].kind, TransformSpec::Kind::kDrop);
  EXPECT_EQ(job.transforms[3].columns, std::vector<std::string>{"status"});
  EXPECT_EQ(job.transforms[4].kind, TransformSpec::Kind::kSelect);
  EXPECT_EQ(job.transforms[4].columns, (std::vector<std::string>{"id", "amount"}));
  EXPECT_EQ(job.transforms[4].Label(4), "transforms[4] (select)");

  EXPECT_EQ(job.settings.parallelism, 4);
  EXPECT_EQ(job.settings.batch_rows, 5000);
  EXPECT_EQ(job.settings.rate_limit.rows_per_second, 100);
  EXPECT_EQ(job.settings.rate_limit.bytes_per_second, 0);
  EXPECT_EQ(job.settings.error_limit_rows, 10);
  EXPECT_EQ(job.settings.dirty_records, "dirty/orders.jsonl");
  EXPECT_EQ(job.settings.time_zone, "Asia/Shanghai");
  EXPECT_EQ(job.settings.state_path, ".sluice/state.db");
  EXPECT_EQ(job.settings.queue_batches, 4);

  EXPECT_EQ(job.parameters, (std::map<std::string, std::string>{{"bizdate", "20240301"}}));
}

TEST_F(JobFileTest, Defaults) {
  JobSpec job = ParseOk(kMinimalJob);
  EXPECT_EQ(job.mode, "batch");
  EXPECT_TRUE(job.transforms.empty());
  EXPECT_FALSE(job.target.Has("write_mode"));  // append for batch jobs: engine/job_setup.cc
  EXPECT_EQ(job.source.GetString("delimiter"), ",");
  EXPECT_FALSE(job.source.Has("columns"));
  EXPECT_EQ(job.settings.parallelism, 1);
  EXPECT_EQ(job.settings.batch_rows, 10000);
  EXPECT_EQ(job.settings.queue_batches, 8);
  EXPECT_EQ(job.settings.rate_limit.rows_per_second, 0);
  EXPECT_EQ(job.settings.error_limit_rows, 0);
  EXPECT_EQ(job.settings.time_zone, "UTC");
  EXPECT_EQ(job.settings.dirty_records, "");
  // In UTC, 2024-03-01T17:00Z is still March 1st: yesterday is the leap day.
  EXPECT_EQ(job.parameters.at("bizdate"), "20240229");
}

TEST_F(JobFileTest, BizdateDefaultsToYesterdayInTheJobZone) {
  std::string text = std::string(kMinimalJob) + "settings:\n  time_zone: Asia/Shanghai\n";
  EXPECT_EQ(ParseOk(text).parameters.at("bizdate"), "20240301");
  text = std::string(kMinimalJob) + "settings:\n  time_zone: \"-10:00\"\n";
  EXPECT_EQ(ParseOk(text).parameters.at("bizdate"), "20240229");
}

TEST_F(JobFileTest, BizdateOption) {
  options_.bizdate = "2024-01-01";
  const std::string text = R"yaml(name: t
source: { type: csv, path: "in_${bizdate-1}.csv" }
target: { type: csv, path: "out_${bizdate:yyyy/MM/dd}.csv" }
)yaml";
  JobSpec job = ParseOk(text);
  EXPECT_EQ(job.source.GetString("path"), "in_20231231.csv");
  EXPECT_EQ(job.target.GetString("path"), "out_2024/01/01.csv");
  EXPECT_EQ(job.parameters.at("bizdate"), "20240101");
  options_.bizdate = "20240230";
  EXPECT_EQ(Parse(text).error().message(), "--bizdate: '20240230' is not a valid date");
}

TEST_F(JobFileTest, SubstitutesEveryScalarValueButNoKey) {
  ::setenv("SLUICE_CFG_JOB_TABLE", "orders_eu", 1);
  ::unsetenv("SLUICE_CFG_JOB_UNSET");
  options_.sets = {{"region", "eu"}, {"workers", "3"}};
  const std::string text = R"yaml(name: orders_${region}
source:
  type: fakedb
  url: ${env:SLUICE_CFG_JOB_UNSET:-fakedb://localhost/db}
  table: ${env:SLUICE_CFG_JOB_TABLE}
  columns: [id, "c_${region}"]
  schema: { "${region}": "t_${region}" }
target:
  type: csv
  path: "$${literal}/${region}.csv"
transforms:
  - filter: "region = '${region}'"
  - rename: { a: "b_${region}" }
settings:
  parallelism: ${workers}
)yaml";
  JobSpec job = ParseOk(text);
  EXPECT_EQ(job.name, "orders_eu");
  EXPECT_EQ(job.source.GetString("url"), "fakedb://localhost/db");
  EXPECT_EQ(job.source.GetString("table"), "orders_eu");
  EXPECT_EQ(job.source.GetList("columns"), (std::vector<std::string>{"id", "c_eu"}));
  EXPECT_EQ(job.source.GetMap("schema"),
            (std::vector<std::pair<std::string, std::string>>{{"${region}", "t_eu"}}));
  EXPECT_EQ(job.target.GetString("path"), "${literal}/eu.csv");
  EXPECT_EQ(job.transforms[0].expression, "region = 'eu'");
  EXPECT_EQ(job.transforms[1].assignments[0].second, "b_eu");
  EXPECT_EQ(job.settings.parallelism, 3);
  EXPECT_EQ(job.parameters, (std::map<std::string, std::string>{
                                {"bizdate", "20240229"}, {"region", "eu"}, {"workers", "3"}}));
}

TEST_F(JobFileTest, SetOverridesTheFile) {
  options_.sets = {{"settings.parallelism", "2"},
                   {"target.path", "x_${bizdate}.csv"},
                   {"source.columns", "id, name"},
                   {"settings.rate_limit.rows_per_second", "50"},
                   {"settings.time_zone", "Asia/Shanghai"}};
  JobSpec job = ParseOk(std::string(kMinimalJob) + "settings:\n  parallelism: 8\n");
  EXPECT_EQ(job.settings.parallelism, 2);
  EXPECT_EQ(job.target.GetString("path"), "x_20240301.csv");
  EXPECT_EQ(job.target.Find("path")->location.ToString(), "--set");
  EXPECT_EQ(job.source.GetList("columns"), (std::vector<std::string>{"id", "name"}));
  EXPECT_EQ(job.settings.rate_limit.rows_per_second, 50);
  EXPECT_EQ(job.settings.time_zone, "Asia/Shanghai");
  EXPECT_EQ(job.parameters, (std::map<std::string, std::string>{{"bizdate", "20240301"}}));
}

TEST_F(JobFileTest, SetCanSupplyAMissingSection) {
  options_.sets = {{"target.type", "csv"}, {"target.path", "o.csv"}};
  JobSpec job = ParseOk("name: t\nsource: {type: csv, path: i.csv}\ntarget:\n");
  EXPECT_EQ(job.target_type, "csv");
  EXPECT_EQ(job.target.GetString("path"), "o.csv");
}

TEST_F(JobFileTest, BooleansAreNormalised) {
  JobSpec job = ParseOk(
      "name: t\nsource: {type: csv, path: i.csv, header: no}\n"
      "target: {type: csv, path: o.csv, header: on}\n");
  EXPECT_EQ(job.source.GetString("header"), "false");
  EXPECT_EQ(job.target.GetString("header"), "true");
}

TEST_F(JobFileTest, ScalarListAndEmptyValues) {
  JobSpec job = ParseOk(
      "name: t\nsource: {type: csv, path: i.csv, columns: id}\n"
      "target: {type: csv, path: o.csv, key: ''}\n"
      "transforms:\n  - drop: status\n");
  EXPECT_EQ(job.source.GetList("columns"), std::vector<std::string>{"id"});
  EXPECT_TRUE(job.target.GetList("key").empty());
  EXPECT_EQ(job.transforms[0].columns, std::vector<std::string>{"status"});
}

TEST_F(JobFileTest, LoadJobFileReadsFromDisk) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "sluice_cfg_test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "job.yaml").string();
  std::ofstream(path) << kMinimalJob;
  Result<JobSpec> job = LoadJobFile(path, options_, registry_);
  ASSERT_TRUE(job.has_value()) << job.error().message();
  EXPECT_EQ(job->file, path);
  EXPECT_EQ(job->source.section().ToString(), path + ":2:1");
  std::filesystem::remove_all(dir);
}

TEST_F(JobFileTest, LoadJobFileMissing) {
  Result<JobSpec> job = LoadJobFile("no/such/x.yaml", options_, registry_);
  ASSERT_FALSE(job.has_value());
  EXPECT_EQ(job.error().code(), StatusCode::kNotFound);
  EXPECT_EQ(job.error().message(),
            "cannot read job file 'no/such/x.yaml': No such file or directory");
}

TEST_F(JobFileTest, LoadJobFileDirectory) {
  Result<JobSpec> job =
      LoadJobFile(std::filesystem::temp_directory_path().string(), options_, registry_);
  ASSERT_FALSE(job.has_value());
  EXPECT_EQ(job.error().message(), "cannot read job file '" +
                                       std::filesystem::temp_directory_path().string() +
                                       "': Is a directory");
}

// A FIFO would block the read forever and /dev/zero never ends: only regular files are read.
TEST_F(JobFileTest, LoadJobFileRefusesFifosAndDevices) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "sluice_fifo_test";
  std::filesystem::create_directories(dir);
  const std::string fifo = (dir / "job.yaml").string();
  std::filesystem::remove(fifo);
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  Result<JobSpec> job = LoadJobFile(fifo, options_, registry_);  // returns: nobody writes
  ASSERT_FALSE(job.has_value());
  EXPECT_EQ(job.error().message(), "job file '" + fifo +
                                       "' is not a regular file (a FIFO); give the path of a "
                                       "YAML file");
  std::filesystem::remove_all(dir);
  job = LoadJobFile("/dev/zero", options_, registry_);
  ASSERT_FALSE(job.has_value());
  EXPECT_EQ(job.error().message(),
            "job file '/dev/zero' is not a regular file (a device or socket); give the path of a "
            "YAML file");
  EXPECT_EQ(job.error().code(), StatusCode::kInvalidArgument);
}

TEST_F(JobFileTest, LoadJobFileRefusesFilesOverOneMebibyte) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "sluice_size_test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "job.yaml").string();
  // Valid YAML up to the limit: a comment padding a minimal job.
  std::string text = kMinimalJob;
  text += "#" + std::string((1 << 20) - text.size() - 2, 'x') + "\n";
  ASSERT_EQ(text.size(), size_t{1} << 20);
  std::ofstream(path) << text;
  Result<JobSpec> job = LoadJobFile(path, options_, registry_);
  EXPECT_TRUE(job.has_value()) << job.error().message();
  std::ofstream(path, std::ios::app) << "\n";
  job = LoadJobFile(path, options_, registry_);
  ASSERT_FALSE(job.has_value());
  EXPECT_EQ(job.error().message(),
            "job file '" + path +
                "' is larger than the limit of 1048576 bytes (1 MiB); a job file describes a "
                "job, its data belongs in the source");
  std::filesystem::remove_all(dir);
}

// Every prefix of a valid job is either valid or one clean error: no crash, no exception, and
// the message always says where (a poor man's fuzz test; the YAML is cut mid-token too).
TEST_F(JobFileTest, EveryPrefixLoadsOrFailsCleanly) {
  const std::string full = kFullJob;
  for (size_t n = 0; n <= full.size(); ++n) {
    Result<JobSpec> job = Parse(full.substr(0, n));
    if (!job.has_value()) {
      EXPECT_TRUE(job.error().message().starts_with("jobs/a.yaml"))
          << n << ": " << job.error().message();
      EXPECT_EQ(job.error().message().find('\n'), std::string::npos) << n;
    }
  }
}

TEST(CommonOptionsTest, DeclareTheEngineKeys) {
  std::vector<std::string> names;
  for (const OptionSpec& s : CommonSourceOptions()) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"type", "columns", "where", "split_key", "incremental",
                                             "tables", "connections"}));
  names.clear();
  for (const OptionSpec& s : CommonTargetOptions()) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"type", "write_mode", "key", "table_case",
                                             "source_columns", "duplicate_keys"}));
  EXPECT_TRUE(CommonSourceOptions()[0].required);
  // Left unset: batch jobs append, realtime jobs upsert (engine/job_setup.cc).
  EXPECT_EQ(CommonTargetOptions()[1].default_value, "");
  for (const OptionSpec& s : CommonSourceOptions()) EXPECT_FALSE(s.description.empty());
  for (const OptionSpec& s : CommonTargetOptions()) EXPECT_FALSE(s.description.empty());
}

}  // namespace
}  // namespace sluice
