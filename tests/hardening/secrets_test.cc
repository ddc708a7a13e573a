// Secrets and hangs (issue 8, items 7 and 8): the sluice binary against real servers.
//
//   SecretsTest.PasswordsWithDelimitersAreNeverPrinted
//       passwords made of every URL delimiter (and a bare %zz) in mysql://, postgresql:// and
//       libpq key=value targets and sources: unparseable, wrong, unreachable. check, run,
//       run --json and run -v never print any three characters of the password.
//   SecretsTest.PercentEncodedDelimiterPasswordsConnect
//       a MariaDB user and a PostgreSQL role whose password holds every delimiter: the
//       percent-encoded URL (and the quoted conninfo) log in and copy the rows.
//   StallTest.*
//       a private MariaDB/PostgreSQL pair (scripts/test-servers.sh in a temporary folder, so
//       that stopping a server never disturbs other tests): a server stopped with SIGSTOP under
//       a run fails it after settings.stall_timeout with the server named, and one SIGTERM ends
//       a run stuck on a stopped server within a few seconds. The servers are always resumed
//       (SIGCONT) and stopped again afterwards.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "private_servers.h"
#include "support/db_clients.h"
#include "support/process.h"
#include "support/sqlite_db.h"
#include "support/workspace.h"
#include "testing/test_servers.h"

namespace sluice::secrets_test {
namespace {

using ::sluice::e2e::Process;
using ::sluice::e2e::ProcessResult;
using ::sluice::e2e::ProcessSpec;
using ::sluice::e2e::Workspace;
using test_db::MysqlClient;
using test_db::PgClient;

// Every URL delimiter, and a '%' that is not an escape.
constexpr std::string_view kPassword = "p@s:s/w?o#r%d&=+;[]";
// The same, percent-encoded: what a URL must hold to carry it.
constexpr std::string_view kEncoded = "p%40s%3As%2Fw%3Fo%23r%25d%26%3D%2B%3B%5B%5D";

std::string Describe(const ProcessResult& r) {
  return r.Describe() + "\n--- stdout\n" + r.stdout_text + "--- stderr\n" + r.stderr_text;
}

// Fails when any three consecutive characters of `secret` appear in `text`.
void ExpectNoPart(const std::string& text, std::string_view secret, const std::string& what) {
  for (size_t i = 0; i + 3 <= secret.size(); ++i) {
    const std::string_view part = secret.substr(i, 3);
    EXPECT_EQ(text.find(part), std::string::npos)
        << what << ": '" << part << "' of the password '" << secret << "' is printed:\n"
        << text;
  }
}

std::string HostPort(int port) {
  return "127.0.0.1:" + std::to_string(port);
}

class SluiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ws =
        Workspace::Create(std::string("sluice-secrets-") +
                          ::testing::UnitTest::GetInstance()->current_test_info()->name() + "-");
    ASSERT_TRUE(ws.has_value()) << ws.error();
    workspace_.emplace(std::move(*ws));
    ASSERT_TRUE(e2e::ExecSqlite(workspace_->Path("src.db"),
                                "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);"
                                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                                "WHERE i < 3) INSERT INTO t SELECT i, 'row ' || i FROM n;")
                    .has_value());
  }
  void TearDown() override {
    if (HasFailure()) {
      workspace_->Keep();
      std::printf("kept %s\n", workspace_->root().c_str());
    }
  }

  ProcessSpec Spec(const std::vector<std::string>& args, const std::string& job) {
    EXPECT_TRUE(e2e::WriteFile(workspace_->Path("job.yaml"), job).has_value());
    ProcessSpec spec;
    spec.argv = {SLUICE_BINARY};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.cwd = workspace_->root();
    spec.env["SLUICE_STATE"] = workspace_->Path(".state/state.db");
    spec.stdout_path = workspace_->Path("stdout.txt");
    spec.stderr_path = workspace_->Path("stderr.txt");
    return spec;
  }

  ProcessResult Sluice(const std::vector<std::string>& args, const std::string& job) {
    return e2e::RunProcess(Spec(args, job), std::chrono::minutes(2));
  }

  std::optional<Workspace> workspace_;
};

