// sluice: the command line. Parses arguments, installs signal handlers, dispatches.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"

namespace {

std::atomic<bool> g_cancelled{false};

// SIGINT/SIGTERM ask the pipeline to stop; it rolls back and exits with code 1. A second
// signal kills the process at once (the next run then recovers, see docs/guarantees.md).
extern "C" void OnSignal(int sig) {
  if (g_cancelled.exchange(true)) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
  }
}

// The last resort behind the stall watch (core/stall_watch.h): a run that has not ended this
// long after SIGINT/SIGTERM is stuck in something nothing can interrupt, and exits anyway. That
// is what kill -9 would do, and every write mode recovers from it on the next run.
constexpr std::chrono::seconds kSignalGrace{4};

void StartSignalWatchdog() {
  std::thread([] {
    while (!g_cancelled.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::this_thread::sleep_for(kSignalGrace);
    std::fputs(
        "error: stopped by a signal; the run did not wind down within 4 s, exiting now "
        "(the next run recovers what this one left, see docs/guarantees.md)\n",
        stderr);
    std::_Exit(sluice::kExitJobFailed);
  }).detach();
}

constexpr const char* kFooter = R"(
Exit codes:
  0  success
  1  the job failed (nothing of the failed run was committed; rerunning is safe)
  2  usage or configuration error (bad arguments, job file, connector options)
     A realtime job keeps the checkpoints it committed: 2 means it stopped at what a person
     must resolve (the message says what), 1 that rerunning resumes where it stopped. A
     lost connection does not end it: it reconnects first (settings.reconnect).

Examples:
  sluice run jobs/orders.yaml --bizdate 2024-03-01
  sluice run jobs/orders.yaml --set settings.parallelism=8 --set region=eu
  sluice run jobs/orders_rt.yaml --catch-up     (mode: realtime, up to the source's end now)
  sluice check jobs/orders.yaml
  sluice verify jobs/orders.yaml
  sluice connectors
  sluice state show orders_daily

Documentation: docs/job-file.md (job files), docs/guarantees.md (re-runs, kill -9),
src/connectors/<name>/README.md (connector options).)";

void AddJobArgs(CLI::App* cmd, sluice::JobArgs& args) {
  cmd->add_option("job", args.job_file, "Job file (YAML)")->required()->check(CLI::ExistingFile);
  cmd->add_option("-s,--set", args.sets,
                  "Set a parameter (${NAME}) or override a job key: --set region=eu, "
                  "--set settings.parallelism=8, --set target.path=out.csv")
      ->type_name("KEY=VALUE");
  cmd->add_option("-d,--bizdate", args.bizdate,
                  "Business date for ${bizdate}: yyyyMMdd or yyyy-MM-dd (default: yesterday in "
                  "settings.time_zone)");
  cmd->add_option("--state", args.state_path,
                  "State store: a SQLite file (PATH or sqlite:PATH) or a shared PostgreSQL "
                  "database (postgresql://USER@HOST/DB) (default: settings.state, "
                  "$SLUICE_STATE, or .sluice/state.db)");
}

}  // namespace

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("sluice");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%d %H:%M:%S %^%l%$ %v");

  CLI::App app{"sluice: move data between databases, queues and files, in batch and real time."};
  app.footer(kFooter);
  app.set_version_flag("--version", "sluice 0.1.0");
  app.require_subcommand(1);
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Log debug details");

  sluice::RunArgs run_args;
  auto* run = app.add_subcommand("run", "Run a job: read, transform, write, commit, remember");
  AddJobArgs(run, run_args.job);
  run->add_option("--progress", run_args.progress,
                  "Progress display: auto (a bar on a terminal, log lines otherwise), bar, log, "
                  "none")
      ->check(CLI::IsMember({"auto", "bar", "log", "none"}));
  run->add_flag("--json", run_args.json_summary, "Print the run summary as JSON on stdout");
  run->add_flag("--resume", run_args.resume,
                "Jobs over many tables (source.tables): re-run only the tables the last run "
                "did not finish");
  run->add_flag("--catch-up", run_args.catch_up,
                "Realtime jobs (mode: realtime): apply everything up to the source's end as of "
                "the start, checkpoint and exit 0 (for schedulers; a realtime run otherwise "
                "goes on until SIGINT/SIGTERM)");

  sluice::VerifyArgs verify_args;
  auto* verify = app.add_subcommand(
      "verify",
      "Compare source and target of every table of a job (counts, checksums, then the rows that "
      "differ); exits 1 on any difference; writes nothing");
  AddJobArgs(verify, verify_args.job);
  verify->add_flag("--json", verify_args.json, "Print the verdicts as JSON on stdout");
  verify
      ->add_option("--max-differences", verify_args.max_differences,
                   "Differing keys printed per table (all are counted)")
      ->check(CLI::NonNegativeNumber);

  sluice::JobArgs check_args;
  auto* check = app.add_subcommand(
      "check",
      "Validate a job, connect, and print the plan (columns, splits, DDL); writes nothing");
  AddJobArgs(check, check_args);

  std::string connector_name;
  auto* connectors = app.add_subcommand(
      "connectors", "List connectors and what they can do; with a name, its options");
  connectors->add_option("name", connector_name, "Show the options of this connector");

  auto* state = app.add_subcommand("state", "Show or change what jobs remember between runs");
  state->require_subcommand(1);
  std::string state_path;
  std::string state_job;
  auto* show = state->add_subcommand("show", "Show watermarks, runs in flight and last runs");
  show->add_option("job", state_job, "Only this job (its `name:`)");
  auto* reset = state->add_subcommand(
      "reset", "Forget a job's watermark (the next incremental run reads everything)");
  reset->add_option("job", state_job, "Job name")->required();
  sluice::JobArgs reset_job;
  reset
      ->add_option("--job", reset_job.job_file,
                   "The job's file: resolves a run a kill left (as the next run would) before "
                   "resetting; needed when one is pending")
      ->check(CLI::ExistingFile);
  reset->add_option("-s,--set", reset_job.sets, "With --job: as for `run`")->type_name("KEY=VALUE");
  reset->add_option("-d,--bizdate", reset_job.bizdate, "With --job: as for `run`");
  std::string wm_column;
  std::string wm_value;
  auto* set_wm = state->add_subcommand("set-watermark", "Set a job's watermark by hand");
  set_wm->add_option("job", state_job, "Job name")->required();
  set_wm->add_option("column", wm_column, "Watermark column")->required();
  set_wm->add_option("value", wm_value, "Next run reads rows with column >= value")->required();
  sluice::JobArgs drop_job;
  auto* drop_slot = state->add_subcommand(
      "drop-slot", "Drop a realtime job's replication slot and publication on its source");
  drop_slot->add_option("job", state_job, "Job name")->required();
  drop_slot->add_option("--job", drop_job.job_file, "The job's file (where its source is)")
      ->required()
      ->check(CLI::ExistingFile);
  drop_slot->add_option("-s,--set", drop_job.sets, "As for `run`")->type_name("KEY=VALUE");
  drop_slot->add_option("-d,--bizdate", drop_job.bizdate, "As for `run`");
  for (CLI::App* sub : {show, reset, set_wm}) {
    sub->add_option("--state", state_path,
                    "State store: PATH, sqlite:PATH or postgresql://USER@HOST/DB (default: "
                    "$SLUICE_STATE or .sluice/state.db)");
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? sluice::kExitOk : sluice::kExitUsageError;
  }
  if (verbose) spdlog::set_level(spdlog::level::debug);

  if (*run) {
    std::signal(SIGINT, OnSignal);
    std::signal(SIGTERM, OnSignal);
    StartSignalWatchdog();
    return sluice::RunCommand(run_args, g_cancelled);
  }
  if (*check) return sluice::CheckCommand(check_args);
  if (*verify) return sluice::VerifyCommand(verify_args);
  if (*connectors) return sluice::ConnectorsCommand(connector_name);
  if (*show) return sluice::StateShowCommand(state_path, state_job);
  if (*reset) return sluice::StateResetCommand(state_path, state_job, reset_job);
  if (*drop_slot) return sluice::StateDropSlotCommand(state_job, drop_job);
  if (*set_wm) return sluice::StateSetWatermarkCommand(state_path, state_job, wm_column, wm_value);
  return sluice::kExitUsageError;
}
