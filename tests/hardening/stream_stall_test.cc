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
//   StreamStallTest.SigtermEndsARealtimeRunOnAStoppedMariadbSource
//       stall timeout off: one SIGTERM ends the run within a few seconds.
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

class StreamStallTest : public ServerTest {
 protected:
  StreamStallTest() : ServerTest("stream-stall") {}

  // Never ASSERT here: a failure in SetUpTestSuite makes gtest report the tests as skipped,
  // which ctest counts as a pass. SetUp fails each test with start_error_ instead.
  static void SetUpTestSuite() {
    private_ = new PrivateServers();
    start_error_ = new std::string(private_->Start());
  }
  static void TearDownTestSuite() {
    delete private_;
    delete start_error_;
    private_ = nullptr;
    start_error_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(start_error_ != nullptr && start_error_->empty())
        << (start_error_ ? *start_error_ : "no servers");
    ServerTest::SetUp();
    servers_ = private_->servers();
  }
  void TearDown() override {
    private_->ResumeAll();  // always: the next test needs the server
    ServerTest::TearDown();
  }

  // `reconnect`: settings.reconnect's value.
  std::string MysqlToPgJob(int stall_timeout, const std::string& reconnect = "off") const {
    return "name: stall_rt\nmode: realtime\n"
           "source: {type: mysql, url: \"" +
           servers_.mysql_url +
           "\", table: stall_src}\n"
           "target: {type: postgres, url: \"" +
           servers_.pg_url +
           "\", table: public.stall_dst}\n"
           "settings: {checkpoint: 200ms, stall_timeout: " +
           std::to_string(stall_timeout) + ", reconnect: " + reconnect + "}\n";
  }
  std::string PgToMysqlJob(int stall_timeout, const std::string& reconnect = "off") const {
    return "name: stall_pg_rt\nmode: realtime\n"
           "source: {type: postgres, url: \"" +
           servers_.pg_url +
           "\", table: public.stall_src}\n"
           "target: {type: mysql, url: \"" +
           servers_.mysql_url +
           "\", table: stall_dst}\n"
           "settings: {checkpoint: 200ms, stall_timeout: " +
           std::to_string(stall_timeout) + ", reconnect: " + reconnect + "}\n";
  }

  Process StartRun(const std::string& job) {
    EXPECT_TRUE(e2e::WriteFile(workspace_->Path("job.yaml"), job).has_value());
    return Process::Start(Spec({"run", "job.yaml", "--progress", "none"}, "run"));
  }
  ProcessResult CatchUp() {
    return e2e::RunProcess(Spec({"run", "job.yaml", "--catch-up", "--progress", "none"}, "catchup"),
                           std::chrono::minutes(2));
  }

