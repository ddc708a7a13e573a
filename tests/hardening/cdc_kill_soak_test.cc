// The kill -9 proof for both change-capture sources under sustained write load: sysbench
// oltp_write_only (per transaction an indexed update, a non-indexed update, and a DELETE then
// INSERT of the same id, on several threads) writes into the source's sbtest1 for 15 s while a
// realtime job copies it into a PostgreSQL target (and, from the PostgreSQL source, into a
// MariaDB target); the job is killed with -9 at random moments (at least five; the first may
// land in its initial snapshot) and restarted each time. When the load stops, `run --catch-up`
// must exit 0 and the target must hold exactly the source's rows, every column of every row.
// The job names no write_mode or key: a change-capture job upserts by the source's primary key.
//
// Needs the throwaway servers and sysbench (scripts/install-deps.sh test). A missing sysbench
// fails the test rather than skipping it: this test is the proof, and a skip would let
// ctest report it green without proving anything (servers missing fail the same way).
// Each source is a database of its own (cdcsoak_src_my on MariaDB, cdcsoak_src_pg and
// cdcsoak_src_pg2 on PostgreSQL); a PostgreSQL target is a schema of the test database
// (cdcsoak_TESTNAME), the MariaDB target the database cdcsoak_tgt_my. All are dropped first.
// SLUICE_KILL_SEED replays a failing kill sequence (the seed is printed); the load itself depends
// on timing and is not replayed.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "server_test.h"
#include "support/db_clients.h"

namespace sluice::cdc_kill_soak_test {
namespace {

using ::sluice::e2e::Process;
using ::sluice::e2e::ProcessResult;
using ::sluice::e2e::ProcessSpec;
using test_db::MysqlClient;
using test_db::PgClient;
using namespace std::chrono_literals;

constexpr int kTableRows = 10000;
constexpr int kLoadSeconds = 15;
constexpr int kLoadThreads = 4;
// Transactions per second over all threads: four row changes each. Capped so that the load,
// the job and both servers share two cores without the job falling minutes behind.
constexpr int kLoadRate = 250;
constexpr int kMinKills = 5;
// Every column of every row; rtrim makes a CHAR(n) column and one of another string type compare
// by the characters written (bpchar keeps its padding when cast to text in a select list).
constexpr const char* kPgRows =
    "SELECT id, k, rtrim(c::text), rtrim(pad::text) FROM sbtest1 ORDER BY id";
constexpr const char* kMysqlRows = "SELECT id, k, rtrim(c), rtrim(pad) FROM sbtest1 ORDER BY id";

// The absolute path of `name` on PATH (the harness execs without a PATH search).
std::optional<std::string> FindOnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::filesystem::path candidate = std::filesystem::path(dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return std::nullopt;
}

// "transactions: N" and the write-statement count from sysbench's summary, for the report.
std::string LoadSummary(const std::string& out) {
  std::string summary;
  for (const std::string key : {"write:", "transactions:", "ignored errors:"}) {
    const size_t at = out.find(key);
    if (at == std::string::npos) continue;
    const size_t end = out.find('\n', at);
    std::string line = out.substr(at, end - at);
    std::string squeezed;
    for (char c : line) {
      if (c != ' ' || (!squeezed.empty() && squeezed.back() != ' ')) squeezed += c;
    }
    summary += (summary.empty() ? "" : ", ") + squeezed;
  }
  return summary;
}

// The rows of both sides that differ, by id, as "id: source | target" lines (at most 20).
std::string Differences(const std::vector<std::string>& source,
                        const std::vector<std::string>& target) {
  std::map<std::string, std::pair<std::string, std::string>> by_id;
  for (const std::string& line : source) by_id[line.substr(0, line.find('|'))].first = line;
  for (const std::string& line : target) by_id[line.substr(0, line.find('|'))].second = line;
  std::string out;
  int shown = 0, differing = 0;
  for (const auto& [id, sides] : by_id) {
    if (sides.first == sides.second) continue;
    ++differing;
    if (shown++ < 20) {
      out += "  id " + id + ":\n    source " + (sides.first.empty() ? "(none)" : sides.first) +
             "\n    target " + (sides.second.empty() ? "(none)" : sides.second) + "\n";
    }
  }
  return std::to_string(differing) + " ids differ (source " + std::to_string(source.size()) +
         " rows, target " + std::to_string(target.size()) + ")\n" + out;
}

class CdcKillSoakTest : public hardening::ServerTest {
 protected:
  CdcKillSoakTest() : ServerTest("cdcsoak") {}

  void SetUp() override {
    ServerTest::SetUp();
    if (HasFatalFailure()) return;
    const std::optional<std::string> found = FindOnPath("sysbench");
    ASSERT_TRUE(found.has_value())
        << "sysbench is not installed; it writes this test's load. Install the test packages "
           "with scripts/install-deps.sh test";
    sysbench_ = *found;
    target_schema_ = hardening::TestScopedName("cdcsoak_");
    PgClient pg(servers_.pg_url);
    pg.Exec("DROP SCHEMA IF EXISTS " + target_schema_ + " CASCADE; CREATE SCHEMA " +
            target_schema_);
  }