// A job from the SQLite file to `target` (YAML flow mapping body), or from `source` to a CSV.
std::string ToTarget(const std::string& target, const std::string& settings = "") {
  return "name: secrets_job\n"
         "source: {type: sqlite, path: src.db, table: t}\n"
         "target: {" +
         target + "}\n" + settings;
}
std::string FromSource(const std::string& source) {
  return "name: secrets_job\nsource: {" + source + "}\ntarget: {type: csv, path: out.csv}\n";
}

// YAML single-quoted scalar.
std::string Quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// --- item 7: passwords ------------------------------------------------------------------------

class SecretsTest : public SluiceTest {};

TEST_F(SecretsTest, PasswordsWithDelimitersAreNeverPrinted) {
  const testing::TestServers& servers = testing::GetTestServers();
  const std::string pw(kPassword);
  const std::string no_percent = "p@s:s/w?o#r&=+;[]";  // parses; wrong password
  const std::string my = HostPort(servers.mysql_port);
  const std::string pg = HostPort(servers.pg_port);
  const std::string pg_port = std::to_string(servers.pg_port);
  struct Case {
    std::string job;
    std::string secret;
  };
  std::vector<Case> cases;
  auto both_sides = [&](const std::string& type, const std::string& url,
                        const std::string& secret) {
    const std::string table = type == "mysql" ? "sluice_test.secrets_t" : "secrets_t";
    cases.push_back(
        {ToTarget("type: " + type + ", url: " + Quoted(url) + ", table: " + table), secret});
    cases.push_back(
        {FromSource("type: " + type + ", url: " + Quoted(url) + ", table: " + table), secret});
  };
  for (const std::string& scheme : {std::string("mysql"), std::string("postgresql")}) {
    const std::string type = scheme == "mysql" ? "mysql" : "postgres";
    const std::string at = scheme == "mysql" ? my : pg;
    both_sides(type, scheme + "://sluice:" + pw + "@" + at + "/sluice_test", pw);  // bad %d&
    both_sides(type, scheme + "://sluice:%zz@" + at + "/sluice_test", "%zz");
    both_sides(type, scheme + "://sluice:" + no_percent + "@" + at + "/sluice_test",
               no_percent);  // wrong
    // A change-capture source with the wrong password: a failure no retry can fix.
    cases.push_back(
        {"name: secrets_rt\nmode: realtime\nsource: {type: " + type +
             ", url: " + Quoted(scheme + "://sluice:" + no_percent + "@" + at + "/sluice_test") +
             ", table: " + (type == "mysql" ? "sluice_test.secrets_t" : "public.secrets_t") +
             "}\ntarget: {type: sqlite, path: rt.db, table: t, write_mode: upsert, "
             "key: [id]}\n",
         no_percent});
    both_sides(type, scheme + "://sluice:" + no_percent + "@127.0.0.1:1/sluice_test",
               no_percent);  // refused
  }
  const std::string kv = "host=127.0.0.1 dbname=sluice_test user=sluice ";
  both_sides("postgres", kv + "port=" + pg_port + " password=" + pw, pw);               // wrong
  both_sides("postgres", kv + "port=1 password=" + pw, pw);                             // refused
  both_sides("postgres", kv + "port=" + pg_port + " password=abc defgh", "abc defgh");  // split
  both_sides("postgres", kv + "port=" + pg_port + " password='" + pw + "' sslmode=bogus", pw);

  for (const Case& c : cases) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"check", "job.yaml"},
          std::vector<std::string>{"run", "job.yaml", "--progress", "none"},
          std::vector<std::string>{"run", "job.yaml", "--json", "--progress", "none"},
          std::vector<std::string>{"-v", "run", "job.yaml", "--progress", "log"}}) {
      const ProcessResult r = Sluice(args, c.job);
      std::string what = args[0] + " " + args[1] + " of\n" + c.job;
      // The error path was taken: a test of messages that are never printed proves nothing.
      EXPECT_NE(r.exit_code, 0) << what << Describe(r);
      EXPECT_NE(r.stderr_text.find("error"), std::string::npos) << what << Describe(r);
      ExpectNoPart(r.stdout_text + r.stderr_text, c.secret, what);
    }
  }
}

