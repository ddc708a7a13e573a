// Realtime jobs whose source server stops answering or drops the connection: the binlog and
// replication connections are watched like the batch path's (settings.stall_timeout), and a
// run that loses its connection starts again from its last checkpoint (settings.reconnect).
// On a private MariaDB/PostgreSQL pair (private_servers.h), so that stopping a server never
// stalls other tests.
//
//   StreamStallTest.StoppedMariadbSourceFailsTheRealtimeRunNamingIt
//       reconnect off, mariadbd stopped (SIGSTOP) under a streaming MariaDB -> PostgreSQL run:
//       the run fails within seconds of the stall timeout, naming the server, instead of
//       waiting forever in the binlog read; once the server is resumed a --catch-up run brings
//       every row.
//   StreamStallTest.SigtermEndsARealtimeRunOnAStoppedMariadbSource / ...OnAStoppedWalsender
//       stall timeout off: one SIGTERM ends the run within a few seconds, as a stop (exit 0,
//       what was written committed), not a failure; the next run goes on from there.
//   StreamStallTest.StoppedWalsenderFailsTheRealtimeRunNamingIt
//       reconnect off, the walsender of a PostgreSQL -> MariaDB run stopped: an idle walsender
//       and a stopped one are equally silent, so the run asks for a keepalive and fails when
//       none comes; an idle one longer than the timeout is not taken for a stalled one.
//   StreamStallTest.RunReconnectsWhenMariadbComesBack
//       reconnect on (the default): mariadbd stopped for a few seconds, then resumed; the run
//       stalls, retries while the server is away and streams on once it is back; every row
//       arrives once and SIGTERM ends the run with exit 0, its summary counting the reconnects.
//   StreamStallTest.RunReconnectsAfterItsWalsenderIsTerminated
//       the same from PostgreSQL when the walsender is terminated (pg_terminate_backend).
//   StreamStallTest.RunReconnectsAfterItsTargetConnectionsAreTerminated
//       the PostgreSQL target's connections terminated under a MariaDB -> PostgreSQL run
//       while the source writes: the run starts again from the target's last checkpoint and
//       the target ends equal to the source, each change once.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "private_servers.h"
#include "server_test.h"
#include "support/db_clients.h"

namespace sluice::hardening {
namespace {

using e2e::Process;
using e2e::ProcessResult;
using test_db::MysqlClient;
using test_db::PgClient;

std::string HostPort(int port) {
  return "127.0.0.1:" + std::to_string(port);
}

// Polls `done` every 100 ms for at most 60 s; whether it came true.
bool Eventually(const std::function<bool()>& done) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

// Each test streams table stall_src (id, v) of one server into stall_dst of the other: from
// MariaDB into PostgreSQL, or from PostgreSQL into MariaDB.
class StreamStallTest : public ServerTest {
 protected:
  StreamStallTest() : ServerTest("stream-stall") {}

  static void SetUpTestSuite() { SuiteServers::SetUp(); }
  static void TearDownTestSuite() { SuiteServers::TearDown(); }

  void SetUp() override {
    ASSERT_EQ(SuiteServers::Error(), "");
    private_ = &SuiteServers::Get();
    ServerTest::SetUp();
    servers_ = private_->servers();
  }
  void TearDown() override {
    if (private_) private_->ResumeAll();  // always: the next test needs the server
    ServerTest::TearDown();
  }

