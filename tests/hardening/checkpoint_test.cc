// Checkpoints of jobs that never end (issue 9): a realtime run commits its rows with its
// position again and again; killed with -9 at random moments and restarted, the target
// converges to exactly the source's rows, each once, even in append mode. SIGTERM ends a run
// with a last checkpoint and exit 0. A COMMIT cut by pg_terminate_backend at the moment it is
// sent leaves the run pending, and the next run neither loses nor doubles a row.
//
// Needs the throwaway servers. Each test uses a PostgreSQL schema of its own (ckpt_TESTNAME).
// SLUICE_KILL_SEED replays a failing kill sequence (the seed is printed).
#include <signal.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>

#include "server_test.h"
#include "support/db_clients.h"

namespace sluice::checkpoint_test {
namespace {

using ::sluice::e2e::Process;
using ::sluice::e2e::ProcessResult;
using ::sluice::e2e::ProcessSpec;
using test_db::PgClient;
using namespace std::chrono_literals;

using hardening::Has;

class CheckpointTest : public hardening::ServerTest {
 protected:
  CheckpointTest() : ServerTest("checkpoint") {}

  void SetUp() override {
    ServerTest::SetUp();
    if (HasFatalFailure()) return;
    schema_ = hardening::TestScopedName("ckpt_");
    PgClient pg(servers_.pg_url);
    pg.Exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE; CREATE SCHEMA " + schema_);
  }

  // A realtime job from generated rows 1..rows into an append target.
  void WriteStreamJob(const std::string& target, int64_t rows, int64_t rows_per_second) {
    const std::string job =
        "name: streamed\n"
        "mode: realtime\n"
        "source: {type: datagen, rows: " +
        std::to_string(rows) + ", rows_per_second: " + std::to_string(rows_per_second) +
        "}\n"
        "target: " +
        target +
        "\n"
        "settings: {batch_rows: 500, checkpoint: 100ms}\n";
    ASSERT_TRUE(e2e::WriteFile(workspace_->Path("job.yaml"), job).has_value());
  }
  std::string PgTarget() const {
    return "{type: postgres, url: \"" + servers_.pg_url + "\", table: " + schema_ +
           ".t, write_mode: append}";
  }

  // count(*), count(DISTINCT id), min(id), max(id) of a PostgreSQL target, "|"-separated.
  std::string PgShape() {
    PgClient pg(servers_.pg_url);
    return pg.Value(
        "SELECT count(*) || '|' || count(DISTINCT id) || '|' || "
        "coalesce(min(id), 0) || '|' || coalesce(max(id), 0) FROM " +
        schema_ + ".t");
  }

