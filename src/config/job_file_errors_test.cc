// Every kind of job-file error, with its exact one-line message: these messages are what a
// user sees first, so their wording and file:line:col are part of the interface.
#include <gtest/gtest.h>

#include "config/job_file.h"
#include "config/testing_registry.h"

namespace sluice {
namespace {

// Parses `text` as jobs/a.yaml and returns the error message ("" if it parsed).
class JobErrorTest : public ::testing::Test {
 protected:
  std::string Error(const std::string& text) {
    Result<JobSpec> job = ParseJobText(text, "jobs/a.yaml", options_, registry_);
    if (job.has_value()) return "";
    EXPECT_EQ(job.error().code(), StatusCode::kInvalidArgument);
    return job.error().message();
  }
  // A valid job whose source section is `source` (two-space indented lines after "source:").
  std::string Error(const std::string& source, const std::string& rest) {
    return Error("name: t\nsource:\n" + source + rest);
  }

  ConnectorRegistry registry_ = testing::FakeRegistry();
  JobLoadOptions options_{.bizdate = "20240301"};
};

const std::string kTarget = "target: {type: csv, path: o.csv}\n";
const std::string kDbSource = "  type: fakedb\n  url: fakedb://h/db\n  table: orders\n";
const std::string kCsvJob = "name: t\nsource: {type: csv, path: i.csv}\n" + kTarget;

TEST_F(JobErrorTest, YamlSyntax) {
  EXPECT_EQ(Error("name: t\nsource: [a, b\ntarget: x\n"),
            "jobs/a.yaml:3:7: invalid YAML: end of sequence flow not found");
  EXPECT_EQ(Error("name: t\n source: x\n"), "jobs/a.yaml:2:8: invalid YAML: illegal map value");
}

TEST_F(JobErrorTest, Shape) {
  EXPECT_EQ(Error(""),
            "jobs/a.yaml: the job file is empty (expected at least name, source and target)");
  EXPECT_EQ(Error("# nothing\n"),
            "jobs/a.yaml: the job file is empty (expected at least name, source and target)");
  EXPECT_EQ(Error("- a\n- b\n"),
            "jobs/a.yaml:1:1: expected a mapping of keys (name, source, target, ...), got a "
            "list");
}

TEST_F(JobErrorTest, TopLevelKeys) {
  EXPECT_EQ(Error(kCsvJob + "setings:\n  parallelism: 2\n"),
            "jobs/a.yaml:4:1: unknown key 'setings' (did you mean 'settings'?)");
  EXPECT_EQ(Error(kCsvJob + "owner: me\n"),
            "jobs/a.yaml:4:1: unknown key 'owner' (valid keys: name, mode, source, target, "
            "transforms, routes, overrides, settings)");
  EXPECT_EQ(Error("# a job\nname: t\nsource: {type: csv, path: i.csv}\n"),
            "jobs/a.yaml:2:1: missing required key 'target'");
  EXPECT_EQ(Error(kCsvJob + "name: u\n"),
            "jobs/a.yaml:4:1: duplicate key 'name' (first given on line 1)");
  EXPECT_EQ(Error("? [a]\n: b\n"),
            "jobs/a.yaml:1:3: keys must be plain names, not lists or mappings");
}

TEST_F(JobErrorTest, Name) {
  EXPECT_EQ(Error("name: orders daily\nsource: {type: csv, path: i.csv}\n" + kTarget),
            "jobs/a.yaml:1:7: name: 'orders daily' is not a valid job name (use letters, "
            "digits, '_', '.' and '-')");
  EXPECT_EQ(Error("name: ..\nsource: {type: csv, path: i.csv}\n" + kTarget),
            "jobs/a.yaml:1:7: name: '..' is not a valid job name (use letters, digits, '_', "
            "'.' and '-')");
  EXPECT_EQ(Error("name: [a]\nsource: {type: csv, path: i.csv}\n" + kTarget),
            "jobs/a.yaml:1:7: name: expected a single value, got a list");
  EXPECT_EQ(Error("name:\nsource: {type: csv, path: i.csv}\n" + kTarget),
            "jobs/a.yaml:1:1: name: expected a single value, got nothing");
}

TEST_F(JobErrorTest, Mode) {
  EXPECT_EQ(Error(kCsvJob + "mode: full_and_incremental\n"),
            "jobs/a.yaml:4:7: mode: 'full_and_incremental' is not supported yet (batch and "
            "realtime are)");
  EXPECT_EQ(Error(kCsvJob + "mode: bach\n"),
            "jobs/a.yaml:4:7: mode: unknown mode 'bach' (did you mean 'batch'?); expected batch "
            "or realtime");
}

TEST_F(JobErrorTest, UnknownAndMissingKeys) {
  const std::string job = R"yaml(name: t
mode: batch
# the orders table
source:
  type: fakedb
  url: fakedb://h/db
  tabel: orders
target: {type: csv, path: o.csv}
)yaml";
  EXPECT_EQ(Error(job), "jobs/a.yaml:7:3: source: unknown key 'tabel' (did you mean 'table'?)");
  EXPECT_EQ(Error(job.substr(0, job.find("  tabel")) + kTarget),
            "jobs/a.yaml:4:1: source: missing required key 'table'");
  EXPECT_EQ(Error(kDbSource + "  banana: 1\n", kTarget),
            "jobs/a.yaml:6:3: source: unknown key 'banana' (valid keys: type, url, table, "
            "fetch_size, schema, password, columns, where, split_key, incremental)");
  EXPECT_EQ(Error("  path: x.csv\n", kTarget),
            "jobs/a.yaml:2:1: source: missing required key 'type'");
  EXPECT_EQ(Error("name: t\nsource:\n" + kTarget),
            "jobs/a.yaml:2:1: source: missing required key 'type'");
  EXPECT_EQ(Error("name: t\nsource: csv\n" + kTarget),
            "jobs/a.yaml:2:9: source: expected a mapping of keys, got a single value");
  EXPECT_EQ(Error("  type: csv\n  path: a.csv\n  path: b.csv\n", kTarget),
            "jobs/a.yaml:5:3: source: duplicate key 'path' (first given on line 4)");
  EXPECT_EQ(Error("name: t\nsource: {type: csv, path: i.csv}\ntarget:\n  type: csv\n"
                  "  write_mod: append\n  path: o.csv\n"),
            "jobs/a.yaml:5:3: target: unknown key 'write_mod' (did you mean 'write_mode'?)");
}

TEST_F(JobErrorTest, Connectors) {
  EXPECT_EQ(Error("  type: fakdb\n", kTarget),
            "jobs/a.yaml:3:9: source.type: unknown connector 'fakdb' (did you mean 'fakedb'?); "
            "registered connectors: fakedb, csv, printer");
  EXPECT_EQ(Error("  type: mysql\n", kTarget),
            "jobs/a.yaml:3:9: source.type: unknown connector 'mysql'; registered connectors: "
            "fakedb, csv, printer");
  EXPECT_EQ(Error("  type: printer\n", kTarget),
            "jobs/a.yaml:3:9: source.type: connector 'printer' cannot read; it can only be a "
            "target");
  EXPECT_EQ(Error("  type: [csv]\n", kTarget),
            "jobs/a.yaml:3:9: source.type: expected a single value, got a list");
  EXPECT_EQ(Error("  type: csv\n  path: i.csv\n  incremental: {column: ts}\n", kTarget),
            "jobs/a.yaml:5:16: source.incremental: connector 'csv' cannot read incrementally");
  ConnectorRegistry empty;
  Result<JobSpec> job = ParseJobText(kCsvJob, "jobs/a.yaml", options_, empty);
  EXPECT_EQ(job.error().message(),
            "jobs/a.yaml:2:16: source.type: unknown connector 'csv'; no connectors are "
            "registered");
}

TEST_F(JobErrorTest, WrongKinds) {
  EXPECT_EQ(Error("  type: fakedb\n  url: u\n  table: [a, b]\n", kTarget),
            "jobs/a.yaml:5:10: source.table: expected a single value, got a list");
  EXPECT_EQ(Error("  type: fakedb\n  url: u\n  table:\n", kTarget),
            "jobs/a.yaml:5:3: source.table: expected a single value, got nothing");
  EXPECT_EQ(Error(kDbSource + "  fetch_size: ten\n", kTarget),
            "jobs/a.yaml:6:15: source.fetch_size: expected an integer, got 'ten'");
  EXPECT_EQ(Error("  type: csv\n  path: i.csv\n  header: maybe\n", kTarget),
            "jobs/a.yaml:5:11: source.header: expected true or false, got 'maybe'");
  EXPECT_EQ(Error(kDbSource + "  columns: {a: b}\n", kTarget),
            "jobs/a.yaml:6:12: source.columns: expected a list such as [a, b], got a mapping");
  EXPECT_EQ(Error(kDbSource + "  columns: [id, [x]]\n", kTarget),
            "jobs/a.yaml:6:17: source.columns[1]: expected a single value, got a list");
  EXPECT_EQ(Error(kDbSource + "  schema: [a]\n", kTarget),
            "jobs/a.yaml:6:11: source.schema: expected a mapping such as {a: b}, got a list");
  EXPECT_EQ(Error(kDbSource + "  schema: {a: [b]}\n", kTarget),
            "jobs/a.yaml:6:15: source.schema.a: expected a single value, got a list");
  EXPECT_EQ(Error(kDbSource + "  incremental: gmt\n", kTarget),
            "jobs/a.yaml:6:16: source.incremental: expected a mapping with keys column, "
            "strictly_increasing or look_back, got a single value");
  EXPECT_EQ(Error(kDbSource + "  incremental: {}\n", kTarget),
            "jobs/a.yaml:6:3: source.incremental: missing required key 'column'");
  EXPECT_EQ(Error(kDbSource + "  incremental:\n    colum: ts\n", kTarget),
            "jobs/a.yaml:7:5: source.incremental: unknown key 'colum' (did you mean "
            "'column'?)");
}

TEST_F(JobErrorTest, WriteModes) {
  const std::string head = "name: t\nsource: {type: csv, path: i.csv}\ntarget:\n";
  EXPECT_EQ(Error(head + "  type: csv\n  path: o.csv\n  write_mode: apend\n"),
            "jobs/a.yaml:6:15: target.write_mode: unknown write mode 'apend' (did you mean "
            "'append'?); expected append, overwrite, upsert, replace or ignore");
  EXPECT_EQ(Error(head + "  type: csv\n  path: o.csv\n  write_mode: upsert\n"),
            "jobs/a.yaml:6:15: target.write_mode: connector 'csv' does not support write mode "
            "'upsert' (it supports append, overwrite)");
  EXPECT_EQ(Error(head + "  type: fakedb\n  url: u\n  table: t\n  write_mode: upsert\n"), "");
}

TEST_F(JobErrorTest, Transforms) {
  EXPECT_EQ(Error(kCsvJob + "transforms:\n  filter: x\n"),
            "jobs/a.yaml:5:3: transforms: expected a list of steps such as '- filter: \"amount "
            "> 0\"', got a mapping");
  EXPECT_EQ(Error(kCsvJob + "transforms:\n  - amount > 0\n"),
            "jobs/a.yaml:5:5: transforms[0]: expected a step such as 'filter: \"amount > 0\"', "
            "got a single value");
  EXPECT_EQ(Error(kCsvJob + "transforms:\n  - filter: a > 0\n  - filter: b\n    set: {x: 1}\n"),
            "jobs/a.yaml:6:5: transforms[1]: a step has exactly one kind, got 2 (filter, set); "
            "start a new '- ' item for each");
  EXPECT_EQ(Error(kCsvJob + "transforms:\n  - fliter: a > 0\n"),
            "jobs/a.yaml:5:5: transforms[0]: unknown transform 'fliter' (did you mean "
            "'filter'?); expected filter, set, rename, drop or select");
  EXPECT_EQ(Error(kCsvJob + "transforms:\n  - set: [a]\n"),
            "jobs/a.yaml:5:10: transforms[0] (set): expected a mapping of column: expression "
            "such as {ds: \"'${bizdate}'\"}, got a list");
  EXPECT_EQ(Error(kCsvJob + "transforms:\n  - set: {a: [1]}\n"),
            "jobs/a.yaml:5:14: transforms[0] (set): column 'a': expected an expression, got a "
            "list");
  EXPECT_EQ(Error(kCsvJob + "transforms:\n  - rename: {a: ''}\n"),
            "jobs/a.yaml:5:17: transforms[0] (rename): column 'a': expected a new column name, "
            "got nothing");
  EXPECT_EQ(Error(kCsvJob + "transforms:\n  - filter: ''\n"),
            "jobs/a.yaml:5:13: transforms[0] (filter): expected an expression such as \"amount "
            "> 0\", got nothing");
  EXPECT_EQ(Error(kCsvJob + "transforms:\n  - drop: []\n"),
            "jobs/a.yaml:5:11: transforms[0] (drop): expected a list of columns such as [a, b], "
            "got an empty list");
  EXPECT_EQ(Error(kCsvJob + "transforms:\n  - select: [a, {b: c}]\n"),
            "jobs/a.yaml:5:17: transforms[0] (select)[1]: expected a column name, got a "
            "mapping");
}

TEST_F(JobErrorTest, Settings) {
  auto settings = [](const std::string& lines) { return kCsvJob + "settings:\n" + lines; };
  EXPECT_EQ(Error(settings("  parallelism: 0\n")),
            "jobs/a.yaml:5:16: settings.parallelism: expected an integer from 1 to 256, got '0'");
  EXPECT_EQ(Error(settings("  parallelism: 257\n")),
            "jobs/a.yaml:5:16: settings.parallelism: expected an integer from 1 to 256, got "
            "'257'");
  EXPECT_EQ(Error(settings("  parallelism: four\n")),
            "jobs/a.yaml:5:16: settings.parallelism: expected an integer, got 'four'");
  EXPECT_EQ(Error(settings("  parallelism: 2.5\n")),
            "jobs/a.yaml:5:16: settings.parallelism: expected an integer, got '2.5'");
  EXPECT_EQ(Error(settings("  batch_rows: 1000001\n")),
            "jobs/a.yaml:5:15: settings.batch_rows: expected an integer from 1 to 1000000, got "
            "'1000001'");
  EXPECT_EQ(Error(settings("  queue_batches: 0\n")),
            "jobs/a.yaml:5:18: settings.queue_batches: expected an integer from 1 to 1024, got "
            "'0'");
  EXPECT_EQ(Error(settings("  rate_limit: {rows_per_second: -1}\n")),
            "jobs/a.yaml:5:33: settings.rate_limit.rows_per_second: expected an integer of 0 or "
            "more (0 = unlimited), got '-1'");
  EXPECT_EQ(Error(settings("  error_limit: {rows: -1}\n")),
            "jobs/a.yaml:5:23: settings.error_limit.rows: expected an integer of 0 or more, got "
            "'-1'");
  EXPECT_EQ(Error(settings("  paralelism: 2\n")),
            "jobs/a.yaml:5:3: settings: unknown key 'paralelism' (did you mean 'parallelism'?)");
  EXPECT_EQ(Error(settings("  time_zone: Asia/Shanghia\n")),
            "jobs/a.yaml:5:14: settings.time_zone: unknown time zone 'Asia/Shanghia' (expected "
            "an IANA name such as Asia/Shanghai, UTC, or an offset such as +08:00)");
  EXPECT_EQ(Error(settings("  time_zone: ${env:TZ}\n")),
            "jobs/a.yaml:5:14: settings.time_zone: parameters are not allowed here: ${bizdate} "
            "is computed in this time zone");
  EXPECT_EQ(Error(settings("  time_zone: [UTC]\n")),
            "jobs/a.yaml:5:14: settings.time_zone: expected a single value, got a list");
  EXPECT_EQ(Error(kCsvJob + "settings: 5\n"),
            "jobs/a.yaml:4:11: settings: expected a mapping of keys, got a single value");
  EXPECT_EQ(Error(settings("  parallelism: 256\n  batch_rows: 1000000\n")), "");
}

TEST_F(JobErrorTest, Parameters) {
  ::unsetenv("SLUICE_CFG_ERR_UNSET");
  const std::string head = "name: t\nsource: {type: csv, path: i.csv}\ntarget:\n  type: csv\n";
  EXPECT_EQ(Error(head + "  path: out_${bizdat}.csv\n"),
            "jobs/a.yaml:5:9: target.path: unknown parameter '${bizdat}' (did you mean "
            "'${bizdate}'?); give it with --set bizdat=VALUE");
  EXPECT_EQ(Error(head + "  path: ${env:SLUICE_CFG_ERR_UNSET}\n"),
            "jobs/a.yaml:5:9: target.path: environment variable 'SLUICE_CFG_ERR_UNSET' is not "
            "set (give a fallback with ${env:SLUICE_CFG_ERR_UNSET:-VALUE})");
  EXPECT_EQ(Error(head + "  path: o.csv\n  key: [a, \"${nope}\"]\n"),
            "jobs/a.yaml:6:12: target.key[1]: unknown parameter '${nope}'; give it with --set "
            "nope=VALUE");
  EXPECT_EQ(Error(head + "  path: o_${bizdate:yyyy-mm-dd}\n"),
            "jobs/a.yaml:5:9: target.path: unsupported date pattern 'yyyy-mm-dd': use yyyy for "
            "the year, MM for the month and dd for the day (other letters are not allowed)");
  EXPECT_EQ(Error(kCsvJob + "transforms:\n  - filter: \"ds = '${bizdate'\"\n"),
            "jobs/a.yaml:5:13: transforms[0] (filter): unterminated '${' (write '$${' for a "
            "literal '${')");
  EXPECT_EQ(Error("name: t_${x}\nsource: {type: csv, path: i.csv}\n" + kTarget),
            "jobs/a.yaml:1:7: name: unknown parameter '${x}'; give it with --set x=VALUE");
}

TEST_F(JobErrorTest, SetArguments) {
  auto with_sets = [&](std::map<std::string, std::string> sets) {
    options_.sets = std::move(sets);
    return Error(kCsvJob);
  };
  EXPECT_EQ(with_sets({{"sorce.table", "x"}}),
            "--set: cannot override 'sorce.table' (did you mean 'source.table'?); use "
            "settings.KEY, source.KEY or target.KEY to override the job file, or NAME=value for "
            "${NAME}");
  EXPECT_EQ(with_sets({{"transforms.0", "x"}}),
            "--set: cannot override 'transforms.0'; use settings.KEY, source.KEY or target.KEY "
            "to override the job file, or NAME=value for ${NAME}");
  EXPECT_EQ(with_sets({{"settings.paralelism", "2"}}),
            "--set: settings: unknown key 'paralelism' (did you mean 'parallelism'?)");
  EXPECT_EQ(with_sets({{"source.pth", "2"}}),
            "--set: source: unknown key 'pth' (did you mean 'path'?)");
  EXPECT_EQ(with_sets({{"settings.parallelism", "x"}}),
            "--set: settings.parallelism: expected an integer, got 'x'");
  EXPECT_EQ(with_sets({{"settings.parallelism", "0"}}),
            "--set: settings.parallelism: expected an integer from 1 to 256, got '0'");
  EXPECT_EQ(with_sets({{"settings.time_zone", "Mars/Olympus"}}),
            "--set: settings.time_zone: unknown time zone 'Mars/Olympus' (expected an IANA name "
            "such as Asia/Shanghai, UTC, or an offset such as +08:00)");
  EXPECT_EQ(with_sets({{"target.path", "${nope}"}}),
            "--set: target.path: unknown parameter '${nope}'; give it with --set nope=VALUE");
  EXPECT_EQ(with_sets({{"my-var", "1"}}),
            "--set: 'my-var' is not a valid parameter name (use letters, digits and '_', not "
            "starting with a digit)");
  EXPECT_EQ(with_sets({{"bizdate", "20240101"}}),
            "--set: use --bizdate to choose the business date, not --set bizdate=...");
  EXPECT_EQ(with_sets({{"source.path.x", "1"}}),
            "--set: source.path.x: cannot set a key inside 'source.path', which is not a mapping "
            "in the job file");
  EXPECT_EQ(with_sets({{"source.", "1"}}), "--set: 'source.' has an empty key");
}

TEST_F(JobErrorTest, SecretsAreNotEchoed) {
  EXPECT_EQ(Error("  type: \"mysql://etl:hunter2@db/x\"\n", kTarget),
            "jobs/a.yaml:3:9: source.type: unknown connector 'mysql://etl:***@db/x'; registered "
            "connectors: fakedb, csv, printer");
  const std::string head = "name: t\nsource: {type: csv, path: i.csv}\ntarget:\n";
  EXPECT_EQ(Error(head + "  type: csv\n  path: o.csv\n  write_mode: \"x password=hunter2\"\n"),
            "jobs/a.yaml:6:15: target.write_mode: unknown write mode 'x password=***'; expected "
            "append, overwrite, upsert, replace or ignore");
  // A wrong form never quotes the value at all.
  EXPECT_EQ(Error("  type: fakedb\n  url: [\"fakedb://u:hunter2@h\"]\n  table: t\n", kTarget),
            "jobs/a.yaml:4:8: source.url: expected a single value, got a list");
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

// A key required unless another is given (mysql's url unless binlog_files): either one does,
// neither is an error naming both.
TEST(RequiredUnlessTest, EitherKeySatisfiesIt) {
  ConnectorRegistry registry = testing::FakeRegistry();
  ConnectorInfo files;
  files.name = "filesdb";
  files.capabilities = {.batch_read = true};
  files.source_options = {
      {.name = "url", .required = true, .required_unless = "files"},
      {.name = "files", .kind = OptionKind::kStringList},
      {.name = "table", .required = true},
  };
  registry.Register(std::move(files));
  auto parse = [&](const std::string& source) {
    Result<JobSpec> job = ParseJobText("name: t\nsource: {type: filesdb, table: t" + source +
                                           "}\ntarget: {type: csv, path: o.csv}\n",
                                       "jobs/a.yaml", JobLoadOptions{}, registry);
    return job ? std::string("<ok>") : job.error().message();
  };
  EXPECT_EQ(parse(", url: x"), "<ok>");
  EXPECT_EQ(parse(", files: [a, b]"), "<ok>");
  EXPECT_EQ(parse(""), "jobs/a.yaml:2:1: source: missing required key 'url' (or 'files')");
}

}  // namespace
}  // namespace sluice