  // The source table with rows 1:a, 2:b, 3:c, no target table, and the job (settings
  // stall_timeout and reconnect as given); then the run, once it has the snapshot.
  // `tables`: the same table as a job over `source.tables` (the reader over many tables).
  Process StartStreaming(bool from_mariadb, int stall_timeout, const std::string& reconnect,
                         bool tables = false) {
    from_mariadb_ = from_mariadb;
    mysql_ = std::make_unique<MysqlClient>(servers_.mysql_url);
    pg_ = std::make_unique<PgClient>(servers_.pg_url);
    const std::string create = "CREATE TABLE stall_src (id INT PRIMARY KEY, v VARCHAR(20))";
    const std::string fill = "INSERT INTO stall_src VALUES (1, 'a'), (2, 'b'), (3, 'c')";
    mysql_->Exec(from_mariadb ? "DROP TABLE IF EXISTS stall_src"
                              : "DROP TABLE IF EXISTS stall_dst");
    pg_->Exec(from_mariadb ? "DROP TABLE IF EXISTS stall_dst" : "DROP TABLE IF EXISTS stall_src");
    Source(create);
    Source(fill);
    const std::string mysql = "{type: mysql, url: \"" + servers_.mysql_url + "\", table: ";
    const std::string pg = "{type: postgres, url: \"" + servers_.pg_url + "\", table: public.";
    const std::string src = from_mariadb ? "sluice_test.stall_src" : "public.stall_src";
    const std::string dst = from_mariadb ? "public.stall_dst" : "sluice_test.stall_dst";
    const std::string source =
        tables ? "{type: " + std::string(from_mariadb ? "mysql" : "postgres") + ", url: \"" +
                     (from_mariadb ? servers_.mysql_url : servers_.pg_url) + "\", tables: [\"" +
                     src + "\"]}\nroutes: [{from: \"" + src + "\", to: \"" + dst + "\"}]\n"
               : (from_mariadb ? mysql : pg) + "stall_src}\n";
    const std::string job = "name: stall_rt\nmode: realtime\nsource: " + source +
                            "target: " + (from_mariadb ? pg : mysql) +
                            "stall_dst}\n"
                            "settings: {checkpoint: 200ms, stall_timeout: " +
                            std::to_string(stall_timeout) + ", reconnect: " + reconnect + "}\n";
    EXPECT_TRUE(e2e::WriteFile(workspace_->Path("job.yaml"), job).has_value());
    Process run = Process::Start(Spec({"run", "job.yaml", "--progress", "none"}, "run"));
    EXPECT_TRUE(WaitForTarget("1:a,2:b,3:c")) << "the snapshot never arrived: " << RunLog();
    return run;
  }

  // A statement on the source.
  void Source(const std::string& sql) { from_mariadb_ ? mysql_->Exec(sql) : pg_->Exec(sql); }

  // The target's rows as "id:v,..." ("" while it has no table).
  std::string TargetRows() {
    if (from_mariadb_) {
      if (pg_->Value("SELECT count(*) FROM pg_tables WHERE tablename = 'stall_dst'") != "1") {
        return "";
      }
      return pg_->Value("SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM stall_dst");
    }
    if (mysql_->Value("SELECT count(*) FROM information_schema.tables WHERE table_schema = "
                      "DATABASE() AND table_name = 'stall_dst'") != "1") {
      return "";
    }
    return mysql_->Value("SELECT GROUP_CONCAT(id, ':', v ORDER BY id) FROM stall_dst");
  }
  std::string SourceRows() {
    return from_mariadb_
               ? mysql_->Value("SELECT GROUP_CONCAT(id, ':', v ORDER BY id) FROM stall_src")
               : pg_->Value("SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM stall_src");
  }
  bool WaitForTarget(const std::string& rows) {
    return Eventually([&] { return TargetRows() == rows; });
  }
  std::string RunLog() { return ReadWholeFile(workspace_->Path("run.err")); }

  // A SIGTERM is a stop like any other, also when the run waits on a source that stopped
  // answering: with a row streamed, the source server (`pid`; 0: the run's walsender) is
  // paused, the run is sent SIGTERM and must exit 0 within seconds, the target having committed
  // what was written; once resumed, a --catch-up run goes on from there. `blocked_in_read`: the
  // run waits inside a read the signal must break (the binlog's), which the log says; the
  // replication stream polls, and mostly stops between two polls.
  ProcessResult SigtermWhileStoppedThenGoOn(Process& run, int pid, const std::string& name,
                                            bool blocked_in_read) {
    Source("INSERT INTO stall_src VALUES (4, 'streamed')");
    EXPECT_TRUE(WaitForTarget("1:a,2:b,3:c,4:streamed")) << RunLog();
    if (pid == 0) {
      const std::string walsender = pg_->Value(
          "SELECT pid FROM pg_stat_activity WHERE backend_type = 'walsender' AND "
          "application_name = 'sluice stream'");
      EXPECT_FALSE(walsender.empty());
      pid = walsender.empty() ? 0 : std::stoi(walsender);
    }
    EXPECT_TRUE(pid != 0 && private_->Pause(pid));
    std::this_thread::sleep_for(std::chrono::seconds(1));  // the run now waits on the server
    const auto start = std::chrono::steady_clock::now();
    run.Signal(SIGTERM);
    const ProcessResult r = run.Wait(std::chrono::seconds(30));
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_FALSE(r.timed_out) << "SIGTERM does not end a realtime run on a stopped " << name;
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    if (blocked_in_read) {
      EXPECT_TRUE(
          Has(r.stderr_text, "stopped by a signal while waiting for the source; committed up to "))
          << Describe(r);
    }
    EXPECT_LT(secs, 6) << Describe(r);

    private_->ResumeAll();
    Source("INSERT INTO stall_src VALUES (5, 'after')");
    ExpectCatchUpGives("1:a,2:b,3:c,4:streamed,5:after");
    return r;
  }