  std::string schema_;
};

std::string Expected(int64_t rows) {
  return std::to_string(rows) + "|" + std::to_string(rows) + "|1|" + std::to_string(rows);
}

TEST_F(CheckpointTest, KilledAtRandomMomentsTheTargetConvergesExactly) {
  constexpr int64_t kRows = 40000;
  WriteStreamJob(PgTarget(), kRows, 20000);  // about 2 s of rows per uninterrupted run
  unsigned seed = std::random_device{}();
  if (const char* s = std::getenv("SLUICE_KILL_SEED")) seed = static_cast<unsigned>(std::atoll(s));
  std::printf("SLUICE_KILL_SEED=%u\n", seed);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> delay_ms(150, 900);
  int killed = 0;
  for (int round = 0; round < 5; ++round) {
    Process run = Process::Start(
        Spec({"run", "job.yaml", "--progress", "none"}, "round" + std::to_string(round)));
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    if (!run.Running()) {
      ProcessResult ended = run.Wait(10s);
      FAIL() << "a realtime run without --catch-up ended on its own: "
             << hardening::Describe(ended);
    }
    ProcessResult r = run.Kill();
    ASSERT_EQ(r.signal, SIGKILL) << r.Describe();
    ++killed;
  }
  ProcessResult last = e2e::RunProcess(
      Spec({"run", "job.yaml", "--progress", "none", "--catch-up", "--json"}, "last"), 2min);
  ASSERT_EQ(last.exit_code, 0) << hardening::Describe(last);
  EXPECT_EQ(PgShape(), Expected(kRows)) << "after " << killed << " kills, seed " << seed;
  EXPECT_TRUE(Has(last.stdout_text, "\"position_after\": \"datagen " + std::to_string(kRows)))
      << last.stdout_text;
  // The killed runs made progress that counted: the last run did not start from nothing.
  EXPECT_FALSE(Has(last.stdout_text, "\"position_before\": \"\"")) << last.stdout_text;
}

// A file has no transaction: its checkpoints are fsyncs, and the positions with the file's
// size go to the state store. Killed at random moments, the file still ends with every id once.
TEST_F(CheckpointTest, AFileTargetKilledAtRandomMomentsHoldsEachRowOnce) {
  constexpr int64_t kRows = 40000;
  WriteStreamJob("{type: jsonl, path: out/rows.jsonl}", kRows, 20000);
  unsigned seed = std::random_device{}();
  if (const char* s = std::getenv("SLUICE_KILL_SEED")) seed = static_cast<unsigned>(std::atoll(s));
  std::printf("SLUICE_KILL_SEED=%u\n", seed);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> delay_ms(150, 900);
  for (int round = 0; round < 5; ++round) {
    Process run = Process::Start(
        Spec({"run", "job.yaml", "--progress", "none"}, "round" + std::to_string(round)));
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    ASSERT_TRUE(run.Running()) << "a realtime run without --catch-up ended on its own";
    ASSERT_EQ(run.Kill().signal, SIGKILL);
  }
  ProcessResult last = e2e::RunProcess(
      Spec({"run", "job.yaml", "--progress", "none", "--catch-up", "--json"}, "last"), 2min);
  ASSERT_EQ(last.exit_code, 0) << hardening::Describe(last);
  auto text = e2e::ReadFile(workspace_->Path("out/rows.jsonl"));
  ASSERT_TRUE(text.has_value());
  std::vector<int64_t> ids;
  size_t at = 0;
  while ((at = text->find("{\"id\":", at)) != std::string::npos) {
    at += 6;
    ids.push_back(std::atoll(text->c_str() + at));
  }
  ASSERT_EQ(static_cast<int64_t>(ids.size()), kRows) << "seed " << seed;
  std::sort(ids.begin(), ids.end());
  for (int64_t i = 0; i < kRows; ++i) ASSERT_EQ(ids[i], i + 1) << "seed " << seed;
  EXPECT_FALSE(Has(last.stdout_text, "\"position_before\": \"\"")) << last.stdout_text;
}

TEST_F(CheckpointTest, ARealtimeJobRefusesOverwrite) {
  WriteStreamJob("{type: jsonl, path: out/rows.jsonl, write_mode: overwrite}", 10, 0);
  ProcessResult r =
      e2e::RunProcess(Spec({"run", "job.yaml", "--progress", "none", "--catch-up"}, "run"), 1min);
  EXPECT_EQ(r.exit_code, 2) << hardening::Describe(r);
  EXPECT_TRUE(Has(r.stderr_text, "cannot use write_mode: overwrite")) << r.stderr_text;
  EXPECT_FALSE(std::filesystem::exists(workspace_->Path("out/rows.jsonl")));
}

TEST_F(CheckpointTest, SigtermEndsARunWithALastCheckpointAndExitZero) {
  constexpr int64_t kRows = 1000000;  // far more than a second makes at this rate
  WriteStreamJob(PgTarget(), kRows, 5000);
  Process run = Process::Start(Spec({"run", "job.yaml", "--progress", "none", "--json"}, "run"));
  std::this_thread::sleep_for(1500ms);
  ASSERT_TRUE(run.Running());
  const auto signalled = std::chrono::steady_clock::now();
  run.Signal(SIGTERM);
  ProcessResult r = run.Wait(30s);
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, 3s);
  ASSERT_EQ(r.exit_code, 0) << hardening::Describe(r);
  EXPECT_TRUE(Has(r.stdout_text, "\"checkpoints\":")) << r.stdout_text;
  // Exactly what the summary says was committed, a prefix of the ids, each once.
  const size_t at = r.stdout_text.find("\"rows_written\": ");
  ASSERT_NE(at, std::string::npos) << r.stdout_text;
  const int64_t written = std::atoll(r.stdout_text.c_str() + at + 16);
  EXPECT_GT(written, 0);
  EXPECT_EQ(PgShape(), Expected(written));
  EXPECT_TRUE(Has(r.stdout_text, "\"position_after\": \"datagen " + std::to_string(written)))
      << r.stdout_text;
}

// A change source's transactions are never split: checkpoints wait for a transaction's end,
// and a SIGTERM inside one rolls its rows back. The target only ever holds whole transactions.
TEST_F(CheckpointTest, CheckpointsAndStopsNeverSplitASourceTransaction) {
  constexpr int64_t kTxn = 700;
  ASSERT_TRUE(e2e::WriteFile(workspace_->Path("job.yaml"),
                             "name: streamed\n"
                             "mode: realtime\n"
                             "source: {type: datagen, rows: 1000000, rows_per_second: 5000, "
                             "transaction_rows: 700}\n"
                             "target: " +
                                 PgTarget() +
                                 "\n"
                                 "settings: {batch_rows: 300, checkpoint: 100ms}\n")
                  .has_value());
  for (int round = 0; round < 3; ++round) {
    Process run = Process::Start(
        Spec({"run", "job.yaml", "--progress", "none", "--json"}, "run" + std::to_string(round)));
    std::this_thread::sleep_for(std::chrono::milliseconds(700 + 250 * round));
    ASSERT_TRUE(run.Running());
    run.Signal(SIGTERM);
    ProcessResult r = run.Wait(30s);
    ASSERT_EQ(r.exit_code, 0) << hardening::Describe(r);
    const std::string prefix = "\"position_after\": \"datagen ";
    const size_t at = r.stdout_text.find(prefix);
    ASSERT_NE(at, std::string::npos) << r.stdout_text;
    const int64_t position = std::atoll(r.stdout_text.c_str() + at + prefix.size());
    EXPECT_GT(position, 0);
    EXPECT_EQ(position % kTxn, 0) << r.stdout_text;
    EXPECT_EQ(PgShape(), Expected(position)) << "round " << round;
  }
}

TEST_F(CheckpointTest, ACommitCutByTheServerStaysPendingAndNothingIsLostOrDoubled) {
  // A batch job into an append target, paused just before it sends COMMIT; the writer's
  // backend is terminated there, so the COMMIT gets no answer.
  auto made = e2e::WriteFile(workspace_->Path("batch.yaml"),
                             "name: cut\n"
                             "source: {type: datagen, rows: 5000}\n"
                             "target: " +
                                 PgTarget() + "\n");
  ASSERT_TRUE(made.has_value());
  ProcessSpec spec = Spec({"run", "batch.yaml", "--progress", "none"}, "cut");
  const std::string pause = workspace_->Path("pause-at-commit");
  spec.env["SLUICE_TEST_PAUSE_AT_COMMIT"] = pause;
  Process run = Process::Start(spec);
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!std::filesystem::exists(pause) && std::chrono::steady_clock::now() < deadline &&
         run.Running()) {
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(std::filesystem::exists(pause)) << "the run never reached its COMMIT";
  {
    PgClient pg(servers_.pg_url);
    EXPECT_EQ(pg.Value("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                       "application_name LIKE 'sluice %' AND pid <> pg_backend_pid() AND "
                       "datname = current_database() AND state LIKE 'idle in transaction%'"),
              "1");
  }
  std::filesystem::remove(pause);
  ProcessResult cut = run.Wait(60s);
  EXPECT_EQ(cut.exit_code, 1) << hardening::Describe(cut);
  EXPECT_TRUE(Has(cut.stderr_text, "stays pending")) << cut.stderr_text;

  ProcessResult shown = e2e::RunProcess(Spec({"state", "show", "cut"}, "show"), 30s);
  EXPECT_TRUE(Has(shown.stdout_text, "in flight")) << shown.stdout_text;

  // The next run asks the target (the COMMIT did not land: the backend was gone), and appends
  // the rows exactly once.
  ProcessResult next =
      e2e::RunProcess(Spec({"run", "batch.yaml", "--progress", "none"}, "next"), 2min);
  ASSERT_EQ(next.exit_code, 0) << hardening::Describe(next);
  EXPECT_TRUE(Has(next.stdout_text + next.stderr_text, "before the target committed"))
      << next.stdout_text << next.stderr_text;
  EXPECT_EQ(PgShape(), Expected(5000));
}

}  // namespace
}  // namespace sluice::checkpoint_test