  // `sysbench oltp_write_only DRIVER_ARGS... COMMAND`, its output in sysbench-NAME.out/.err.
  ProcessSpec SysbenchSpec(const std::vector<std::string>& driver_args, const std::string& command,
                           const std::string& name) const {
    ProcessSpec spec;
    spec.argv = {sysbench_, "oltp_write_only"};
    spec.argv.insert(spec.argv.end(), driver_args.begin(), driver_args.end());
    for (const std::string& option : std::initializer_list<std::string>{
             "--tables=1", "--table-size=" + std::to_string(kTableRows),
             "--threads=" + std::to_string(kLoadThreads), "--time=" + std::to_string(kLoadSeconds),
             "--rate=" + std::to_string(kLoadRate), "--report-interval=0", command}) {
      spec.argv.push_back(option);
    }
    spec.cwd = workspace_->root();
    spec.stdout_path = workspace_->Path("sysbench-" + name + ".out");
    spec.stderr_path = workspace_->Path("sysbench-" + name + ".err");
    return spec;
  }

  std::string PgTarget() const {
    return "{type: postgres, url: \"" + servers_.pg_url + "\", table: " + target_schema_ +
           ".sbtest1}";
  }

  void WriteJob(const std::string& name, const std::string& source, const std::string& target) {
    const std::string job = "name: " + name + "\nmode: realtime\nsource: " + source +
                            "\ntarget: " + target + "\nsettings: {checkpoint: {rows: 200}}\n";
    ASSERT_TRUE(e2e::WriteFile(workspace_->Path("job.yaml"), job).has_value());
  }

  // Prepares sbtest1, runs the load while killing the job with -9 at random moments, then
  // catches up. The job (job.yaml) must be written.
  void SoakWithKills(const std::vector<std::string>& driver_args) {
    const auto started = std::chrono::steady_clock::now();
    ProcessResult prepared = e2e::RunProcess(SysbenchSpec(driver_args, "prepare", "prepare"), 2min);
    ASSERT_EQ(prepared.exit_code, 0) << hardening::Describe(prepared);

    unsigned seed = std::random_device{}();
    if (const char* s = std::getenv("SLUICE_KILL_SEED")) {
      seed = static_cast<unsigned>(std::atoll(s));
    }
    std::printf("SLUICE_KILL_SEED=%u\n", seed);
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> delay_ms(300, 2500);

    Process load = Process::Start(SysbenchSpec(driver_args, "run", "run"));
    ASSERT_GT(load.pid(), 0);
    int kills = 0;
    while (load.Running() || kills < kMinKills) {
      Process run = Process::Start(
          Spec({"run", "job.yaml", "--progress", "none"}, "live" + std::to_string(kills)));
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
      if (!run.Running()) {
        ProcessResult ended = run.Wait(10s);
        FAIL() << "a realtime run without --catch-up ended on its own after " << kills
               << " kills: " << hardening::Describe(ended);
      }
      ASSERT_EQ(run.Kill().signal, SIGKILL);
      ++kills;
    }
    ProcessResult loaded = load.Wait(60s);
    ASSERT_EQ(loaded.exit_code, 0) << hardening::Describe(loaded);
    const auto load_ended = std::chrono::steady_clock::now();

    ProcessResult last = e2e::RunProcess(
        Spec({"run", "job.yaml", "--progress", "none", "--catch-up", "--json"}, "last"), 3min);
    ASSERT_EQ(last.exit_code, 0) << hardening::Describe(last);
    const auto done = std::chrono::steady_clock::now();
    using std::chrono::duration_cast;
    using std::chrono::milliseconds;
    std::printf("load: %s; %d kills (seed %u); catch-up %lld ms; total %lld ms\n",
                LoadSummary(loaded.stdout_text).c_str(), kills, seed,
                static_cast<long long>(duration_cast<milliseconds>(done - load_ended).count()),
                static_cast<long long>(duration_cast<milliseconds>(done - started).count()));
    // The killed runs' checkpoints counted: the last run did not start from nothing.
    EXPECT_FALSE(hardening::Has(last.stdout_text, "\"position_before\": \"\"")) << last.stdout_text;
    kills_ = kills;
    seed_ = seed;
  }