  // A --catch-up run after the live one ended: it goes on from the last checkpoint.
  void ExpectCatchUpGives(const std::string& rows) {
    const ProcessResult again =
        e2e::RunProcess(Spec({"run", "job.yaml", "--catch-up", "--progress", "none"}, "catchup"),
                        std::chrono::minutes(2));
    ASSERT_EQ(again.exit_code, 0) << Describe(again);
    EXPECT_EQ(TargetRows(), rows);
  }

  // The run's end after the server stopped: exit 1 naming `server`, within `limit_s`.
  static void ExpectStalledEnd(Process& run, const std::string& server, double limit_s) {
    const auto start = std::chrono::steady_clock::now();
    const ProcessResult r = run.Wait(std::chrono::seconds(60));
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_FALSE(r.timed_out) << "the realtime run hangs on a stopped source server";
    EXPECT_EQ(r.exit_code, 1) << Describe(r);
    EXPECT_TRUE(Has(r.stderr_text, server + " stalled")) << Describe(r);
    EXPECT_LT(secs, limit_s) << Describe(r);
  }

  // SIGTERM to a run that reconnected: exit 0, `logged` in its log, reconnects counted.
  static void ExpectReconnectedEnd(Process& run, const std::string& logged) {
    run.Signal(SIGTERM);
    const ProcessResult r = run.Wait(std::chrono::seconds(30));
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_TRUE(Has(r.stderr_text, logged)) << Describe(r);
    EXPECT_TRUE(Has(r.stdout_text, "reconnects ")) << Describe(r);
  }