TEST_F(SecretsTest, PercentEncodedDelimiterPasswordsConnect) {
  const testing::TestServers& servers = testing::GetTestServers();
  const std::string pw(kPassword);
  MysqlClient mysql(servers.mysql_url);
  mysql.Exec("DROP USER IF EXISTS 'secrets_user'@'%'");
  mysql.Exec("CREATE USER 'secrets_user'@'%' IDENTIFIED BY '" + pw + "'");
  mysql.Exec("GRANT ALL PRIVILEGES ON *.* TO 'secrets_user'@'%'");
  mysql.Exec("DROP TABLE IF EXISTS sluice_test.secrets_ok");
  PgClient pg(servers.pg_url);
  pg.Exec("DROP TABLE IF EXISTS public.secrets_ok");
  // The job's lease rows of an earlier run of this test: this run's state store is a new one.
  pg.Exec(
      "DO $$ BEGIN IF to_regclass('public._sluice_positions') IS NOT NULL THEN DELETE FROM "
      "public._sluice_positions WHERE job LIKE 'secrets_job%'; END IF; END $$");
  if (mysql.Value("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
                  "'sluice_test' AND table_name = '_sluice_positions'") == "1") {
    mysql.Exec("DELETE FROM sluice_test._sluice_positions WHERE job LIKE 'secrets_job%'");
  }
  // Kept between runs (tables it created may belong to it); its password is set again.
  pg.Exec(
      "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'secrets_user') THEN "
      "CREATE ROLE secrets_user LOGIN SUPERUSER; END IF; END $$");
  pg.Exec("ALTER ROLE secrets_user PASSWORD '" + pw + "'");

  const std::string my_url = "mysql://secrets_user:" + std::string(kEncoded) + "@" +
                             HostPort(servers.mysql_port) + "/sluice_test";
  const std::string pg_url = "postgresql://secrets_user:" + std::string(kEncoded) + "@" +
                             HostPort(servers.pg_port) + "/sluice_test";
  const std::string pg_kv = "host=127.0.0.1 port=" + std::to_string(servers.pg_port) +
                            " dbname=sluice_test user=secrets_user password='" + pw + "'";
  for (const auto& [target, count_sql] : std::vector<std::pair<std::string, std::string>>{
           {"type: mysql, url: " + Quoted(my_url) + ", table: secrets_ok",
            "SELECT COUNT(*) FROM sluice_test.secrets_ok"},
           {"type: postgres, url: " + Quoted(pg_url) + ", table: secrets_ok",
            "SELECT COUNT(*) FROM public.secrets_ok"},
           {"type: postgres, url: " + Quoted(pg_kv) + ", table: secrets_ok",
            "SELECT COUNT(*) FROM public.secrets_ok"}}) {
    const ProcessResult r = Sluice({"run", "job.yaml", "--progress", "none"},
                                   ToTarget(target + ", write_mode: overwrite"));
    ASSERT_EQ(r.exit_code, 0) << target << Describe(r);
    ExpectNoPart(r.stdout_text + r.stderr_text, pw, target);
    const std::string count = count_sql.find("public.") != std::string::npos
                                  ? pg.Value(count_sql)
                                  : mysql.Value(count_sql);
    EXPECT_EQ(count, "3") << target;
  }
  // And as a source.
  const ProcessResult r =
      Sluice({"run", "job.yaml", "--progress", "none"},
             FromSource("type: postgres, url: " + Quoted(pg_url) + ", table: secrets_ok"));
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  ExpectNoPart(r.stdout_text + r.stderr_text, pw, "source");

  // And as change-capture sources: the binlog connection and the PostgreSQL replication
  // connection (its own conninfo, with replication=database added) log in with the same
  // password, and a realtime run's status lines and summary do not print it.
  pg.Exec("ALTER TABLE public.secrets_ok REPLICA IDENTITY FULL");  // no primary key there
  for (const auto& [name, source] : std::vector<std::pair<std::string, std::string>>{
           {"secrets_rt_my",
            "type: mysql, url: " + Quoted(my_url) + ", table: sluice_test.secrets_ok"},
           {"secrets_rt_pg",
            "type: postgres, url: " + Quoted(pg_url) + ", table: public.secrets_ok"},
           {"secrets_rt_kv",
            "type: postgres, url: " + Quoted(pg_kv) + ", table: public.secrets_ok"}}) {
    const std::string job = "name: " + name + "\nmode: realtime\nsource: {" + source +
                            "}\ntarget: {type: sqlite, path: " + name +
                            ".db, table: t, write_mode: upsert, key: [id]}\n";
    const ProcessResult rt =
        Sluice({"-v", "run", "job.yaml", "--catch-up", "--json", "--progress", "log"}, job);
    EXPECT_EQ(rt.exit_code, 0) << name << Describe(rt);
    ExpectNoPart(rt.stdout_text + rt.stderr_text, pw, name);
    auto rows = e2e::QuerySqlite(workspace_->Path(name + ".db"), "SELECT count(*) FROM t");
    ASSERT_TRUE(rows.has_value()) << name << ": " << rows.error();
    EXPECT_EQ(*rows, std::vector<std::string>{"3"}) << name;
    if (name != "secrets_rt_my") {
      const ProcessResult dropped = Sluice({"state", "drop-slot", name, "--job", "job.yaml"}, job);
      EXPECT_EQ(dropped.exit_code, 0) << name << Describe(dropped);
      ExpectNoPart(dropped.stdout_text + dropped.stderr_text, pw, name + " drop-slot");
    }
  }
}

