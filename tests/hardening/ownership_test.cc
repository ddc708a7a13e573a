// One owner per job (issue 9): a second run of a running job is refused at once and leaves the
// target exactly right; an owner killed with -9 is taken over at once by the next run on its
// host; state commands refuse a running job; state stores are named by location.
//
// Needs the throwaway servers. Each test uses a PostgreSQL schema of its own (own_TESTNAME).
#include <signal.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "server_test.h"
#include "support/db_clients.h"
#include "support/sqlite_db.h"

namespace sluice::ownership_test {
namespace {

using ::sluice::e2e::Process;
using ::sluice::e2e::ProcessResult;
using ::sluice::e2e::ProcessSpec;
using test_db::PgClient;
using namespace std::chrono_literals;

constexpr int kRows = 20000;
// Slow enough that a run lasts a few seconds: long enough to start a second one beside it.
constexpr int kRowsPerSecond = 4000;

using hardening::Has;

class OwnershipTest : public hardening::ServerTest {
 protected:
  OwnershipTest() : ServerTest("ownership") {}

  void SetUp() override {
    ServerTest::SetUp();
    if (HasFatalFailure()) return;
    schema_ = hardening::TestScopedName("own_");
    auto made = e2e::ExecSqlite(
        workspace_->Path("source.db"),
        "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT);"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
            std::to_string(kRows) + ") INSERT INTO t SELECT i, 'row-' || i FROM n;");
    ASSERT_TRUE(made.has_value()) << made.error();
    PgClient pg(servers_.pg_url);
    pg.Exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE; CREATE SCHEMA " + schema_);
    ASSERT_TRUE(e2e::WriteFile(workspace_->Path("job.yaml"), Job()).has_value());
  }

  std::string Job() const {
    return "name: owned\n"
           "source: {type: sqlite, path: source.db, table: t}\n"
           "target: {type: postgres, url: \"" +
           servers_.pg_url + "\", table: " + schema_ +
           ".t, write_mode: append}\n"
           "settings: {batch_rows: 500, rate_limit: {rows_per_second: " +
           std::to_string(kRowsPerSecond) + "}}\n";
  }

  ProcessResult Run(const std::vector<std::string>& args, const std::string& name) {
    return e2e::RunProcess(Spec(args, name), std::chrono::minutes(2));
  }

  // Waits until `state show` says the job is running (its lease is held) and returns its text.
  std::string WaitUntilRunning(Process& run) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < deadline && run.Running()) {
      ProcessResult shown = Run({"state", "show", "owned"}, "show");
      if (Has(shown.stdout_text, "running")) return shown.stdout_text;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "the first run never showed as running";
    return "";
  }

  int64_t TargetRows() {
    PgClient pg(servers_.pg_url);
    return std::stoll(pg.Value("SELECT count(*) FROM " + schema_ + ".t"));
  }
  int64_t DistinctIds() {
    PgClient pg(servers_.pg_url);
    return std::stoll(pg.Value("SELECT count(DISTINCT id) FROM " + schema_ + ".t"));
  }

  std::string schema_;
};

TEST_F(OwnershipTest, ASecondRunOfARunningJobIsRefusedAndTheTargetIsExact) {
  Process first = Process::Start(Spec({"run", "job.yaml", "--progress", "none"}, "first"));
  const std::string shown = WaitUntilRunning(first);
  EXPECT_TRUE(Has(shown, "pid " + std::to_string(first.pid()))) << shown;

  const auto started = std::chrono::steady_clock::now();
  ProcessResult second = Run({"run", "job.yaml", "--progress", "none"}, "second");
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(second.exit_code, 2) << hardening::Describe(second);
  EXPECT_TRUE(Has(second.stderr_text, "job 'owned' is already running")) << second.stderr_text;
  EXPECT_TRUE(Has(second.stderr_text, "pid " + std::to_string(first.pid()))) << second.stderr_text;
  EXPECT_LT(took, 5s) << "refused, but not at once";
  ASSERT_TRUE(first.Running()) << "the first run must still be going for this to mean anything";

  // Neither do state commands run beside it.
  ProcessResult reset = Run({"state", "reset", "owned"}, "reset");
  EXPECT_EQ(reset.exit_code, 2) << hardening::Describe(reset);
  EXPECT_TRUE(Has(reset.stderr_text, "already running")) << reset.stderr_text;

  ProcessResult done = first.Wait(std::chrono::minutes(2));
  ASSERT_EQ(done.exit_code, 0) << hardening::Describe(done);
  EXPECT_EQ(TargetRows(), kRows);
  EXPECT_EQ(DistinctIds(), kRows);

  // Once it ended, the job runs again (the lease was released): exactly one more copy.
  ProcessResult again = Run(
      {"run", "job.yaml", "--progress", "none", "--set", "settings.rate_limit.rows_per_second=0"},
      "again");
  ASSERT_EQ(again.exit_code, 0) << hardening::Describe(again);
  EXPECT_EQ(TargetRows(), 2 * kRows);
  EXPECT_EQ(DistinctIds(), kRows);
}

TEST_F(OwnershipTest, AnOwnerKilledWithSigkillIsTakenOverAtOnce) {
  Process first = Process::Start(Spec({"run", "job.yaml", "--progress", "none"}, "first"));
  WaitUntilRunning(first);
  std::this_thread::sleep_for(500ms);  // rows on their way into the target
  ProcessResult killed = first.Kill();
  ASSERT_EQ(killed.signal, SIGKILL) << killed.Describe();

  // No waiting for the lease to expire: the holder's pid is gone from this host.
  const auto started = std::chrono::steady_clock::now();
  ProcessResult rerun = Run(
      {"run", "job.yaml", "--progress", "none", "--set", "settings.rate_limit.rows_per_second=0"},
      "rerun");
  ASSERT_EQ(rerun.exit_code, 0) << hardening::Describe(rerun);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 20s);
  EXPECT_TRUE(Has(rerun.stderr_text, "is gone; taking its lease over")) << rerun.stderr_text;
  // The killed run was rolled back by its recovery; the rerun added exactly one copy.
  EXPECT_TRUE(Has(rerun.stdout_text + rerun.stderr_text, "before the target committed"))
      << rerun.stdout_text << rerun.stderr_text;
  EXPECT_EQ(TargetRows(), kRows);
  EXPECT_EQ(DistinctIds(), kRows);