  PrivateServers* private_ = nullptr;
  bool from_mariadb_ = true;
  std::unique_ptr<MysqlClient> mysql_;
  std::unique_ptr<PgClient> pg_;
};

TEST_F(StreamStallTest, StoppedMariadbSourceFailsTheRealtimeRunNamingIt) {
  Process run = StartStreaming(/*from_mariadb=*/true, 3, "off");
  Source("INSERT INTO stall_src VALUES (4, 'streamed')");
  ASSERT_TRUE(WaitForTarget("1:a,2:b,3:c,4:streamed")) << RunLog();
  ASSERT_TRUE(run.Running());

  ASSERT_TRUE(private_->Pause(private_->MariadbPid()));
  ExpectStalledEnd(run, "mysql at " + HostPort(servers_.mysql_port), 20);

  private_->ResumeAll();
  Source("INSERT INTO stall_src VALUES (5, 'after')");
  ExpectCatchUpGives("1:a,2:b,3:c,4:streamed,5:after");
}

TEST_F(StreamStallTest, SigtermEndsARealtimeRunOnAStoppedMariadbSource) {
  Process run = StartStreaming(/*from_mariadb=*/true, 0, "off");
  SigtermWhileStoppedThenGoOn(run, private_->MariadbPid(), "MariaDB", /*blocked_in_read=*/true);
}

TEST_F(StreamStallTest, SigtermEndsATablesRunOnAStoppedMariadbSource) {
  Process run = StartStreaming(/*from_mariadb=*/true, 0, "off", /*tables=*/true);
  const ProcessResult r = SigtermWhileStoppedThenGoOn(run, private_->MariadbPid(), "MariaDB",
                                                      /*blocked_in_read=*/true);
  EXPECT_TRUE(Has(r.stderr_text, "streaming 1 tables")) << Describe(r);  // the many-table reader
}

TEST_F(StreamStallTest, SigtermEndsARealtimeRunOnAStoppedWalsender) {
  Process run = StartStreaming(/*from_mariadb=*/false, 0, "off");
  SigtermWhileStoppedThenGoOn(run, 0, "walsender", /*blocked_in_read=*/false);
}

TEST_F(StreamStallTest, StoppedWalsenderFailsTheRealtimeRunNamingIt) {
  Process run = StartStreaming(/*from_mariadb=*/false, 3, "off");
  Source("INSERT INTO stall_src VALUES (4, 'streamed')");
  ASSERT_TRUE(WaitForTarget("1:a,2:b,3:c,4:streamed")) << RunLog();
  // Idle for longer than the stall timeout first: a live, idle walsender must not count as
  // stalled (it answers the keepalive request).
  std::this_thread::sleep_for(std::chrono::seconds(7));
  ASSERT_TRUE(run.Running()) << "an idle walsender was taken for a stalled one:\n" << RunLog();

  const std::string walsender = pg_->Value(
      "SELECT pid FROM pg_stat_activity WHERE backend_type = 'walsender' AND application_name "
      "= 'sluice stream'");
  ASSERT_FALSE(walsender.empty());
  ASSERT_TRUE(private_->Pause(std::stoi(walsender)));
  ExpectStalledEnd(run, "postgres at " + HostPort(servers_.pg_port), 20);

  private_->ResumeAll();
  Source("INSERT INTO stall_src VALUES (5, 'after')");
  ExpectCatchUpGives("1:a,2:b,3:c,4:streamed,5:after");
}

TEST_F(StreamStallTest, RunReconnectsWhenMariadbComesBack) {
  Process run = StartStreaming(/*from_mariadb=*/true, 2, "{attempts: 5, max_wait: 2s}");
  Source("INSERT INTO stall_src VALUES (4, 'before')");
  ASSERT_TRUE(WaitForTarget("1:a,2:b,3:c,4:before")) << RunLog();

  ASSERT_TRUE(private_->Pause(private_->MariadbPid()));
  std::this_thread::sleep_for(std::chrono::seconds(5));  // stalled, and away for a retry or two
  private_->ResumeAll();
  ASSERT_TRUE(run.Running()) << "the run gave up:\n" << RunLog();
  Source("INSERT INTO stall_src VALUES (5, 'after')");
  Source("UPDATE stall_src SET v = 'changed' WHERE id = 4");
  Source("DELETE FROM stall_src WHERE id = 1");
  EXPECT_TRUE(WaitForTarget("2:b,3:c,4:changed,5:after")) << TargetRows() << "\n" << RunLog();

  ExpectReconnectedEnd(run, "reconnecting in 1s (attempt 1 of 5)");
  EXPECT_TRUE(Has(RunLog(), "mysql at " + HostPort(servers_.mysql_port) + " stalled"));
  EXPECT_EQ(TargetRows(), "2:b,3:c,4:changed,5:after");
}

TEST_F(StreamStallTest, RunReconnectsAfterItsWalsenderIsTerminated) {
  Process run = StartStreaming(/*from_mariadb=*/false, 5, "3");
  ASSERT_EQ(pg_->Value("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                       "backend_type = 'walsender' AND application_name = 'sluice stream'"),
            "1");
  Source("INSERT INTO stall_src VALUES (4, 'after')");
  Source("UPDATE stall_src SET v = 'changed' WHERE id = 2");
  EXPECT_TRUE(WaitForTarget("1:a,2:changed,3:c,4:after")) << TargetRows() << "\n" << RunLog();

  ExpectReconnectedEnd(run, "reconnecting in 1s (attempt 1 of 3)");
  EXPECT_EQ(TargetRows(), "1:a,2:changed,3:c,4:after");
}

TEST_F(StreamStallTest, RunReconnectsAfterItsTargetConnectionsAreTerminated) {
  Process run = StartStreaming(/*from_mariadb=*/true, 10, "3");
  // Writes go on while the target's sessions are cut, twice.
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 50; ++i) {
      const int id = 100 + round * 100 + i;
      Source("INSERT INTO stall_src VALUES (" + std::to_string(id) + ", 'r" +
             std::to_string(round) + "')");
      if (i == 20) {
        pg_->Exec(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE "
            "'sluice%' AND pid <> pg_backend_pid()");
      }
      if (i % 10 == 0) Source("UPDATE stall_src SET v = CONCAT(v, '+') WHERE id = 2");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  const std::string source_rows = SourceRows();
  EXPECT_TRUE(WaitForTarget(source_rows)) << RunLog();

  ExpectReconnectedEnd(run, "reconnecting in 1s (attempt 1 of 3)");
  EXPECT_EQ(TargetRows(), source_rows);
}

}  // namespace
}  // namespace sluice::hardening