// --- item 8: stalled servers and SIGTERM ------------------------------------------------------

// A private MariaDB/PostgreSQL pair for the whole suite: stopping one of them with SIGSTOP must
// never stall the servers other tests of the same ctest run share.
class StallTest : public SluiceTest {
 protected:
  static void SetUpTestSuite() { hardening::SuiteServers::SetUp(); }
  static void TearDownTestSuite() { hardening::SuiteServers::TearDown(); }

  void SetUp() override {
    ASSERT_EQ(hardening::SuiteServers::Error(), "");
    private_ = &hardening::SuiteServers::Get();
    SluiceTest::SetUp();
    // Enough rows, slowly enough (rate limit), that the run is still writing when the server
    // stops: about 20 s of work. The rows are wide: a PostgreSQL writer only waits for the
    // server once the socket buffers (several MB) are full.
    ASSERT_TRUE(e2e::ExecSqlite(workspace_->Path("src.db"),
                                "WITH RECURSIVE n(i) AS (SELECT 4 UNION ALL SELECT i + 1 FROM n "
                                "WHERE i < 30000) INSERT INTO t SELECT i, hex(zeroblob(1500)) "
                                "FROM n;")
                    .has_value());
  }
  void TearDown() override {
    if (private_) private_->ResumeAll();  // always: the next test needs the server
    SluiceTest::TearDown();
  }

  static std::string Settings(int stall_timeout) {
    return "settings: {batch_rows: 500, rate_limit: {rows_per_second: 1500}" +
           (stall_timeout > 0 ? ", stall_timeout: " + std::to_string(stall_timeout) : "") + "}\n";
  }

  void Stop(int pid) { ASSERT_TRUE(private_->Pause(pid)) << "cannot stop pid " << pid; }

  int MariadbPid() { return private_->MariadbPid(); }

  // The PostgreSQL backends serving sluice (application_name "sluice ..."); the postmaster and
  // the test's own connection go on.
  std::vector<int> SluiceBackends(PgClient& pg) {
    std::vector<int> pids;
    for (const auto& row : pg.Query("SELECT pid FROM pg_stat_activity WHERE application_name "
                                    "LIKE 'sluice%' AND pid <> pg_backend_pid()")) {
      if (row[0]) pids.push_back(std::atoi(row[0]->c_str()));
    }
    return pids;
  }

  // Starts the run and gives it time to connect and write its first batches (it then has
  // about a minute of work left).
  Process StartWriting(const std::string& job) {
    Process p = Process::Start(Spec({"run", "job.yaml", "--progress", "none"}, job));
    std::this_thread::sleep_for(std::chrono::seconds(3));
    return p;
  }

  hardening::PrivateServers* private_ = nullptr;
};