  ProcessResult shown = Run({"state", "show", "owned"}, "show");
  EXPECT_FALSE(Has(shown.stdout_text, "running")) << shown.stdout_text;
}

TEST_F(OwnershipTest, StateStoresAreNamedByLocation) {
  ProcessResult unknown =
      Run({"run", "job.yaml", "--progress", "none", "--state", "mongodb://h/db"}, "unknown");
  EXPECT_EQ(unknown.exit_code, 2) << hardening::Describe(unknown);
  EXPECT_TRUE(Has(unknown.stderr_text, "unknown scheme 'mongodb'")) << unknown.stderr_text;
  EXPECT_TRUE(Has(unknown.stderr_text, "sqlite:PATH")) << unknown.stderr_text;
  EXPECT_FALSE(std::filesystem::exists(workspace_->Path("mongodb:"))) << "made a folder";

  ProcessResult prefixed = Run({"run", "job.yaml", "--progress", "none", "--state",
                                "sqlite:" + workspace_->Path("prefixed/state.db"), "--set",
                                "settings.rate_limit.rows_per_second=0"},
                               "prefixed");
  ASSERT_EQ(prefixed.exit_code, 0) << hardening::Describe(prefixed);
  EXPECT_TRUE(std::filesystem::exists(workspace_->Path("prefixed/state.db")));
  ProcessResult shown =
      Run({"state", "show", "owned", "--state", "sqlite:" + workspace_->Path("prefixed/state.db")},
          "show");
  EXPECT_TRUE(Has(shown.stdout_text, "committed")) << shown.stdout_text;
}

TEST_F(OwnershipTest, RunsSharingAPostgresStateStoreShareTheLease) {
  // Two machines would name the same shared store; here two processes do.
  const std::string store = servers_.pg_url + "?options=-csearch_path%3D" + schema_;
  Process first =
      Process::Start(Spec({"run", "job.yaml", "--progress", "none", "--state", store}, "first"));
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  std::string shown;
  while (std::chrono::steady_clock::now() < deadline && first.Running()) {
    shown = Run({"state", "show", "owned", "--state", store}, "show").stdout_text;
    if (Has(shown, "running")) break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_TRUE(Has(shown, "running")) << shown;
  ProcessResult second = Run({"run", "job.yaml", "--progress", "none", "--state", store}, "second");
  EXPECT_EQ(second.exit_code, 2) << hardening::Describe(second);
  EXPECT_TRUE(Has(second.stderr_text, "pid " + std::to_string(first.pid()))) << second.stderr_text;
  EXPECT_FALSE(Has(second.stderr_text, "password")) << second.stderr_text;
  ProcessResult done = first.Wait(std::chrono::minutes(2));
  ASSERT_EQ(done.exit_code, 0) << hardening::Describe(done);
  EXPECT_EQ(TargetRows(), kRows);
  // The run's history is in the shared store, not in a local file.
  EXPECT_FALSE(std::filesystem::exists(workspace_->Path(".state/state.db")));
  ProcessResult after = Run({"state", "show", "owned", "--state", store}, "after");
  EXPECT_TRUE(Has(after.stdout_text, "committed")) << after.stdout_text;
}

}  // namespace
}  // namespace sluice::ownership_test
