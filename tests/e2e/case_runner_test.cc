// The runner checks itself: a case whose expectations are wrong must fail, with a message that
// says what differed, and a misspelled case file must be refused. Otherwise a broken runner
// would pass every case.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include "case_file.h"
#include "case_runner.h"
#include "support/workspace.h"

namespace sluice::e2e {
namespace {

class RunnerSelfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ws = Workspace::Create("sluice-e2e-selftest-");
    ASSERT_TRUE(ws) << ws.error();
    dir_ = std::make_unique<Workspace>(std::move(*ws));
  }

  std::expected<Case, std::string> Load(const std::string& text) {
    const std::string path = dir_->Path("case.yaml");
    if (auto w = WriteFile(path, text); !w) return std::unexpected(w.error());
    return LoadCase(path, {{"dir", dir_->root()}});
  }

  // Runs a case and returns the failure messages it reported, joined.
  std::string Failures(const std::string& text) {
    auto c = Load(text);
    EXPECT_TRUE(c) << c.error();
    if (!c) return "";
    ::testing::TestPartResultArray results;
    {
      ::testing::ScopedFakeTestPartResultReporter reporter(
          ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
      auto run_dir = Workspace::Create("sluice-e2e-selftest-run-");
      if (run_dir) RunCase(*c, *run_dir, SLUICE_BINARY);
    }
    std::string out;
    for (int i = 0; i < results.size(); ++i) out += results.GetTestPartResult(i).message();
    return out;
  }

  std::unique_ptr<Workspace> dir_;
};

constexpr const char* kJob = R"(
sqlite:
  in.db: "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a');"
job: |
  name: selftest
  source: {type: sqlite, path: in.db, table: t}
  target: {type: csv, path: out.csv}
)";

TEST_F(RunnerSelfTest, ACorrectCasePasses) {
  EXPECT_EQ(Failures(std::string("description: ok\n") + kJob + R"(
run: [--progress, none]
stdout_contains: ["1 read, 1 written"]
expect:
  files: {out.csv: "id,v\n1,a\n"}
  sqlite: [{db: in.db, query: "SELECT id, v, NULL FROM t", rows: ["1|a|NULL"]}]
  no_files: [out.csv.*]
  exists: [out.*]
)"),
            "");
}

TEST_F(RunnerSelfTest, EachWrongExpectationFails) {
  const std::string failures = Failures(std::string("description: wrong\n") + kJob + R"(
steps:
  - run: [--progress, none]
    exit: 3
    stdout_contains: ["not in the output"]
    stderr_not_contains: ["starting"]
  - cmd: [connectors, nope]
    exit: 2
    error: "some other message"
  - run: [--progress, none]
    writes_nothing: true
expect:
  files: {out.csv: "id,v\n2,b\n", missing.csv: ""}
  unordered_files: {out.csv: "id,v\n"}
  sqlite: [{db: in.db, query: "SELECT id FROM t", rows: ["2"]}]
  no_files: [out.csv]
  exists: [nothing-*]
)");
  for (const char* expected :
       {"expected exit 3, got exit 0", "stdout lacks `not in the output`",
        "stderr must not contain `starting`", "wrong error message",
        "expected no writes, but .sluice-state/state.db changed", "content of out.csv",
        "cannot read", "lines of out.csv (in any order)", "SELECT id FROM t",
        "expected no file matching out.csv", "expected a file matching nothing-*"}) {
    EXPECT_NE(failures.find(expected), std::string::npos) << expected << "\n" << failures;
  }
}

TEST_F(RunnerSelfTest, MisspelledKeysAndPlaceholdersAreRefused) {
  auto typo = Load("description: x\nrun: []\nstdout_contain: [a]\n");
  ASSERT_FALSE(typo);
  EXPECT_NE(typo.error().find("case.yaml:3:1: unknown key 'stdout_contain'"), std::string::npos)
      << typo.error();

  auto nested = Load("description: x\nsteps:\n  - run: []\n    expect: {file: {}}\n");
  ASSERT_FALSE(nested);
  EXPECT_NE(nested.error().find("unknown key 'file' (allowed in expect: exists, files, "),
            std::string::npos)
      << nested.error();

  auto placeholder = Load("description: '{{tomorrow}}'\n");
  ASSERT_FALSE(placeholder);
  EXPECT_NE(placeholder.error().find("unknown placeholder {{tomorrow}}"), std::string::npos);
}

TEST_F(RunnerSelfTest, PlaceholdersAndShorthands) {
  auto c = Load("description: '{{dir}} {{yesterday:%Y}}'\ncheck: [--bizdate, 2024-01-01]\n");
  ASSERT_TRUE(c) << c.error();
  EXPECT_TRUE(c->description.starts_with(dir_->root() + " 20")) << c->description;
  ASSERT_EQ(c->steps.size(), 1u);
  EXPECT_EQ(c->steps[0].args,
            (std::vector<std::string>{"check", "job.yaml", "--bizdate", "2024-01-01"}));
  EXPECT_EQ(c->steps[0].exit, 0);
}

}  // namespace
}  // namespace sluice::e2e