std::string MysqlTarget(const testing::TestServers& s) {
  return "type: mysql, url: " + Quoted(s.mysql_url) + ", table: sluice_test.stall_t";
}
std::string PgTarget(const testing::TestServers& s) {
  return "type: postgres, url: " + Quoted(s.pg_url) + ", table: public.stall_t";
}

TEST_F(StallTest, StoppedMariadbFailsTheRunNamingIt) {
  const testing::TestServers& s = private_->servers();
  MysqlClient(s.mysql_url).Exec("DROP TABLE IF EXISTS sluice_test.stall_t");
  Process p = StartWriting(ToTarget(MysqlTarget(s), Settings(3)));
  ASSERT_TRUE(p.Running()) << "the run ended before the server could be stopped";
  Stop(MariadbPid());
  const auto start = std::chrono::steady_clock::now();
  const ProcessResult r = p.Wait(std::chrono::seconds(40));
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_FALSE(r.timed_out) << "a stopped MariaDB hangs the run";
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_NE(r.stderr_text.find("mysql at " + HostPort(s.mysql_port) + " stalled"),
            std::string::npos)
      << Describe(r);
  EXPECT_LT(secs, 20) << Describe(r);
}

TEST_F(StallTest, SigtermEndsARunOnAStoppedMariadb) {
  const testing::TestServers& s = private_->servers();
  MysqlClient(s.mysql_url).Exec("DROP TABLE IF EXISTS sluice_test.stall_t");
  Process p = StartWriting(ToTarget(MysqlTarget(s), Settings(0)));
  ASSERT_TRUE(p.Running()) << "the run ended before the server could be stopped";
  Stop(MariadbPid());
  std::this_thread::sleep_for(std::chrono::seconds(1));  // the run is now blocked on it
  const auto start = std::chrono::steady_clock::now();
  p.Signal(SIGTERM);
  const ProcessResult r = p.Wait(std::chrono::seconds(30));
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_FALSE(r.timed_out) << "SIGTERM does not end a run on a stopped MariaDB";
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_NE(r.stderr_text.find("stopped by a signal"), std::string::npos) << Describe(r);
  EXPECT_LT(secs, 6) << Describe(r);
}

TEST_F(StallTest, StoppedPostgresBackendFailsTheRunNamingIt) {
  const testing::TestServers& s = private_->servers();
  PgClient pg(s.pg_url);
  pg.Exec("DROP TABLE IF EXISTS public.stall_t");
  Process p = StartWriting(ToTarget(PgTarget(s), Settings(3)));
  ASSERT_TRUE(p.Running()) << "the run ended before the server could be stopped";
  const std::vector<int> backends = SluiceBackends(pg);
  ASSERT_FALSE(backends.empty());
  for (int pid : backends) Stop(pid);
  const auto start = std::chrono::steady_clock::now();
  const ProcessResult r = p.Wait(std::chrono::seconds(40));
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_FALSE(r.timed_out) << "a stopped PostgreSQL backend hangs the run";
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_NE(r.stderr_text.find("postgres at " + HostPort(s.pg_port) + " stalled"),
            std::string::npos)
      << Describe(r);
  EXPECT_LT(secs, 20) << Describe(r);
}

TEST_F(StallTest, SigtermEndsARunOnAStoppedPostgresBackend) {
  const testing::TestServers& s = private_->servers();
  PgClient pg(s.pg_url);
  pg.Exec("DROP TABLE IF EXISTS public.stall_t");
  Process p = StartWriting(ToTarget(PgTarget(s), Settings(0)));
  ASSERT_TRUE(p.Running()) << "the run ended before the server could be stopped";
  const std::vector<int> backends = SluiceBackends(pg);
  ASSERT_FALSE(backends.empty());
  for (int pid : backends) Stop(pid);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const auto start = std::chrono::steady_clock::now();
  p.Signal(SIGTERM);
  const ProcessResult r = p.Wait(std::chrono::seconds(30));
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_FALSE(r.timed_out) << "SIGTERM does not end a run on a stopped PostgreSQL backend";
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_NE(r.stderr_text.find("stopped by a signal"), std::string::npos) << Describe(r);
  EXPECT_LT(secs, 6) << Describe(r);
}

}  // namespace
}  // namespace sluice::secrets_test