  // Waits until `count()` says `rows` (the run streams), for at most 60 s.
  template <typename Count>
  static bool WaitForRows(Count count, int rows) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < until) {
      if (count() == std::to_string(rows)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
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

  static PrivateServers* private_;
  static std::string* start_error_;
};

PrivateServers* StreamStallTest::private_ = nullptr;
std::string* StreamStallTest::start_error_ = nullptr;

std::string HostPort(int port) {
  return "127.0.0.1:" + std::to_string(port);
}

// MariaDB source streaming into PostgreSQL: 3 rows snapshotted, a 4th streamed.
void StartStreamingFromMariadb(MysqlClient& src, PgClient& dst) {
  src.Exec("DROP TABLE IF EXISTS stall_src");
  src.Exec("CREATE TABLE stall_src (id INT PRIMARY KEY, v VARCHAR(20))");
  src.Exec("INSERT INTO stall_src VALUES (1, 'a'), (2, 'b'), (3, 'c')");
  dst.Exec("DROP TABLE IF EXISTS public.stall_dst");
}

TEST_F(StreamStallTest, StoppedMariadbSourceFailsTheRealtimeRunNamingIt) {
  MysqlClient src(servers_.mysql_url);
  PgClient dst(servers_.pg_url);
  StartStreamingFromMariadb(src, dst);
  Process run = StartRun(MysqlToPgJob(3));
  auto count = [&] { return dst.Value("SELECT count(*) FROM public.stall_dst"); };
  auto exists = [&] {
    return dst.Value("SELECT count(*) FROM pg_tables WHERE tablename = 'stall_dst'");
  };
  ASSERT_TRUE(WaitForRows(exists, 1)) << "the target table never appeared";
  ASSERT_TRUE(WaitForRows(count, 3)) << "the snapshot never arrived";
  src.Exec("INSERT INTO stall_src VALUES (4, 'streamed')");
  ASSERT_TRUE(WaitForRows(count, 4)) << "the change never arrived";
  ASSERT_TRUE(run.Running());

  ASSERT_TRUE(private_->Pause(private_->MariadbPid()));
  ExpectStalledEnd(run, "mysql at " + HostPort(servers_.mysql_port), 20);

  // Nothing is lost: the next run goes on from the last checkpoint.
  private_->ResumeAll();
  src.Exec("INSERT INTO stall_src VALUES (5, 'after')");
  const ProcessResult again = CatchUp();
  ASSERT_EQ(again.exit_code, 0) << Describe(again);
  EXPECT_EQ(dst.Value("SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM public.stall_dst"),
            "1:a,2:b,3:c,4:streamed,5:after");
}

TEST_F(StreamStallTest, SigtermEndsARealtimeRunOnAStoppedMariadbSource) {
  MysqlClient src(servers_.mysql_url);
  PgClient dst(servers_.pg_url);
  StartStreamingFromMariadb(src, dst);
  Process run = StartRun(MysqlToPgJob(0));
  auto count = [&] { return dst.Value("SELECT count(*) FROM public.stall_dst"); };
  auto exists = [&] {
    return dst.Value("SELECT count(*) FROM pg_tables WHERE tablename = 'stall_dst'");
  };
  ASSERT_TRUE(WaitForRows(exists, 1)) << "the target table never appeared";
  ASSERT_TRUE(WaitForRows(count, 3)) << "the snapshot never arrived";

  ASSERT_TRUE(private_->Pause(private_->MariadbPid()));
  std::this_thread::sleep_for(std::chrono::seconds(1));  // the run now waits in a binlog read
  const auto start = std::chrono::steady_clock::now();
  run.Signal(SIGTERM);
  const ProcessResult r = run.Wait(std::chrono::seconds(30));
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_FALSE(r.timed_out) << "SIGTERM does not end a realtime run on a stopped MariaDB";
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_TRUE(Has(r.stderr_text, "stopped by a signal")) << Describe(r);
  EXPECT_LT(secs, 6) << Describe(r);

  private_->ResumeAll();
  src.Exec("INSERT INTO stall_src VALUES (4, 'after')");
  const ProcessResult again = CatchUp();
  ASSERT_EQ(again.exit_code, 0) << Describe(again);
  EXPECT_EQ(dst.Value("SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM public.stall_dst"),
            "1:a,2:b,3:c,4:after");
}

TEST_F(StreamStallTest, StoppedWalsenderFailsTheRealtimeRunNamingIt) {
  PgClient src(servers_.pg_url);
  MysqlClient dst(servers_.mysql_url);
  src.Exec("DROP TABLE IF EXISTS public.stall_src");
  src.Exec("CREATE TABLE public.stall_src (id INT PRIMARY KEY, v VARCHAR(20))");
  src.Exec("INSERT INTO public.stall_src VALUES (1, 'a'), (2, 'b'), (3, 'c')");
  dst.Exec("DROP TABLE IF EXISTS stall_dst");
  Process run = StartRun(PgToMysqlJob(3));
  auto count = [&] { return dst.Value("SELECT count(*) FROM stall_dst"); };
  auto exists = [&] {
    return dst.Value(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND "
        "table_name = 'stall_dst'");
  };
  ASSERT_TRUE(WaitForRows(exists, 1)) << "the target table never appeared";
  ASSERT_TRUE(WaitForRows(count, 3)) << "the snapshot never arrived";
  src.Exec("INSERT INTO public.stall_src VALUES (4, 'streamed')");
  ASSERT_TRUE(WaitForRows(count, 4)) << "the change never arrived";
  // Idle for longer than the stall timeout first: a live, idle walsender must not count as
  // stalled (it answers the keepalive request).
  std::this_thread::sleep_for(std::chrono::seconds(7));
  ASSERT_TRUE(run.Running()) << "an idle walsender was taken for a stalled one:\n"
                             << ReadWholeFile(workspace_->Path("run.err"));

  const std::string walsender = src.Value(
      "SELECT pid FROM pg_stat_activity WHERE backend_type = 'walsender' AND application_name "
      "= 'sluice stream'");
  ASSERT_FALSE(walsender.empty());
  ASSERT_TRUE(private_->Pause(std::stoi(walsender)));
  ExpectStalledEnd(run, "postgres at " + HostPort(servers_.pg_port), 20);

  private_->ResumeAll();
  src.Exec("INSERT INTO public.stall_src VALUES (5, 'after')");
  const ProcessResult again = CatchUp();
  ASSERT_EQ(again.exit_code, 0) << Describe(again);
  EXPECT_EQ(dst.Value("SELECT GROUP_CONCAT(id, ':', v ORDER BY id) FROM stall_dst"),
            "1:a,2:b,3:c,4:streamed,5:after");
}

TEST_F(StreamStallTest, RunReconnectsWhenMariadbComesBack) {
  MysqlClient src(servers_.mysql_url);
  PgClient dst(servers_.pg_url);
  StartStreamingFromMariadb(src, dst);
  Process run = StartRun(MysqlToPgJob(2, "{attempts: 5, max_wait: 2s}"));
  auto count = [&] { return dst.Value("SELECT count(*) FROM public.stall_dst"); };
  auto exists = [&] {
    return dst.Value("SELECT count(*) FROM pg_tables WHERE tablename = 'stall_dst'");
  };
  ASSERT_TRUE(WaitForRows(exists, 1)) << "the target table never appeared";
  ASSERT_TRUE(WaitForRows(count, 3)) << "the snapshot never arrived";
  src.Exec("INSERT INTO stall_src VALUES (4, 'before')");
  ASSERT_TRUE(WaitForRows(count, 4)) << "the change never arrived";

  ASSERT_TRUE(private_->Pause(private_->MariadbPid()));
  std::this_thread::sleep_for(std::chrono::seconds(5));  // stalled, and away for a retry or two
  private_->ResumeAll();
  ASSERT_TRUE(run.Running()) << "the run gave up:\n" << ReadWholeFile(workspace_->Path("run.err"));
  src.Exec("INSERT INTO stall_src VALUES (5, 'after')");
  src.Exec("UPDATE stall_src SET v = 'changed' WHERE id = 4");
  src.Exec("DELETE FROM stall_src WHERE id = 1");
  auto rows = [&] {
    return dst.Value("SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM public.stall_dst");
  };
  const std::string expected = "2:b,3:c,4:changed,5:after";
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (rows() != expected && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(rows(), expected) << ReadWholeFile(workspace_->Path("run.err"));

  run.Signal(SIGTERM);
  const ProcessResult r = run.Wait(std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_TRUE(Has(r.stderr_text, "mysql at " + HostPort(servers_.mysql_port) + " stalled"))
      << Describe(r);
  EXPECT_TRUE(Has(r.stderr_text, "reconnecting in 1s (attempt 1 of 5)")) << Describe(r);
  EXPECT_TRUE(Has(r.stdout_text, "reconnects ")) << Describe(r);
  EXPECT_EQ(rows(), expected);
}

TEST_F(StreamStallTest, RunReconnectsAfterItsWalsenderIsTerminated) {
  PgClient src(servers_.pg_url);
  MysqlClient dst(servers_.mysql_url);
  src.Exec("DROP TABLE IF EXISTS public.stall_src");
  src.Exec("CREATE TABLE public.stall_src (id INT PRIMARY KEY, v VARCHAR(20))");
  src.Exec("INSERT INTO public.stall_src VALUES (1, 'a'), (2, 'b'), (3, 'c')");
  dst.Exec("DROP TABLE IF EXISTS stall_dst");
  Process run = StartRun(PgToMysqlJob(5, "3"));
  auto count = [&] { return dst.Value("SELECT count(*) FROM stall_dst"); };
  auto exists = [&] {
    return dst.Value(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND "
        "table_name = 'stall_dst'");
  };
  ASSERT_TRUE(WaitForRows(exists, 1)) << "the target table never appeared";
  ASSERT_TRUE(WaitForRows(count, 3)) << "the snapshot never arrived";

  ASSERT_EQ(src.Value("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                      "backend_type = 'walsender' AND application_name = 'sluice stream'"),
            "1");
  src.Exec("INSERT INTO public.stall_src VALUES (4, 'after')");
  src.Exec("UPDATE public.stall_src SET v = 'changed' WHERE id = 2");
  auto rows = [&] {
    return dst.Value("SELECT GROUP_CONCAT(id, ':', v ORDER BY id) FROM stall_dst");
  };
  const std::string expected = "1:a,2:changed,3:c,4:after";
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (rows() != expected && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(rows(), expected) << ReadWholeFile(workspace_->Path("run.err"));

  run.Signal(SIGTERM);
  const ProcessResult r = run.Wait(std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_TRUE(Has(r.stderr_text, "reconnecting in 1s (attempt 1 of 3)")) << Describe(r);
  EXPECT_TRUE(Has(r.stdout_text, "reconnects ")) << Describe(r);
  EXPECT_EQ(rows(), expected);
}

TEST_F(StreamStallTest, RunReconnectsAfterItsTargetConnectionsAreTerminated) {
  MysqlClient src(servers_.mysql_url);
  PgClient dst(servers_.pg_url);
  StartStreamingFromMariadb(src, dst);
  Process run = StartRun(MysqlToPgJob(10, "3"));
  auto count = [&] { return dst.Value("SELECT count(*) FROM public.stall_dst"); };
  auto exists = [&] {
    return dst.Value("SELECT count(*) FROM pg_tables WHERE tablename = 'stall_dst'");
  };
  ASSERT_TRUE(WaitForRows(exists, 1)) << "the target table never appeared";
  ASSERT_TRUE(WaitForRows(count, 3)) << "the snapshot never arrived";

  // Writes go on while the target's sessions are cut, twice.
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 50; ++i) {
      const int id = 100 + round * 100 + i;
      src.Exec("INSERT INTO stall_src VALUES (" + std::to_string(id) + ", 'r" +
               std::to_string(round) + "')");
      if (i == 20) {
        dst.Exec(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE "
            "'sluice%' AND pid <> pg_backend_pid()");
      }
      if (i % 10 == 0) src.Exec("UPDATE stall_src SET v = CONCAT(v, '+') WHERE id = 2");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  const std::string source_rows =
      src.Value("SELECT GROUP_CONCAT(id, ':', v ORDER BY id SEPARATOR ',') FROM stall_src");
  auto rows = [&] {
    return dst.Value("SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM public.stall_dst");
  };
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (rows() != source_rows && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(rows(), source_rows) << ReadWholeFile(workspace_->Path("run.err"));

  run.Signal(SIGTERM);
  const ProcessResult r = run.Wait(std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_TRUE(Has(r.stderr_text, "reconnecting in 1s (attempt 1 of 3)")) << Describe(r);
  EXPECT_TRUE(Has(r.stdout_text, "reconnects ")) << Describe(r);
  EXPECT_EQ(rows(), source_rows);
}

}  // namespace
}  // namespace sluice::hardening