  // Drops a PostgreSQL source database with the job's replication slots in it (a slot keeps
  // its database from dropping); a killed run's walsender may hold its slot for a moment.
  void DropPgSourceDatabase(const std::string& db) {
    PgClient pg(servers_.pg_url);
    const std::string in_db = " FROM pg_replication_slots WHERE database = '" + db + "'";
    pg.Exec("SELECT pg_terminate_backend(active_pid)" + in_db + " AND active_pid IS NOT NULL");
    for (int attempt = 0; pg.Value("SELECT count(*)" + in_db + " AND active") != "0"; ++attempt) {
      ASSERT_LT(attempt, 100) << "a replication slot in " << db << " stays active";
      std::this_thread::sleep_for(100ms);
    }
    pg.Exec("SELECT count(pg_drop_replication_slot(slot_name))" + in_db);
    pg.Exec("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
  }

  // A fresh PostgreSQL source database `db` loaded by sysbench, job `job` into `target`.
  void SoakPgSource(const std::string& db, const std::string& job, const std::string& target) {
    DropPgSourceDatabase(db);
    if (HasFatalFailure()) return;
    PgClient(servers_.pg_url).Exec("CREATE DATABASE " + db);
    const std::string source_url = hardening::WithDatabase(servers_.pg_url, db);
    WriteJob(job, "{type: postgres, url: \"" + source_url + "\", table: public.sbtest1}", target);
    if (HasFatalFailure()) return;
    SoakWithKills({"--db-driver=pgsql", "--pgsql-host=127.0.0.1",
                   "--pgsql-port=" + std::to_string(servers_.pg_port), "--pgsql-user=sluice",
                   "--pgsql-password=sluice-pw", "--pgsql-db=" + db});
  }

  std::vector<std::string> PgTargetRows() {
    PgClient pg(servers_.pg_url);
    pg.Exec("SET search_path = " + target_schema_);
    return test_db::Lines(pg.Query(kPgRows));
  }

  void ExpectTargetEquals(const std::vector<std::string>& source,
                          const std::vector<std::string>& target) {
    EXPECT_EQ(source.size(), static_cast<size_t>(kTableRows));
    EXPECT_TRUE(source == target) << "after " << kills_ << " kills, seed " << seed_ << ": "
                                  << Differences(source, target);
  }

  std::string sysbench_;
  std::string target_schema_;
  int kills_ = 0;
  unsigned seed_ = 0;
};

TEST_F(CdcKillSoakTest, MariadbBinlogSourceUnderSysbenchConverges) {
  const std::string db = "cdcsoak_src_my";
  {
    MysqlClient my(servers_.mysql_url);
    my.Exec("DROP DATABASE IF EXISTS " + db);
    my.Exec("CREATE DATABASE " + db);
  }
  const std::string source_url = hardening::WithDatabase(servers_.mysql_url, db);
  WriteJob("cdcsoak_my", "{type: mysql, url: \"" + source_url + "\", table: " + db + ".sbtest1}",
           PgTarget());
  if (HasFatalFailure()) return;
  SoakWithKills({"--db-driver=mysql", "--mysql-host=127.0.0.1",
                 "--mysql-port=" + std::to_string(servers_.mysql_port), "--mysql-user=sluice",
                 "--mysql-password=sluice-pw", "--mysql-db=" + db});
  if (HasFatalFailure()) return;
  MysqlClient my(source_url);
  ExpectTargetEquals(test_db::Lines(my.Query(kMysqlRows)), PgTargetRows());
  if (!HasFailure()) my.Exec("DROP DATABASE " + db);
}

TEST_F(CdcKillSoakTest, PostgresLogicalSourceUnderSysbenchConverges) {
  const std::string db = "cdcsoak_src_pg";
  SoakPgSource(db, "cdcsoak_pg", PgTarget());
  if (HasFatalFailure()) return;
  {
    PgClient source(hardening::WithDatabase(servers_.pg_url, db));
    ExpectTargetEquals(test_db::Lines(source.Query(kPgRows)), PgTargetRows());
  }
  if (!HasFailure()) DropPgSourceDatabase(db);
}

// The same PostgreSQL source into a MariaDB target (a database of its own).
TEST_F(CdcKillSoakTest, PostgresLogicalSourceIntoMariadbUnderSysbenchConverges) {
  const std::string db = "cdcsoak_src_pg2";
  const std::string target_db = "cdcsoak_tgt_my";
  {
    MysqlClient my(servers_.mysql_url);
    my.Exec("DROP DATABASE IF EXISTS " + target_db);
    my.Exec("CREATE DATABASE " + target_db);
  }
  SoakPgSource(db, "cdcsoak_pg_my",
               "{type: mysql, url: \"" + hardening::WithDatabase(servers_.mysql_url, target_db) +
                   "\", table: " + target_db + ".sbtest1}");
  if (HasFatalFailure()) return;
  {
    PgClient source(hardening::WithDatabase(servers_.pg_url, db));
    MysqlClient target(hardening::WithDatabase(servers_.mysql_url, target_db));
    ExpectTargetEquals(test_db::Lines(source.Query(kPgRows)),
                       test_db::Lines(target.Query(kMysqlRows)));
  }
  if (!HasFailure()) {
    DropPgSourceDatabase(db);
    MysqlClient(servers_.mysql_url).Exec("DROP DATABASE " + target_db);
  }
}

}  // namespace
}  // namespace sluice::cdc_kill_soak_test
